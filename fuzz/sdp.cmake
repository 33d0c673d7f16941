# libFuzzer target for SDP bodies (parser, writer, offer/answer). Seeds: fuzz/corpus/sdp.
sipline_fuzz_target(fuzz_sdp ${CMAKE_CURRENT_LIST_DIR}/fuzz_sdp.cpp sipline_media)
target_include_directories(fuzz_sdp PRIVATE ${CMAKE_CURRENT_LIST_DIR})
