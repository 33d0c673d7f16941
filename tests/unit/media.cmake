# Media layer: SDP grammar and offer/answer tables, RTP header codec, receive statistics on a
# virtual clock, DTMF counting, port allocation, G.711.
if(TARGET sipline_media)
  sipline_test(media_test
    SOURCES media_sdp_test.cpp media_offer_answer_test.cpp media_rtp_test.cpp
    DEPS sipline_media)
endif()
