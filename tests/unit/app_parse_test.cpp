// sipline::parse_files: JSON and text of the example messages, malformed and unreadable files.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sipline/engine.hpp"
#include "temp_file.hpp"

namespace sipline {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

std::string example(const std::string& name) {
  return std::string(SIPLINE_SOURCE_DIR) + "/examples/messages/" + name;
}

std::string write_temp(const std::string& name, const std::string& bytes) {
  return sipline_test::unique_temp_file("app_parse_" + name, bytes);
}

struct Output {
  int rc = 0;
  std::string out, err;
};
Output run(const std::vector<std::string>& files, bool json) {
  std::ostringstream out, err;
  Output o;
  o.rc = parse_files(files, json, out, err);
  o.out = out.str();
  o.err = err.str();
  return o;
}

const Json& header(const Json& msg, const std::string& canonical, int nth = 0) {
  for (const auto& h : msg["headers"]) {
    if (h["canonical"] == canonical && nth-- == 0) return h;
  }
  static const Json none;
  ADD_FAILURE() << "no header " << canonical;
  return none;
}

TEST(AppParse, EveryExampleParsesToJson) {
  std::vector<std::string> files;
  for (const auto& e :
       fs::directory_iterator(std::string(SIPLINE_SOURCE_DIR) + "/examples/messages")) {
    if (e.path().extension() == ".sip") files.push_back(e.path().string());
  }
  ASSERT_GE(files.size(), 2u);
  Output o = run(files, true);
  EXPECT_EQ(o.rc, 0) << o.out;
  Json all = Json::parse(o.out);
  ASSERT_TRUE(all.is_array());
  ASSERT_EQ(all.size(), files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(all[i]["file"], files[i]);
    EXPECT_EQ(all[i]["ok"], true) << files[i];
    EXPECT_FALSE(all[i]["headers"].empty()) << files[i];
  }
}

TEST(AppParse, OneFileIsOneObjectWithTypedHeaders) {
  Output o = run({example("200_register_contacts.sip")}, true);
  ASSERT_EQ(o.rc, 0);
  Json m = Json::parse(o.out);
  ASSERT_TRUE(m.is_object());
  EXPECT_EQ(m["type"], "response");
  EXPECT_EQ(m["status_code"], 200);
  EXPECT_EQ(m["reason"], "OK");
  EXPECT_EQ(m["start_line"], "SIP/2.0 200 OK");
  const Json& via = header(m, "Via")["parsed"][0];
  EXPECT_EQ(via["transport"], "UDP");
  EXPECT_EQ(via["port"], 5060);
  EXPECT_EQ(via["rport"], 5060);
  EXPECT_EQ(via["received"], "192.0.2.10");
  const Json& contacts = header(m, "Contact")["parsed"];
  ASSERT_EQ(contacts.size(), 2u);
  EXPECT_EQ(contacts[0]["expires"], 3600);
  EXPECT_EQ(contacts[0]["instance"], "<urn:uuid:00000000-0000-1000-8000-00a0de4f2c11>");
  EXPECT_EQ(contacts[1]["uri"]["port"], 5072);
  EXPECT_EQ(header(m, "Contact", 1)["parsed"][0]["uri"]["host"], "[2001:db8::10]");
  EXPECT_EQ(header(m, "From")["parsed"]["tag"], "8d2ab09c41");
  EXPECT_EQ(header(m, "From")["parsed"]["display_name"], "Front door");
  EXPECT_EQ(header(m, "CSeq")["parsed"]["method"], "REGISTER");
  EXPECT_EQ(header(m, "Content-Length")["parsed"], 0);
  EXPECT_EQ(header(m, "Supported")["parsed"], Json::parse(R"(["path","outbound"])"));
  EXPECT_FALSE(header(m, "Call-ID").contains("parsed"));
  EXPECT_EQ(m["body_length"], 0);
}

TEST(AppParse, RequestsAuthEventAndBodies) {
  Json invite = Json::parse(run({example("invite_sdp.sip")}, true).out);
  EXPECT_EQ(invite["type"], "request");
  EXPECT_EQ(invite["method"], "INVITE");
  EXPECT_GT(invite["body_length"].get<int>(), 0);
  EXPECT_EQ(header(invite, "Record-Route")["parsed"][0]["uri"]["params"]["lr"], true);
  EXPECT_EQ(header(invite, "P-Preferred-Identity")["parsed"][0]["display_name"], "Front door");
  EXPECT_EQ(header(invite, "Privacy")["parsed"], Json::parse(R"(["none"])"));

  Json challenge = Json::parse(run({example("401_www_authenticate.sip")}, true).out);
  const Json& auth = header(challenge, "WWW-Authenticate")["parsed"];
  EXPECT_EQ(auth["scheme"], "Digest");
  EXPECT_EQ(auth["params"]["realm"], "pbx.example.com");

  Json notify = Json::parse(run({example("notify_message_summary.sip")}, true).out);
  EXPECT_EQ(header(notify, "Event")["parsed"]["package"], "message-summary");
  EXPECT_EQ(header(notify, "Subscription-State")["parsed"]["state"], "active");
  EXPECT_EQ(header(notify, "Subscription-State")["parsed"]["expires"], 3542);
}

TEST(AppParse, MalformedIsRejectedWithReasonAndOffset) {
  std::string bad = write_temp("bad.sip", "INVITE sip:x SIP/2.0\r\nVia SIP/2.0/UDP h\r\n\r\n");
  Output o = run({bad}, true);
  EXPECT_EQ(o.rc, 1);
  Json m = Json::parse(o.out);
  EXPECT_EQ(m["ok"], false);
  EXPECT_EQ(m["error"]["reason"], "bad header line");
  // Somewhere in the bad line (bytes 22..40); the exact byte is the parser's business.
  const std::size_t offset = m["error"]["offset"].get<std::size_t>();
  EXPECT_GE(offset, 22u);
  EXPECT_LE(offset, 40u);
  EXPECT_FALSE(m.contains("headers"));

  Output text = run({bad}, false);
  EXPECT_EQ(text.rc, 1);
  EXPECT_EQ(text.err, bad + ": rejected: bad header line at byte " + std::to_string(offset) + "\n");
}

TEST(AppParse, ParsedButFailingCheckIsRejectedAndStillShown) {
  // No Call-ID: parse() accepts it, Message::check() does not.
  std::string msg =
      "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
      "To: <sip:a@b>\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  Output o = run({write_temp("nocallid.sip", msg)}, true);
  EXPECT_EQ(o.rc, 1);
  Json m = Json::parse(o.out);
  EXPECT_EQ(m["ok"], false);
  EXPECT_TRUE(m["error"].contains("reason"));
  EXPECT_EQ(m["method"], "OPTIONS");
  EXPECT_EQ(m["headers"].size(), 5u);
}

TEST(AppParse, UnreadableFileAndMixedResults) {
  Output o = run({example("options.sip"), "/nonexistent/x.sip"}, true);
  EXPECT_EQ(o.rc, 1);
  Json all = Json::parse(o.out);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["ok"], true);
  EXPECT_EQ(all[1]["ok"], false);
  EXPECT_TRUE(all[1]["error"]["offset"].is_null());
  Output text = run({"/nonexistent/x.sip"}, false);
  EXPECT_NE(text.err.find("/nonexistent/x.sip: cannot read"), std::string::npos);
}

