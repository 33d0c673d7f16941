# Account policy on the virtual clock against a scripted registrar (owner: lead).
if(TARGET sipline_account AND TARGET sipline_fake_transport)
  sipline_test(account_test
    SOURCES account_test.cpp account_source_test.cpp policy_test.cpp account_watch_test.cpp
            account_calls_test.cpp
            account_failover_test.cpp account_keepalive_gate_test.cpp
            account_flow_test.cpp
    DEPS sipline_account sipline_fake_transport)
endif()
