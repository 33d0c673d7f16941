#include <gtest/gtest.h>

#include <string>

#include "media/offer_answer.hpp"

using namespace sipline::media;

namespace {

LocalMedia local(std::uint16_t port = 20000, bool ipv6 = false) {
  LocalMedia l;
  l.address = Connection{ipv6, ipv6 ? "::1" : "127.0.0.1"};
  l.port = port;
  l.session_id = 42;
  l.session_version = 7;
  return l;
}

SessionDescription parse(const std::string& body) {
  auto r = parse_sdp(body);
  EXPECT_TRUE(r.ok()) << body;
  return r.ok() ? r.value() : SessionDescription{};
}

const std::string kHead =
    "v=0\r\no=bob 1 1 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\n";

}  // namespace

TEST(OfferAnswer, OurOfferHasG711TelephoneEventAndPtime) {
  const std::string text = write_sdp(make_offer(local()));
  EXPECT_EQ(text,
            "v=0\r\no=sipline 42 7 IN IP4 127.0.0.1\r\ns=sipline\r\nc=IN IP4 127.0.0.1\r\n"
            "t=0 0\r\nm=audio 20000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\n"
            "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
            "a=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n");
  auto v6 = write_sdp(make_offer(local(20002, true)));
  EXPECT_NE(v6.find("c=IN IP6 ::1\r\n"), std::string::npos);
}

// RFC 4317 §2.1: audio (PCMU first) and video offered; we take PCMU and reject video.
TEST(OfferAnswer, Rfc4317AudioAndVideo) {
  auto offer = parse(kHead +
                     "m=audio 49170 RTP/AVP 0 8 97\r\na=rtpmap:0 PCMU/8000\r\n"
                     "a=rtpmap:8 PCMA/8000\r\na=rtpmap:97 iLBC/8000\r\n"
                     "m=video 51372 RTP/AVP 31 32\r\na=rtpmap:31 H261/90000\r\n");
  auto a = answer_offer(offer, local());
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->sdp.media.size(), 2u);
  EXPECT_EQ(a->sdp.media[0].port, 20000);
  EXPECT_EQ(a->sdp.media[0].formats, (std::vector<std::string>{"0"}));
  EXPECT_EQ(a->sdp.media[1].port, 0);  // rejected
  EXPECT_EQ(a->remote.codec, Codec::kPcmu);
  EXPECT_EQ(a->remote.address.address, "192.0.2.2");
  EXPECT_EQ(a->remote.port, 49170);
  EXPECT_FALSE(a->remote.telephone_event_pt);
  // The answer parses and reads back as media of ours.
  auto back = read_answer(parse(write_sdp(a->sdp)));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->port, 20000);
  EXPECT_EQ(back->payload_type, 0);
}

struct AnswerCase {
  const char* name;
  std::string media;
  Codec codec;
  int pt;
  std::optional<int> dtmf;
  Direction ours;
  bool hold;
};

TEST(OfferAnswer, AnswerTable) {
  const AnswerCase cases[] = {
      {"first supported codec in offer order (RFC 4317 §2.2 style: iLBC first)",
       "m=audio 4000 RTP/AVP 97 8 0\r\na=rtpmap:97 iLBC/8000\r\n",
       Codec::kPcma,
       8,
       {},
       Direction::kSendRecv,
       false},
      {"PCMA under a dynamic payload type",
       "m=audio 4000 RTP/AVP 96\r\na=rtpmap:96 pcma/8000\r\n",
       Codec::kPcma,
       96,
       {},
       Direction::kSendRecv,
       false},
      {"telephone-event answered with the offerer's PT",
       "m=audio 4000 RTP/AVP 0 100\r\na=rtpmap:100 telephone-event/8000\r\n", Codec::kPcmu, 0, 100,
       Direction::kSendRecv, false},
      {"sendonly -> recvonly",
       "m=audio 4000 RTP/AVP 0\r\na=sendonly\r\n",
       Codec::kPcmu,
       0,
       {},
       Direction::kRecvOnly,
       true},
      {"recvonly -> sendonly",
       "m=audio 4000 RTP/AVP 0\r\na=recvonly\r\n",
       Codec::kPcmu,
       0,
       {},
       Direction::kSendOnly,
       false},
      {"inactive -> inactive",
       "m=audio 4000 RTP/AVP 0\r\na=inactive\r\n",
       Codec::kPcmu,
       0,
       {},
       Direction::kInactive,
       true},
      {"c=0.0.0.0 hold -> recvonly",
       "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\n",
       Codec::kPcmu,
       0,
       {},
       Direction::kRecvOnly,
       true},
      {"PCMU at 16 kHz is not PCMU",
       "m=audio 4000 RTP/AVP 96 8\r\na=rtpmap:96 PCMU/16000\r\n",
       Codec::kPcma,
       8,
       {},
       Direction::kSendRecv,
       false},
  };
  for (const auto& c : cases) {
    auto a = answer_offer(parse(kHead + c.media), local());
    ASSERT_TRUE(a.ok()) << c.name;
    EXPECT_EQ(a->remote.codec, c.codec) << c.name;
    EXPECT_EQ(a->remote.payload_type, c.pt) << c.name;
    EXPECT_EQ(a->remote.telephone_event_pt, c.dtmf) << c.name;
    EXPECT_EQ(a->sdp.media[0].direction, c.ours) << c.name;
    EXPECT_EQ(a->remote.hold, c.hold) << c.name;
    EXPECT_EQ(a->sdp.media[0].formats[0], std::to_string(c.pt)) << c.name;
  }
}

