# The `sipline` application over real sockets (HTTP side) and as a process.
sipline_test(cli_http_test SOURCES cli_http_test.cpp
  DEPS sipline_app sipline_test_support LABEL integration)
# `sipline run` as a process against a real Kamailio; needs the executable.
if(TARGET sipline_cli AND TARGET sipline_test_support)
  sipline_test(cli_run_test SOURCES cli_run_test.cpp
    DEPS sipline_app sipline_test_support LABEL integration)
  target_compile_definitions(cli_run_test PRIVATE SIPLINE_CLI="$<TARGET_FILE:sipline_cli>")
  add_dependencies(cli_run_test sipline_cli)
endif()
