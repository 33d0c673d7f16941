# The daemon's HTTP access rules (pure decision table) and their [daemon] keys.
sipline_test(app_http_access_test SOURCES app_http_access_test.cpp DEPS sipline_app)
sipline_test(config_http_keys_test SOURCES config_http_keys_test.cpp DEPS sipline_config)
