# sip_trace files: pcap decoded by tshark as SIP with the real addresses, text with the real
# source address, both mode 0600.
if(TARGET sipline)
  sipline_test(sip_trace_test SOURCES sip_trace_test.cpp
    DEPS sipline sipline_transport sipline_test_support LABEL integration)
  target_include_directories(sip_trace_test PRIVATE ${CMAKE_SOURCE_DIR}/src/engine)
endif()
