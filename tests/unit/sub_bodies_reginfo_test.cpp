// RFC 3680 reginfo parsing, RegInfoView and SIP URI comparison.
#include <gtest/gtest.h>

#include <string>

#include "usage/sub/bodies/reginfo.hpp"

namespace sipline::usage::sub::bodies {
namespace {

// RFC 3680 §6 example: the full state, then a partial with a new contact.
const char* kRfcFull = R"(<?xml version="1.0"?>
<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full">
  <registration aor="sip:user@example.com" id="as9" state="active">
    <contact id="76" state="active" event="registered" duration-registered="7322"
             q="0.8" expires="3600">
      <uri>sip:user@pc887.example.com</uri>
    </contact>
    <contact id="77" state="terminated" event="expired" duration-registered="3600"
             q="0.5">
      <uri>sip:user@university.edu</uri>
    </contact>
  </registration>
</reginfo>)";

const char* kRfcPartial = R"(<?xml version="1.0"?>
<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="partial">
  <registration aor="sip:user@example.com" id="as9" state="active">
    <contact id="78" state="active" event="created" duration-registered="0" expires="1800">
      <uri>sip:user@university.edu</uri>
    </contact>
  </registration>
</reginfo>)";

TEST(RegInfo, RfcExamples) {
  const auto full = parse_reginfo(kRfcFull);
  ASSERT_TRUE(full.ok()) << full.error().reason;
  EXPECT_TRUE(full->full);
  ASSERT_EQ(full->registrations.size(), 1u);
  const auto& reg = full->registrations[0];
  EXPECT_EQ(reg.aor, "sip:user@example.com");
  EXPECT_EQ(reg.state, RegState::kActive);
  ASSERT_EQ(reg.contacts.size(), 2u);
  EXPECT_EQ(reg.contacts[0].expires, 3600u);
  EXPECT_EQ(reg.contacts[1].state, ContactState::kTerminated);
  EXPECT_EQ(reg.contacts[1].event, ContactEvent::kExpired);
  EXPECT_FALSE(reg.contacts[1].expires.has_value());

  RegInfoView view;
  EXPECT_EQ(view.apply(*full), Applied::kApplied);
  auto s = view.query("sip:user@example.com", "sip:user@university.edu");
  EXPECT_EQ(s.kind, ContactStatus::Kind::kTerminated);
  EXPECT_EQ(s.event, ContactEvent::kExpired);
  s = view.query("<sip:user@EXAMPLE.com>", "sip:user@pc887.example.com");
  EXPECT_EQ(s.kind, ContactStatus::Kind::kActive);
  EXPECT_EQ(s.expires, 3600u);

  const auto partial = parse_reginfo(kRfcPartial);
  ASSERT_TRUE(partial.ok()) << partial.error().reason;
  EXPECT_EQ(view.apply(*partial), Applied::kApplied);
  s = view.query("sip:user@example.com", "sip:user@university.edu");
  EXPECT_EQ(s.kind, ContactStatus::Kind::kActive);
  EXPECT_EQ(s.event, ContactEvent::kCreated);
  EXPECT_EQ(s.expires, 1800u);
  EXPECT_EQ(view.apply(*partial), Applied::kStale);
  EXPECT_EQ(view.query("sip:other@example.com", "sip:user@university.edu").kind,
            ContactStatus::Kind::kUnknown);
}

std::string reg(unsigned v, const char* state, const std::string& contacts) {
  return "<reginfo version=\"" + std::to_string(v) + "\" state=\"" + state +
         "\"><registration aor=\"sip:a@x\" id=\"r1\" state=\"active\">" + contacts +
         "</registration></reginfo>";
}

