# packaging/k8s/*.yaml against the Kubernetes API schema (Debian's python3-kubernetes: the
# official client's models, generated from the OpenAPI spec) plus the fleet's own rules, and
# packaging/Containerfile against the built binary's libraries; --self-test makes sure broken
# copies of both are refused (tests/integration/packaging_check.py). Only for optimised builds:
# the image builds a release binary, and an unoptimised one links libraries that a release
# binary does not (spandsp's G.711 helpers, inlined at -O2, are calls at -O0).
if(TARGET sipline_cli AND NOT SIPLINE_SANITIZE AND NOT CMAKE_BUILD_TYPE STREQUAL "Debug")
  add_test(NAME packaging_manifests_check
    COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/integration/packaging_check.py
            --source ${CMAKE_SOURCE_DIR} --sipline $<TARGET_FILE:sipline_cli> --self-test)
  set_tests_properties(packaging_manifests_check PROPERTIES LABELS integration TIMEOUT 120)
endif()
