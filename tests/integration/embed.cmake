# The installed package as an embedder sees it: `cmake --install` to a temporary prefix, then
# examples/embed built out of tree with find_package(sipline) (and once with pkg-config), run
# against the test Kamailio.
# Not under the sanitizers: the installed archive would carry ASan/UBSan instrumentation that a
# plain out-of-tree example cannot link; the normal build runs it.
if(TARGET sipline_embed AND NOT SIPLINE_SANITIZE)
  sipline_test(embed_install_test SOURCES embed_install_test.cpp
    DEPS sipline_test_support LABEL integration)
  add_dependencies(embed_install_test sipline_embed)
  target_compile_definitions(embed_install_test PRIVATE
    SIPLINE_SOURCE_DIR="${CMAKE_SOURCE_DIR}" SIPLINE_BUILD_DIR="${CMAKE_BINARY_DIR}"
    CMAKE_COMMAND_PATH="${CMAKE_COMMAND}" CXX_COMPILER_PATH="${CMAKE_CXX_COMPILER}")
endif()