TEST(RegInfo, ViewOrderingAndUnregister) {
  RegInfoView view;
  const auto c = [](const char* state, const char* event, const char* uri) {
    return std::string("<contact id=\"c1\" state=\"") + state + "\" event=\"" + event +
           "\" expires=\"60\"><uri>" + uri + "</uri></contact>";
  };
  EXPECT_EQ(view.apply(*parse_reginfo(reg(5, "partial", ""))), Applied::kNeedFull);
  EXPECT_EQ(view.apply(*parse_reginfo(
                reg(5, "full", c("active", "registered", "sip:a@1.2.3.4:5070;transport=udp;ob")))),
            Applied::kApplied);
  // Parameter order and case do not matter; a missing transport does.
  EXPECT_EQ(view.query("sip:a@x", "sip:a@1.2.3.4:5070;OB;Transport=UDP").kind,
            ContactStatus::Kind::kActive);
  EXPECT_EQ(view.query("sip:a@x", "sip:a@1.2.3.4:5070").kind, ContactStatus::Kind::kUnknown);
  EXPECT_EQ(view.apply(*parse_reginfo(reg(7, "partial", ""))), Applied::kNeedFull);
  EXPECT_EQ(
      view.apply(*parse_reginfo(
          reg(6, "partial", c("terminated", "unregistered", "sip:a@1.2.3.4:5070;transport=udp")))),
      Applied::kApplied);
  const auto s = view.query("sip:a@x", "sip:a@1.2.3.4:5070;transport=udp");
  EXPECT_EQ(s.kind, ContactStatus::Kind::kTerminated);
  EXPECT_EQ(s.event, ContactEvent::kUnregistered);
}

TEST(RegInfo, BrokenBodies) {
  const std::pair<std::string, const char*> cases[] = {
      {"<reginfo version=\"0\" state=\"full\"><registration", "malformed XML"},
      {"<dialog-info/>", "root element"},
      {"<reginfo state=\"full\"/>", "version"},
      {"<reginfo version=\"0\" state=\"both\"/>", "neither full"},
      {"<reginfo version=\"0\" state=\"full\"><registration id=\"r\" state=\"active\"/>"
       "</reginfo>",
       "aor/id"},
      {"<reginfo version=\"0\" state=\"full\"><registration aor=\"sip:a@x\" id=\"r\" "
       "state=\"gone\"/></reginfo>",
       "bad state"},
      {reg(0, "full", "<contact state=\"active\" event=\"created\"><uri>sip:a@y</uri></contact>"),
       "contact without id"},
      {reg(0, "full",
           "<contact id=\"1\" state=\"on\" event=\"created\"><uri>sip:a@y</uri>"
           "</contact>"),
       "bad state"},
      {reg(0, "full",
           "<contact id=\"1\" state=\"active\" event=\"born\"><uri>sip:a@y</uri>"
           "</contact>"),
       "bad event"},
      {reg(0, "full",
           "<contact id=\"1\" state=\"active\" event=\"created\" expires=\"x\">"
           "<uri>sip:a@y</uri></contact>"),
       "bad expires"},
      {reg(0, "full", "<contact id=\"1\" state=\"active\" event=\"created\"/>"), "without <uri>"},
  };
  for (const auto& [body, reason] : cases) {
    SCOPED_TRACE(body);
    const auto r = parse_reginfo(body);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().reason.find(reason), std::string::npos) << r.error().reason;
  }
}

TEST(SipUriEqual, Table) {
  const std::tuple<const char*, const char*, bool> cases[] = {
      {"sip:alice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp", true},
      {"SIP:alice@atlanta.com", "sip:alice@atlanta.com", true},
      {"sip:ALICE@atlanta.com", "sip:alice@atlanta.com", false},
      {"sip:alice@atlanta.com", "sip:alice@atlanta.com:5060", false},
      {"sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on", true},
      {"sip:carol@chicago.com;security=off", "sip:carol@chicago.com;security=on", false},
      {"sip:bob@biloxi.com;a=1;b=2", "<sip:bob@biloxi.com;b=2;a=1>", true},
      {"sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp", false},
      {"sip:bob@biloxi.com", "sips:bob@biloxi.com", false},
      {"sip:bob@biloxi.com?subject=x", "sip:bob@biloxi.com", false},
      // A name given twice (found by fuzz_reginfo: the URI was not equal to itself).
      {"sip:a;transport=tcp;transport=udp", "sip:a;transport=tcp;transport=udp", true},
      {"sip:a;transport=tcp;transport=udp", "sip:a;transport=udp", false},
  };
  for (const auto& [a, b, want] : cases) {
    EXPECT_EQ(sip_uri_equal(a, b), want) << a << " vs " << b;
    EXPECT_EQ(sip_uri_equal(b, a), want) << b << " vs " << a;
  }
}

}  // namespace
}  // namespace sipline::usage::sub::bodies
