# packaging/sipline.service passes `systemd-analyze verify` (with ExecStart pointing at the
# built binary; --man=no: the man page is not installed on the build machine).
find_program(SYSTEMD_ANALYZE systemd-analyze)
if(SYSTEMD_ANALYZE AND TARGET sipline_cli)
  add_test(NAME service_unit_verifies
    COMMAND ${CMAKE_SOURCE_DIR}/tests/integration/verify_unit.sh ${SYSTEMD_ANALYZE}
            ${CMAKE_SOURCE_DIR}/packaging/sipline.service $<TARGET_FILE:sipline_cli>)
  set_tests_properties(service_unit_verifies PROPERTIES LABELS integration TIMEOUT 60)
endif()
# sipline.1 was generated from the help and has a section per command.
if(TARGET sipline_man)
  add_test(NAME man_page_lists_commands
    COMMAND sh -c "for c in run check status call parse; do grep -qx \".SS $c\" \"$1\" || { echo \"no $c in $1\"; exit 1; }; done"
            sh ${CMAKE_BINARY_DIR}/src/app/sipline.1)
  set_tests_properties(man_page_lists_commands PROPERTIES LABELS integration)
endif()
