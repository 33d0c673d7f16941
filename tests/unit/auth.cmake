sipline_test(auth_test
  SOURCES auth_digest_test.cpp auth_challenge_test.cpp auth_session_test.cpp
  DEPS sipline_auth)
# Challenges from whole responses parsed by msg (once msg's library is in the tree).
if(TARGET sipline_msg)
  sipline_test(auth_msg_test SOURCES auth_msg_test.cpp DEPS sipline_auth sipline_msg)
endif()
