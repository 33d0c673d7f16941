sipline_test(msg_test
  SOURCES msg_parse_test.cpp msg_values_test.cpp msg_framer_test.cpp msg_writer_test.cpp
          msg_limits_test.cpp msg_rfc4475_test.cpp
  DEPS sipline_msg)
target_compile_definitions(msg_test PRIVATE
  SIPLINE_MSG_DATA_DIR="${CMAKE_SOURCE_DIR}/tests/data/messages"
  SIPLINE_EXAMPLES_DIR="${CMAKE_SOURCE_DIR}/examples/messages")
