# Two RTP sessions over 127.0.0.1 on one Asio loop: audio both ways for about a second, junk
# and RFC 4733 events injected from a plain socket, a WAV played and recorded.
if(TARGET sipline_media)
  sipline_test(media_integration_test
    SOURCES media_rtp_loopback_test.cpp
    DEPS sipline_media sipline_test_support
    LABEL integration)
endif()
