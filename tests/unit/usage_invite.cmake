# Call usage unit tests (owner: usage/invite).
sipline_test(usage_invite_test
  SOURCES usage_invite_identity_test.cpp usage_invite_call_test.cpp usage_invite_incoming_test.cpp
  DEPS sipline_usage_invite sipline_fake_transport)
