# Kamailio's presence server (WITH_PRESENCE) with raw SIP, bodies parsed by usage/sub/bodies.
if(TARGET sipline_usage_sub_bodies)
  sipline_test(kamailio_presence_test SOURCES kamailio_presence_test.cpp
    DEPS sipline_test_support sipline_usage_sub_bodies LABEL integration)
endif()
