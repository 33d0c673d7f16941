// The three parsers under test behind one signature: parse one whole message, extract the
// same fields, hand them to a sink. Views in Fields live only during the sink call.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sipline::bench {

struct Fields {
  std::string_view branch;  // top Via branch
  std::uint32_t cseq = 0;
  std::string_view cseq_method;
  std::string_view call_id;       // the whole Call-ID, or (oSIP) the part before '@'
  std::string_view call_id_host;  // oSIP keeps the part after '@' apart; empty otherwise
  std::string_view from_tag;
  std::size_t contacts = 0;  // number of Contact values, over all Contact lines
};

using Sink = void (*)(const Fields& fields, void* ctx);
// Parses `data` (one complete message) and calls sink once; false when parsing or a field
// extraction failed (sink not called).
using ParseFn = bool (*)(std::string_view data, Sink sink, void* ctx);

bool parse_sipline(std::string_view data, Sink sink, void* ctx);
bool parse_sofia(std::string_view data, Sink sink, void* ctx);
bool parse_osip(std::string_view data, Sink sink, void* ctx);
// One-time library set-up (oSIP's parser_init); call before any parse_*.
void init_parsers();

struct Parser {
  std::string_view name;  // "sipline", "sofia", "osip"
  ParseFn parse;
};
inline constexpr Parser kParsers[] = {
    {"sipline", parse_sipline}, {"sofia", parse_sofia}, {"osip", parse_osip}};

struct TestMessage {
  std::string name;  // file stem
  std::string data;
};
// Loads every *.sip in `dir` (wire bytes, CRLF line ends), sorted by name. Empty on error.
std::vector<TestMessage> load_messages(const std::string& dir, std::string* error);

}  // namespace sipline::bench
