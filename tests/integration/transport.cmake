# Loopback UDP/TCP/TLS over real sockets (127.0.0.1 and ::1); certificates made with openssl.
sipline_test(transport_integration_test
  SOURCES transport_support.cpp transport_test.cpp transport_udp_test.cpp
          transport_stream_test.cpp transport_tls_test.cpp transport_resolver_test.cpp
          transport_tls_identity_test.cpp transport_limits_test.cpp
          transport_source_test.cpp transport_dns_test.cpp transport_dns_bad_test.cpp
  DEPS sipline_transport sipline_test_support
  LABEL integration)
