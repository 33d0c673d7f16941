# Configuration layer: schema, value checks, loader, report.
sipline_test(config_test
  SOURCES config_test.cpp config_ranges_test.cpp config_load_test.cpp config_tls_files_test.cpp
          config_sub_keys_test.cpp config_net_keys_test.cpp config_fleet_test.cpp
          config_shard_test.cpp
  DEPS sipline_config)
target_compile_definitions(config_test PRIVATE
  SIPLINE_CONFIG_TEST_DATA="${CMAKE_SOURCE_DIR}/tests/data/config")
