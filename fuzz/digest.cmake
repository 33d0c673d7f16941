# libFuzzer target for digest challenges (include from fuzz/CMakeLists.txt, built with clang and
# SIPLINE_FUZZ=ON). Seed corpus: fuzz/corpus/digest. Run: fuzz_digest -max_total_time=60 corpus/
add_executable(fuzz_digest ${CMAKE_CURRENT_LIST_DIR}/fuzz_digest.cpp)
target_compile_options(fuzz_digest PRIVATE -fsanitize=fuzzer)
target_link_libraries(fuzz_digest PRIVATE sipline_auth sipline_msg -fsanitize=fuzzer)
