// Dialog creation from a 2xx and from an early NOTIFY, matching, CSeq rules, target refresh and
// in-dialog request fields (loose and strict routing); table driven.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dialog/dialog.hpp"
#include "msg_test_util.hpp"

using namespace sipline;
using dialog::Dialog;
using dialog::DialogError;
using msg::testing::crlf;

namespace {

const dialog::LocalSide kLocal{
    "call-1@h", "sip:1001@example.com", "ltag", "sip:1001@example.com", "Alice", 7};

msg::Message parse(const std::string& text) {
  auto r = msg::Message::parse(crlf(text));
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? std::move(r).value() : msg::Message();
}

// A 200 to our SUBSCRIBE with the given extra header lines.
msg::Message ok_response(const std::string& extra, const std::string& to_tag = ";tag=rtag",
                         const std::string& call_id = "call-1@h") {
  return parse(
      "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\n"
      "From: \"Alice\" <sip:1001@example.com>;tag=ltag\n"
      "To: <sip:1001@example.com>" +
      to_tag + "\nCall-ID: " + call_id + "\nCSeq: 7 SUBSCRIBE\n" + extra + "Content-Length: 0\n\n");
}

// A NOTIFY from the notifier inside our dialog.
msg::Message notify(const std::string& extra, std::uint32_t cseq = 1,
                    const std::string& from_tag = ";tag=rtag",
                    const std::string& to_tag = ";tag=ltag") {
  return parse(
      "NOTIFY sip:1001@127.0.0.1:5060 SIP/2.0\n"
      "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK2\n"
      "From: <sip:1001@example.com>" +
      from_tag +
      "\n"
      "To: <sip:1001@example.com>" +
      to_tag + "\nCall-ID: call-1@h\nCSeq: " + std::to_string(cseq) +
      " NOTIFY\nEvent: message-summary\n" + extra + "Content-Length: 0\n\n");
}

}  // namespace

TEST(Dialog, FromResponse) {
  struct Row {
    std::string extra;
    std::string to_tag;
    std::string call_id;
    std::optional<DialogError> error;
    std::string target;
    std::vector<std::string> routes;
  };
  const std::vector<Row> rows = {
      {"Contact: <sip:n@10.0.0.1:5070>\n", ";tag=rtag", "call-1@h", {}, "sip:n@10.0.0.1:5070", {}},
      {"Record-Route: <sip:p1;lr>, <sip:p2;lr>\nRecord-Route: <sip:p3;lr>\n"
       "Contact: <sip:n@10.0.0.1>\n",
       ";tag=rtag",
       "call-1@h",
       {},
       "sip:n@10.0.0.1",
       {"<sip:p3;lr>", "<sip:p2;lr>", "<sip:p1;lr>"}},
      {"Contact: <sip:n@10.0.0.1>\n", "", "call-1@h", DialogError::kNoRemoteTag, "", {}},
      {"", ";tag=rtag", "call-1@h", DialogError::kNoContact, "", {}},
      {"Contact: *\n", ";tag=rtag", "call-1@h", DialogError::kNoContact, "", {}},
      {"Contact: <sip:a@h>, <sip:b@h>\n", ";tag=rtag", "call-1@h", DialogError::kNoContact, "", {}},
      {"Contact: <sip:n@10.0.0.1>\n", ";tag=rtag", "other@h", DialogError::kMismatch, "", {}},
      {"Record-Route: <sip:p1;lr\nContact: <sip:n@10.0.0.1>\n",
       ";tag=rtag",
       "call-1@h",
       DialogError::kBadRecordRoute,
       "",
       {}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.extra);
    auto d = Dialog::from_response(kLocal, ok_response(row.extra, row.to_tag, row.call_id));
    ASSERT_EQ(d.ok(), !row.error.has_value());
    if (row.error) {
      EXPECT_EQ(d.error(), *row.error) << dialog::describe(d.error());
      continue;
    }
    EXPECT_EQ(d.value().id(), (dialog::DialogId{"call-1@h", "ltag", "rtag"}));
    EXPECT_EQ(d.value().remote_target(), row.target);
    EXPECT_EQ(d.value().route_set(), row.routes);
    EXPECT_EQ(d.value().local_cseq(), 7u);
    EXPECT_FALSE(d.value().remote_cseq().has_value());
  }
}

TEST(Dialog, FromEarlyNotifyKeepsRecordRouteOrderAndRemoteCSeq) {
  auto d =
      Dialog::from_request(kLocal, notify("Record-Route: <sip:p1;lr>\nRecord-Route: <sip:p2;lr>\n"
                                          "Contact: <sip:n@10.0.0.1>\n",
                                          4));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.value().id(), (dialog::DialogId{"call-1@h", "ltag", "rtag"}));
  EXPECT_EQ(d.value().route_set(), (std::vector<std::string>{"<sip:p1;lr>", "<sip:p2;lr>"}));
  EXPECT_EQ(d.value().remote_cseq(), std::optional<std::uint32_t>(4));

  struct Row {
    std::string from_tag, to_tag, extra;
    DialogError error;
  };
  const std::vector<Row> bad = {
      {"", ";tag=ltag", "Contact: <sip:n@h>\n", DialogError::kNoRemoteTag},
      {";tag=rtag", ";tag=other", "Contact: <sip:n@h>\n", DialogError::kMismatch},
      {";tag=rtag", "", "Contact: <sip:n@h>\n", DialogError::kMismatch},
      {";tag=rtag", ";tag=ltag", "", DialogError::kNoContact},
  };
  for (const Row& row : bad) {
    auto e = Dialog::from_request(kLocal, notify(row.extra, 1, row.from_tag, row.to_tag));
    ASSERT_FALSE(e.ok()) << row.from_tag << row.to_tag << row.extra;
    EXPECT_EQ(e.error(), row.error);
  }
}

