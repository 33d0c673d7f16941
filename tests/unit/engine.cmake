# The engine's pieces that need no sockets: the state store (contacts batched into one file).
if(TARGET sipline)
  sipline_test(engine_state_store_test SOURCES engine_state_store_test.cpp DEPS sipline sipline_base)
  target_include_directories(engine_state_store_test PRIVATE ${CMAKE_SOURCE_DIR}/src/engine)
endif()
if(TARGET sipline)
  sipline_test(engine_metrics_test SOURCES engine_metrics_test.cpp DEPS sipline sipline_transport sipline_txn
                 sipline_account)
  target_include_directories(engine_metrics_test PRIVATE ${CMAKE_SOURCE_DIR}/src/engine)
endif()
if(TARGET sipline)
  sipline_test(engine_reload_test SOURCES engine_reload_test.cpp DEPS sipline sipline_config)
  target_include_directories(engine_reload_test PRIVATE ${CMAKE_SOURCE_DIR}/src/engine)
endif()
if(TARGET sipline)
  sipline_test(engine_stored_settings_test SOURCES engine_stored_settings_test.cpp
    DEPS sipline sipline_config)
  target_include_directories(engine_stored_settings_test PRIVATE ${CMAKE_SOURCE_DIR}/src/engine)
endif()
