// RFC 4235 dialog-info parsing and BlfView (version-ordered full/partial documents).
#include <gtest/gtest.h>

#include <string>

#include "usage/sub/bodies/dialog_info.hpp"

namespace sipline::usage::sub::bodies {
namespace {

// RFC 4235 §4.1 (first NOTIFY, trying) and §4.2-style confirmed dialog with identities.
const char* kRfcTrying = R"(<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info"
             version="0" state="full" entity="sip:alice@example.com">
  <dialog id="as7d900as8" call-id="a84b4c76e66710" local-tag="1928301774"
          direction="initiator">
    <state>trying</state>
  </dialog>
</dialog-info>)";

const char* kRfcConfirmed = R"(<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info"
             version="1" state="full" entity="sip:alice@example.com">
  <dialog id="as7d900as8" call-id="a84b4c76e66710" local-tag="1928301774"
          remote-tag="456887766" direction="initiator">
    <state>confirmed</state>
    <duration>274</duration>
    <local>
      <identity display="Alice">sip:alice@example.com</identity>
      <target uri="sip:alice@pc33.example.com">
        <param pname="+sip.rendering" pval="yes"/>
      </target>
    </local>
    <remote>
      <identity display="Bob">sip:bob@example.org</identity>
      <target uri="sip:bobster@phone21.example.org"/>
    </remote>
  </dialog>
</dialog-info>)";

std::string doc(unsigned version, const char* state, const std::string& dialogs) {
  return "<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"" +
         std::to_string(version) + "\" state=\"" + state + "\" entity=\"sip:200@x\">" + dialogs +
         "</dialog-info>";
}
std::string dlg(const char* id, const char* state, const char* remote = "sip:bob@x") {
  return std::string("<dialog id=\"") + id + "\" direction=\"recipient\"><state>" + state +
         "</state><remote><identity display=\"Bob\">" + remote + "</identity></remote></dialog>";
}

TEST(DialogInfo, RfcExamples) {
  auto a = parse_dialog_info(kRfcTrying);
  ASSERT_TRUE(a.ok()) << a.error().reason;
  EXPECT_EQ(a->version, 0u);
  EXPECT_TRUE(a->full);
  EXPECT_EQ(a->entity, "sip:alice@example.com");
  ASSERT_EQ(a->dialogs.size(), 1u);
  EXPECT_EQ(a->dialogs[0].id, "as7d900as8");
  EXPECT_EQ(a->dialogs[0].state, DialogState::kTrying);
  EXPECT_EQ(a->dialogs[0].direction, DialogDirection::kInitiator);

  auto b = parse_dialog_info(kRfcConfirmed);
  ASSERT_TRUE(b.ok()) << b.error().reason;
  ASSERT_EQ(b->dialogs.size(), 1u);
  EXPECT_EQ(b->dialogs[0].state, DialogState::kConfirmed);
  EXPECT_EQ(b->dialogs[0].remote, (Party{"sip:bob@example.org", "Bob"}));
  EXPECT_EQ(b->dialogs[0].local, (Party{"sip:alice@example.com", "Alice"}));
}

TEST(DialogInfo, BrokenBodies) {
  const std::pair<std::string, const char*> cases[] = {
      {"", "malformed XML"},
      {"<dialog-info version=\"1\" state=\"full\" entity=\"sip:a@x\">", "malformed XML"},
      {"<reginfo version=\"0\" state=\"full\"/>", "root element"},
      {"<dialog-info state=\"full\" entity=\"sip:a@x\"/>", "version"},
      {"<dialog-info version=\"-1\" state=\"full\" entity=\"sip:a@x\"/>", "version"},
      {"<dialog-info version=\"1\" state=\"half\" entity=\"sip:a@x\"/>", "neither full"},
      {"<dialog-info version=\"1\" state=\"full\"/>", "entity"},
      {doc(1, "full", "<dialog><state>early</state></dialog>"), "without id"},
      {doc(1, "full", "<dialog id=\"a\"/>"), "without <state>"},
      {doc(1, "full", "<dialog id=\"a\"><state>ringing</state></dialog>"), "unknown state"},
      {doc(1, "full", "<dialog id=\"a\" direction=\"up\"><state>early</state></dialog>"),
       "bad direction"},
  };
  for (const auto& [body, reason] : cases) {
    SCOPED_TRACE(body);
    const auto r = parse_dialog_info(body);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().reason.find(reason), std::string::npos) << r.error().reason;
  }
}

