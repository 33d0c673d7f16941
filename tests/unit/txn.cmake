# Transaction layer unit tests (owner: txn).
sipline_test(txn_test
  SOURCES txn_fsm_test.cpp txn_client_test.cpp txn_server_test.cpp txn_invite_client_test.cpp
          txn_invite_server_test.cpp txn_shared_port_test.cpp
  DEPS sipline_txn sipline_fake_transport)
