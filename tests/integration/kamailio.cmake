# Tests against a real Kamailio started by tests/support (kamailio/sipline.cfg).
sipline_test(kamailio_harness_test SOURCES kamailio_harness_test.cpp
  DEPS sipline_test_support LABEL integration)
