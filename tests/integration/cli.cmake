# The `sipline` application over real sockets (HTTP side) and as a process.
sipline_test(cli_http_test SOURCES cli_http_test.cpp DEPS sipline_app LABEL integration)
