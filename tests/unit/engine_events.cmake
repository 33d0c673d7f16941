# Events for embedders (EventBus, WatchedTimers) and the engine built from TOML text or code.
if(TARGET sipline)
  sipline_test(engine_events_test SOURCES engine_events_test.cpp DEPS sipline sipline_account)
  target_include_directories(engine_events_test PRIVATE ${CMAKE_SOURCE_DIR}/src/engine)
endif()