// Custom and external entities from a DOCTYPE are never expanded (parse_doctype off): pugixml
// keeps the unknown reference as literal text.
TEST(DialogInfo, EntitiesAreNotExpanded) {
  const std::string body =
      "<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\"><!ENTITY y \"boom\">]>" +
      doc(1, "full",
          "<dialog id=\"a\"><state>early</state><remote><identity>&x;&y;&amp;"
          "</identity></remote></dialog>");
  const auto r = parse_dialog_info(body);
  ASSERT_TRUE(r.ok()) << r.error().reason;
  ASSERT_EQ(r->dialogs.size(), 1u);
  EXPECT_EQ(r->dialogs[0].remote.uri, "&x;&y;&");
}

TEST(DialogInfo, ElementLimit) {
  std::string many;
  for (int i = 0; i < 50; ++i) many += dlg(("d" + std::to_string(i)).c_str(), "early");
  BodyLimits limits;
  limits.max_elements = 100;
  const auto r = parse_dialog_info(doc(1, "full", many), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, "too many XML elements");
  EXPECT_TRUE(parse_dialog_info(doc(1, "full", many)).ok());
  limits.max_body_bytes = 10;
  EXPECT_FALSE(parse_dialog_info(kRfcTrying, limits).ok());
}

struct BlfStep {
  std::string body;
  Applied applied;
  BlfState state;
  const char* remote;
};

TEST(BlfView, Sequence) {
  const BlfStep steps[] = {
      {doc(3, "partial", dlg("a", "early")), Applied::kNeedFull, BlfState::kIdle, ""},
      {doc(0, "full", ""), Applied::kApplied, BlfState::kIdle, ""},
      {doc(1, "partial", dlg("a", "early", "sip:carol@x")), Applied::kApplied, BlfState::kRinging,
       "sip:carol@x"},
      {doc(1, "partial", dlg("a", "terminated")), Applied::kStale, BlfState::kRinging,
       "sip:carol@x"},
      {doc(2, "partial", dlg("a", "confirmed", "sip:carol@x")), Applied::kApplied, BlfState::kBusy,
       "sip:carol@x"},
      {doc(3, "partial", dlg("b", "early", "sip:dave@x")), Applied::kApplied, BlfState::kRinging,
       "sip:dave@x"},
      {doc(4, "partial", dlg("b", "terminated")), Applied::kApplied, BlfState::kBusy,
       "sip:carol@x"},
      {doc(6, "partial", dlg("a", "terminated")), Applied::kNeedFull, BlfState::kBusy,
       "sip:carol@x"},
      {doc(7, "full", dlg("a", "terminated")), Applied::kApplied, BlfState::kIdle, ""},
      {doc(8, "full", dlg("c", "proceeding", "sip:eve@x")), Applied::kApplied, BlfState::kBusy,
       "sip:eve@x"},
  };
  BlfView view;
  int i = 0;
  for (const auto& s : steps) {
    SCOPED_TRACE(i++);
    const auto d = parse_dialog_info(s.body);
    ASSERT_TRUE(d.ok()) << d.error().reason;
    EXPECT_EQ(view.apply(*d), s.applied);
    EXPECT_EQ(view.state(), s.state);
    EXPECT_EQ(view.remote().uri, s.remote);
  }
  view.reset();
  EXPECT_EQ(view.state(), BlfState::kIdle);
  EXPECT_FALSE(view.version().has_value());
}

}  // namespace
}  // namespace sipline::usage::sub::bodies
