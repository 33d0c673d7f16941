# Subscription usage unit tests (owner: usage/sub).
sipline_test(usage_sub_test
  SOURCES usage_sub_policy_test.cpp usage_sub_request_test.cpp usage_sub_subscription_test.cpp
  DEPS sipline_usage_sub sipline_fake_transport)
target_compile_definitions(usage_sub_test PRIVATE
  SIPLINE_MSG_DATA_DIR="${CMAKE_SOURCE_DIR}/tests/data/messages"
  SIPLINE_EXAMPLES_DIR="${CMAKE_SOURCE_DIR}/examples/messages")