TEST(Dialog, MatchesOnCallIdAndBothTags) {
  auto d = Dialog::from_response(kLocal, ok_response("Contact: <sip:n@h>\n"));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d.value().matches(notify("")));
  EXPECT_FALSE(d.value().matches(notify("", 1, ";tag=x")));
  EXPECT_FALSE(d.value().matches(notify("", 1, ";tag=rtag", ";tag=x")));
  EXPECT_FALSE(d.value().matches(notify("", 1, ";tag=rtag", "")));
  auto id = dialog::incoming_id(notify("", 1, "", ""));
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, (dialog::DialogId{"call-1@h", "", ""}));
}

TEST(Dialog, RemoteCSeqMustIncrease) {
  auto d = Dialog::from_request(kLocal, notify("Contact: <sip:n@h>\n", 5));
  ASSERT_TRUE(d.ok());
  Dialog dlg = std::move(d).value();
  struct Row {
    std::uint32_t cseq;
    bool accepted;
    std::uint32_t after;
  };
  for (const Row& row :
       std::vector<Row>{{5, false, 5}, {4, false, 5}, {6, true, 6}, {9, true, 9}, {7, false, 9}}) {
    EXPECT_EQ(dlg.accept_remote_cseq(row.cseq), row.accepted) << row.cseq;
    EXPECT_EQ(dlg.remote_cseq(), std::optional<std::uint32_t>(row.after));
  }
  // A dialog from a 2xx has no remote CSeq yet: the first one is taken as is.
  auto fresh = Dialog::from_response(kLocal, ok_response("Contact: <sip:n@h>\n"));
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(fresh.value().accept_remote_cseq(1));
}

TEST(Dialog, TargetRefreshTakesContactKeepsRoutes) {
  auto d = Dialog::from_response(kLocal, ok_response("Record-Route: <sip:p1;lr>\n"
                                                     "Contact: <sip:n@10.0.0.1>\n"));
  ASSERT_TRUE(d.ok());
  Dialog dlg = std::move(d).value();
  EXPECT_EQ(dlg.refresh_target(notify("Record-Route: <sip:other;lr>\n")), std::nullopt);
  EXPECT_EQ(dlg.remote_target(), "sip:n@10.0.0.1");
  EXPECT_EQ(dlg.refresh_target(notify("Contact: <sip:n@10.0.0.2:5080>\n")), std::nullopt);
  EXPECT_EQ(dlg.remote_target(), "sip:n@10.0.0.2:5080");
  EXPECT_EQ(dlg.refresh_target(notify("Contact: *\n")), DialogError::kNoContact);
  EXPECT_EQ(dlg.remote_target(), "sip:n@10.0.0.2:5080");
  EXPECT_EQ(dlg.route_set(), (std::vector<std::string>{"<sip:p1;lr>"}));
}

TEST(Dialog, NextRequestLooseAndStrictRouting) {
  struct Row {
    std::string record_route;
    std::string request_uri;
    std::vector<std::string> routes;
    std::string next_hop;
  };
  const std::vector<Row> rows = {
      {"", "sip:n@10.0.0.1", {}, "sip:n@10.0.0.1"},
      {"Record-Route: <sip:p2;lr>, <sip:p1;lr>\n",
       "sip:n@10.0.0.1",
       {"<sip:p1;lr>", "<sip:p2;lr>"},
       "sip:p1;lr"},
      {"Record-Route: <sip:p2;lr>, <sip:p1>\n",
       "sip:p1",
       {"<sip:p2;lr>", "<sip:n@10.0.0.1>"},
       "sip:p1"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.record_route);
    auto d = Dialog::from_response(kLocal,
                                   ok_response(row.record_route + "Contact: <sip:n@10.0.0.1>\n"));
    ASSERT_TRUE(d.ok());
    Dialog dlg = std::move(d).value();
    const dialog::InDialogRequest r = dlg.next_request();
    EXPECT_EQ(r.request_uri, row.request_uri);
    EXPECT_EQ(r.routes, row.routes);
    EXPECT_EQ(r.next_hop, row.next_hop);
    EXPECT_EQ(r.call_id, "call-1@h");
    EXPECT_EQ(r.from, "\"Alice\" <sip:1001@example.com>;tag=ltag");
    EXPECT_EQ(r.to, "<sip:1001@example.com>;tag=rtag");
    EXPECT_EQ(r.cseq, 8u);
    EXPECT_EQ(dlg.next_request().cseq, 9u);
    EXPECT_EQ(dlg.local_cseq(), 9u);
  }
}
