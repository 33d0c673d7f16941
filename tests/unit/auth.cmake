sipline_test(auth_test
  SOURCES auth_digest_test.cpp auth_challenge_test.cpp auth_session_test.cpp
  DEPS sipline_auth)