TEST(AppParse, TextModeShowsStartLineHeadersAndSummaries) {
  Output o = run({example("register_auth.sip")}, false);
  EXPECT_EQ(o.rc, 0);
  EXPECT_TRUE(o.err.empty());
  EXPECT_NE(o.out.find("REGISTER sip:pbx.example.com SIP/2.0\n"), std::string::npos);
  EXPECT_NE(o.out.find("    = transport=UDP host=192.0.2.10 port=5060 branch="), std::string::npos);
  EXPECT_NE(o.out.find("    = seq=2 method=REGISTER"), std::string::npos);
  EXPECT_NE(o.out.find("display_name=\"Front door\""), std::string::npos);
  EXPECT_NE(o.out.find("(body: 0 bytes)"), std::string::npos);
}

TEST(AppParse, BadTypedValueIsReportedOnItsHeader) {
  std::string msg =
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
      "To: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nExpires: soon\r\n"
      "Content-Length: 0\r\n\r\n";
  Json m = Json::parse(run({write_temp("badexpires.sip", msg)}, true).out);
  const Json& expires = header(m, "Expires");
  EXPECT_TRUE(expires["parsed"].is_null());
  EXPECT_EQ(expires["error"]["offset"], msg.find("soon"));
}

TEST(AppParse, BinaryGarbageNeverThrows) {
  std::string junk("\x00\xff\xfe SIP/2.0 \x80\r\n\r\n", 16);
  Output o = run({write_temp("junk.sip", junk), write_temp("empty.sip", "")}, true);
  EXPECT_EQ(o.rc, 1);
  EXPECT_NO_THROW(Json::parse(o.out));
}

}  // namespace
}  // namespace sipline
