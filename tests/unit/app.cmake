# The `sipline` application: routes, JSON, table (no sockets); parse_files of the public API.
sipline_test(app_api_test SOURCES app_api_test.cpp DEPS sipline_app)
find_package(nlohmann_json REQUIRED)
sipline_test(app_parse_test SOURCES app_parse_test.cpp DEPS sipline nlohmann_json::nlohmann_json)
target_compile_definitions(app_parse_test PRIVATE SIPLINE_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
# The binary as a process (exit codes).
sipline_test(daemon_settings_test SOURCES daemon_settings_test.cpp DEPS sipline)
sipline_test(app_cli_test SOURCES app_cli_test.cpp)
target_compile_definitions(app_cli_test PRIVATE SIPLINE_CLI="$<TARGET_FILE:sipline_cli>"
                                                SIPLINE_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
add_dependencies(app_cli_test sipline_cli)
sipline_test(app_calls_test SOURCES app_calls_test.cpp DEPS sipline_app)
sipline_test(app_paging_test SOURCES app_paging_test.cpp DEPS sipline_app)
sipline_test(app_shard_test SOURCES app_shard_test.cpp DEPS sipline_app)
