sipline_test(transport_test SOURCES transport_test.cpp transport_routes_test.cpp
  transport_srv_test.cpp DEPS sipline_transport)
