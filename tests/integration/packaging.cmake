# packaging/k8s/*.yaml against the Kubernetes API schema (Debian's python3-kubernetes: the
# official client's models, generated from the OpenAPI spec) plus the fleet's own rules, and
# packaging/Containerfile against the built binary's libraries; --self-test makes sure broken
# copies of both are refused (tests/integration/packaging_check.py).
if(TARGET sipline_cli)
  add_test(NAME packaging_manifests_check
    COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/integration/packaging_check.py
            --source ${CMAKE_SOURCE_DIR} --sipline $<TARGET_FILE:sipline_cli> --self-test)
  set_tests_properties(packaging_manifests_check PROPERTIES LABELS integration TIMEOUT 120)
endif()
