#include <gtest/gtest.h>

#include <string>

#include "media/sdp.hpp"

using namespace sipline::media;

namespace {

// RFC 4317 §2.1, offer (audio and video).
const char* kRfc4317Offer =
    "v=0\r\n"
    "o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\n"
    "s=\r\n"
    "c=IN IP4 host.atlanta.example.com\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0 8 97\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:97 iLBC/8000\r\n"
    "m=video 51372 RTP/AVP 31 32\r\n"
    "a=rtpmap:31 H261/90000\r\n"
    "a=rtpmap:32 MPV/90000\r\n";

}  // namespace

TEST(Sdp, ParsesRfc4317Offer) {
  auto r = parse_sdp(kRfc4317Offer);
  ASSERT_TRUE(r.ok()) << to_string(r.error().kind) << " line " << r.error().line;
  const auto& sd = r.value();
  EXPECT_EQ(sd.origin.username, "alice");
  EXPECT_EQ(sd.origin.session_id, 2890844526u);
  EXPECT_EQ(sd.origin.session_version, 2890844526u);
  EXPECT_EQ(sd.session_name, "");
  ASSERT_TRUE(sd.connection);
  EXPECT_EQ(sd.connection->address, "host.atlanta.example.com");
  ASSERT_EQ(sd.media.size(), 2u);
  EXPECT_EQ(sd.media[0].port, 49170);
  EXPECT_EQ(sd.media[0].formats, (std::vector<std::string>{"0", "8", "97"}));
  ASSERT_EQ(sd.media[0].rtpmaps.size(), 3u);
  EXPECT_EQ(sd.media[0].rtpmaps[2].encoding, "iLBC");
  EXPECT_EQ(sd.media[1].media, "video");
  EXPECT_EQ(effective_direction(sd, sd.media[0]), Direction::kSendRecv);
}

TEST(Sdp, WriteThenParseRoundTrips) {
  auto first = parse_sdp(kRfc4317Offer);
  ASSERT_TRUE(first.ok());
  const std::string text = write_sdp(first.value());
  auto second = parse_sdp(text);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(write_sdp(second.value()), text);
}

TEST(Sdp, MediaLevelOverridesSessionLevel) {
  auto r = parse_sdp(
      "v=0\no=- 1 2 IN IP6 ::1\ns=x\nc=IN IP6 ::1\na=sendonly\nt=0 0\n"
      "m=audio 4000 RTP/AVP 0\nc=IN IP4 192.0.2.1/127\na=inactive\n"
      "m=audio 4002 RTP/AVP 8\n");
  ASSERT_TRUE(r.ok());
  const auto& sd = r.value();
  EXPECT_TRUE(sd.origin.address.ipv6);
  EXPECT_EQ(effective_connection(sd, sd.media[0])->address, "192.0.2.1");
  EXPECT_EQ(effective_direction(sd, sd.media[0]), Direction::kInactive);
  EXPECT_EQ(effective_connection(sd, sd.media[1])->address, "::1");
  EXPECT_EQ(effective_direction(sd, sd.media[1]), Direction::kSendOnly);
}

struct BadCase {
  const char* name;
  std::string body;
  SdpErrorKind kind;
  std::size_t line;
};

TEST(Sdp, BrokenInputIsAnErrorWithItsLine) {
  const std::string head = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\n";
  const BadCase cases[] = {
      {"empty", "", SdpErrorKind::kMissingVersion, 0},
      {"no v first", "o=- 1 1 IN IP4 1.2.3.4\r\n", SdpErrorKind::kMissingVersion, 1},
      {"v=1", "v=1\r\n", SdpErrorKind::kBadVersion, 1},
      {"no equals", head + "garbage\r\n", SdpErrorKind::kBadLine, 4},
      {"upper type", head + "M=audio 1 RTP/AVP 0\r\n", SdpErrorKind::kBadLine, 4},
      {"short o", "v=0\r\no=- 1 IN IP4 1.2.3.4\r\n", SdpErrorKind::kBadOrigin, 2},
      {"o version not a number", "v=0\r\no=- 1 x IN IP4 a\r\n", SdpErrorKind::kBadOrigin, 2},
      {"c net type", head + "c=XX IP4 1.2.3.4\r\n", SdpErrorKind::kBadConnection, 4},
      {"c addr type", head + "c=IN IP5 1.2.3.4\r\n", SdpErrorKind::kBadConnection, 4},
      {"m port", head + "m=audio 70000 RTP/AVP 0\r\n", SdpErrorKind::kBadMedia, 4},
      {"m no formats", head + "m=audio 4000 RTP/AVP\r\n", SdpErrorKind::kBadMedia, 4},
      {"rtpmap pt", head + "m=audio 4000 RTP/AVP 0\r\na=rtpmap:200 X/8000\r\n",
       SdpErrorKind::kBadAttribute, 5},
      {"rtpmap rate", head + "m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n",
       SdpErrorKind::kBadAttribute, 5},
      {"ptime", head + "m=audio 4000 RTP/AVP 0\r\na=ptime:0\r\n", SdpErrorKind::kBadAttribute, 5},
      {"no o", "v=0\r\ns=-\r\n", SdpErrorKind::kMissingOrigin, 0},
      {"no s", "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n", SdpErrorKind::kMissingSessionName, 0},
  };
  for (const auto& c : cases) {
    auto r = parse_sdp(c.body);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().kind, c.kind) << c.name << ": " << to_string(r.error().kind);
    EXPECT_EQ(r.error().line, c.line) << c.name;
  }
}

TEST(Sdp, ErrorOffsetPointsAtTheLine) {
  const std::string body = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nbad\r\n";
  auto r = parse_sdp(body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, body.find("bad"));
}

TEST(Sdp, LimitsAreEnforced) {
  const std::string head = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\n";
  SdpLimits limits;
  limits.max_bytes = 100;
  EXPECT_EQ(parse_sdp(head + std::string(100, 'x'), limits).error().kind, SdpErrorKind::kTooLarge);

  limits = {};
  limits.max_lines = 5;
  std::string many = head;
  for (int i = 0; i < 3; ++i) many += "a=x\r\n";
  auto r = parse_sdp(many, limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, SdpErrorKind::kTooManyLines);
  EXPECT_EQ(r.error().line, 6u);

  limits = {};
  limits.max_media = 2;
  std::string media = head;
  for (int i = 0; i < 3; ++i) media += "m=audio 4000 RTP/AVP 0\r\n";
  EXPECT_EQ(parse_sdp(media, limits).error().kind, SdpErrorKind::kTooManyMedia);

  limits = {};
  limits.max_formats = 3;
  EXPECT_TRUE(parse_sdp(head + "m=audio 4000 RTP/AVP 0 8 101\r\n", limits).ok());
  EXPECT_EQ(parse_sdp(head + "m=audio 4000 RTP/AVP 0 8 101 102\r\n", limits).error().kind,
            SdpErrorKind::kTooManyFormats);
}

TEST(Sdp, BareLineFeedsAndBlankLinesAreTolerated) {
  auto r = parse_sdp("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\n\nm=audio 4000 RTP/AVP 0\n\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().media.size(), 1u);
}
