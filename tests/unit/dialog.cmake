# Dialog layer unit tests (owner: dialog).
sipline_test(dialog_test SOURCES dialog_test.cpp dialog_invite_test.cpp DEPS sipline_dialog)
target_compile_definitions(dialog_test PRIVATE
  SIPLINE_MSG_DATA_DIR="${CMAKE_SOURCE_DIR}/tests/data/messages"
  SIPLINE_EXAMPLES_DIR="${CMAKE_SOURCE_DIR}/examples/messages")
