# Tests against a real Kamailio started by tests/support (kamailio/sipline.cfg).
sipline_test(kamailio_harness_test SOURCES kamailio_harness_test.cpp
  DEPS sipline_test_support LABEL integration)
# sipline's msg and auth layers against that Kamailio (UDP, TCP, TLS).
if(TARGET sipline_msg AND TARGET sipline_auth)
  sipline_test(kamailio_register_test SOURCES kamailio_register_test.cpp
    DEPS sipline_test_support sipline_msg sipline_auth LABEL integration)
endif()
