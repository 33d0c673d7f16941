// INVITE dialogs: the UAS side made from an INVITE, the ACK fields for a 2xx, and the UAS core's
// 2xx retransmission schedule (RFC 3261 §13.3.1.4) on a virtual clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/timers.hpp"
#include "dialog/dialog.hpp"
#include "dialog/success_retransmit.hpp"
#include "msg_test_util.hpp"

using namespace sipline;
using namespace std::chrono_literals;
using dialog::Dialog;
using dialog::DialogError;
using msg::testing::crlf;
using ::testing::ElementsAre;

namespace {

msg::Message invite(const std::string& extra, const std::string& from_tag = ";tag=caller") {
  auto r = msg::Message::parse(
      crlf("INVITE sip:1001@10.0.0.5:5060 SIP/2.0\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK9\n"
           "From: \"Bob\" <sip:1002@example.com>" +
           from_tag + "\nTo: \"Alice\" <sip:1001@example.com>\nCall-ID: c9@h\nCSeq: 42 INVITE\n" +
           extra + "Content-Length: 0\n\n"));
  EXPECT_TRUE(r.ok());
  return r.ok() ? std::move(r).value() : msg::Message();
}

}  // namespace

TEST(DialogInvite, FromIncomingKeepsTheRouteSetInOrderAndAnswersWithOurTag) {
  const auto d = Dialog::from_incoming(
      invite("Contact: <sip:1002@10.0.0.9:5062>\nRecord-Route: <sip:p1;lr>, <sip:p2;lr>\n"),
      "ourtag", 100);
  ASSERT_TRUE(d.ok());
  Dialog dlg = d.value();
  EXPECT_EQ(dlg.id(), (dialog::DialogId{"c9@h", "ourtag", "caller"}));
  EXPECT_EQ(dlg.remote_target(), "sip:1002@10.0.0.9:5062");
  EXPECT_THAT(dlg.route_set(), ElementsAre("<sip:p1;lr>", "<sip:p2;lr>"));
  EXPECT_EQ(dlg.remote_cseq(), 42u);
  EXPECT_FALSE(dlg.accept_remote_cseq(42));  // a request with the same CSeq again: 500
  const dialog::InDialogRequest bye = dlg.next_request();
  EXPECT_EQ(bye.cseq, 101u);
  EXPECT_EQ(bye.request_uri, "sip:1002@10.0.0.9:5062");
  EXPECT_EQ(bye.from, "\"Alice\" <sip:1001@example.com>;tag=ourtag");
  EXPECT_EQ(bye.to, "\"Bob\" <sip:1002@example.com>;tag=caller");
  EXPECT_THAT(bye.routes, ElementsAre("<sip:p1;lr>", "<sip:p2;lr>"));
  EXPECT_EQ(bye.next_hop, "sip:p1;lr");
}

TEST(DialogInvite, FromIncomingRejects) {
  struct Row {
    std::string extra;
    std::string from_tag;
    DialogError error;
  };
  for (const Row& r : {Row{"", ";tag=caller", DialogError::kNoContact},
                       Row{"Contact: <sip:a@h>\n", "", DialogError::kNoRemoteTag},
                       Row{"Contact: *\n", ";tag=caller", DialogError::kNoContact},
                       Row{"Contact: <sip:a@h>\nRecord-Route: <bad\n", ";tag=caller",
                           DialogError::kBadRecordRoute}}) {
    const auto d = Dialog::from_incoming(invite(r.extra, r.from_tag), "t");
    ASSERT_FALSE(d.ok()) << r.extra;
    EXPECT_EQ(d.error(), r.error) << r.extra;
  }
}

TEST(DialogInvite, AckForASuccessUsesTheInviteCSeqAndConsumesNothing) {
  auto d = Dialog::from_incoming(invite("Contact: <sip:1002@10.0.0.9>\n"), "ourtag", 7);
  ASSERT_TRUE(d.ok());
  Dialog dlg = d.value();
  const dialog::InDialogRequest ack = dlg.ack_request(7);
  EXPECT_EQ(ack.cseq, 7u);
  EXPECT_EQ(ack.request_uri, "sip:1002@10.0.0.9");
  EXPECT_EQ(dlg.next_request().cseq, 8u);
}

TEST(SuccessRetransmitter, T1DoublingToT2UntilNoAckAt64T1) {
  base::VirtualTimers timers;
  const base::TimePoint t0 = timers.now();
  std::vector<std::int64_t> resends;
  std::vector<std::int64_t> gave_up;
  const auto ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(timers.now() - t0).count();
  };
  dialog::SuccessRetransmitter r(timers);
  r.start(
      500ms, 4000ms, [&] { resends.push_back(ms()); }, [&] { gave_up.push_back(ms()); });
  timers.advance(60s);
  EXPECT_THAT(resends,
              ElementsAre(500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500));
  EXPECT_THAT(gave_up, ElementsAre(32000));
  EXPECT_FALSE(r.active());
}

TEST(SuccessRetransmitter, TheAckStopsEverything) {
  base::VirtualTimers timers;
  int resends = 0;
  int gave_up = 0;
  dialog::SuccessRetransmitter r(timers);
  r.start(
      500ms, 4000ms, [&] { ++resends; }, [&] { ++gave_up; });
  timers.advance(2s);
  r.stop();
  timers.advance(60s);
  EXPECT_EQ(resends, 2);
  EXPECT_EQ(gave_up, 0);
  EXPECT_EQ(timers.pending(), 0u);
}