TEST(OfferAnswer, NoCommonCodecIsDistinctFromNoAudio) {
  auto a = answer_offer(parse(kHead + "m=audio 4000 RTP/AVP 18 97\r\na=rtpmap:97 iLBC/8000\r\n"),
                        local());
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error(), OfferAnswerError::kNoCommonCodec);
  auto v = answer_offer(parse(kHead + "m=video 4000 RTP/AVP 31\r\n"), local());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error(), OfferAnswerError::kNoAudio);
  auto rejected = answer_offer(parse(kHead + "m=audio 0 RTP/AVP 0\r\n"), local());
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error(), OfferAnswerError::kNoAudio);
  auto no_c = answer_offer(
      parse("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nm=audio 4000 RTP/AVP 0\r\n"), local());
  ASSERT_FALSE(no_c.ok());
}

TEST(OfferAnswer, ReadAnswerGivesAddressPortPtDirection) {
  auto r = read_answer(
      parse("v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP6 ::1\r\nt=0 0\r\n"
            "m=audio 30000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=recvonly\r\n"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->address.ipv6);
  EXPECT_EQ(r->address.address, "::1");
  EXPECT_EQ(r->port, 30000);
  EXPECT_EQ(r->payload_type, 8);
  EXPECT_EQ(r->telephone_event_pt, 101);
  EXPECT_EQ(r->direction, Direction::kRecvOnly);
  EXPECT_TRUE(r->we_send());
  EXPECT_FALSE(r->we_receive());
}

TEST(OfferAnswer, AnswerDirectionTable) {
  using D = Direction;
  struct Row {
    D remote, wanted, expected;
  };
  const Row rows[] = {
      {D::kSendRecv, D::kSendRecv, D::kSendRecv}, {D::kSendOnly, D::kSendRecv, D::kRecvOnly},
      {D::kRecvOnly, D::kSendRecv, D::kSendOnly}, {D::kInactive, D::kSendRecv, D::kInactive},
      {D::kSendRecv, D::kSendOnly, D::kSendOnly}, {D::kSendOnly, D::kSendOnly, D::kInactive},
      {D::kSendRecv, D::kInactive, D::kInactive}, {D::kRecvOnly, D::kRecvOnly, D::kInactive},
  };
  for (const auto& r : rows)
    EXPECT_EQ(answer_direction(r.remote, r.wanted), r.expected)
        << to_string(r.remote) << "/" << to_string(r.wanted);
}

TEST(OfferAnswer, SessionVersionGoesUpOnlyOnChange) {
  SessionVersion version;
  auto sd = make_offer(local());
  version.stamp(sd);
  EXPECT_EQ(sd.origin.session_version, 7u);
  auto same = make_offer(local());
  version.stamp(same);
  EXPECT_EQ(same.origin.session_version, 7u);  // re-INVITE with the same media
  auto held = make_offer(local());
  held.media[0].direction = Direction::kSendOnly;
  const std::string text = version.stamp(held);
  EXPECT_EQ(held.origin.session_version, 8u);
  EXPECT_NE(text.find("o=sipline 42 8 "), std::string::npos);
  auto again = make_offer(local());
  again.media[0].direction = Direction::kSendOnly;
  version.stamp(again);
  EXPECT_EQ(again.origin.session_version, 8u);
}
