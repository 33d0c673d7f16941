# libFuzzer target for the config loader (include from fuzz/CMakeLists.txt, built with clang and
# SIPLINE_FUZZ=ON). Seed corpus: fuzz/corpus/config. Run: fuzz_config -max_total_time=60 corpus/config
add_executable(fuzz_config ${CMAKE_CURRENT_LIST_DIR}/fuzz_config.cpp)
target_compile_options(fuzz_config PRIVATE -fsanitize=fuzzer)
target_link_libraries(fuzz_config PRIVATE sipline_config -fsanitize=fuzzer)
