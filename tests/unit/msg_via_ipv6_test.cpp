// Via received with a bare IPv6 address, as Kamailio sends it over IPv6 (RFC 3261 §20.42:
// via-received = "received" EQUAL (IPv4address / IPv6address)).
#include <gtest/gtest.h>

#include "msg/values.hpp"

namespace sipline::msg {
namespace {

TEST(ViaReceived, BareIpv6AddressIsAccepted) {
  for (std::string_view received : {"::1", "2001:db8::9", "::ffff:192.0.2.1", "192.0.2.1"}) {
    const std::string text =
        "SIP/2.0/UDP [::1]:5060;rport=5060;received=" + std::string(received) + ";branch=z9hG4bKa";
    auto via = parse_via(text);
    ASSERT_TRUE(via.ok()) << text;
    EXPECT_EQ(via->received(), received);
    EXPECT_EQ(via->branch(), "z9hG4bKa");
    EXPECT_EQ(via->rport(), std::optional<std::uint16_t>{5060});
  }
}

}  // namespace
}  // namespace sipline::msg
