// A configuration problem (error or warning) with its position, and the text report of
// `sipline check`.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sipline::config {

// What kind of problem; stable names (see code_name) for the HTTP API and tests.
enum class ProblemCode {
  syntax,       // TOML syntax error (toml++'s message)
  io,           // a file could not be read (the config itself, password_file, tls_ca_file)
  type,         // wrong TOML type, e.g. a string where an integer belongs
  range,        // integer out of its range
  choice,       // not one of the allowed values
  invalid,      // malformed value (host[:port], user part, control characters ...)
  unknown_key,  // key not in the schema (with a did-you-mean)
  missing,      // required key absent or empty
  conflict,     // two settings that exclude each other (in one account or across accounts)
  warning,      // a legal but questionable setting
};
std::string_view code_name(ProblemCode c);

struct Problem {
  ProblemCode code = ProblemCode::invalid;
  std::string file;        // source name ("sipline.toml", "http"); may be empty
  std::uint32_t line = 0;  // 1-based; 0 when there is no position
  std::uint32_t column = 0;
  std::string key;      // full key, e.g. "account[2].register_expiration_min"; may be empty
  std::string value;    // as written ("0", "\"sctp\""); empty when there is none
  std::string allowed;  // "1..64800", "\"udp\", \"tcp\", \"tls\"", "integer"; may be empty
  std::string message;  // e.g. "out of range 1..64800"
};

// Every problem found, errors and warnings apart. Valid means: no errors.
struct Diagnostics {
  std::vector<Problem> errors;
  std::vector<Problem> warnings;
  bool ok() const { return errors.empty(); }
  // Orders each list by position (line, column), keeping insertion order on ties.
  void sort();
};

// One line: "file:line: key = value: message" (column only for syntax errors; parts that are
// empty are left out). Warnings are formatted the same; the report adds "warning: ".
std::string format_problem(const Problem& p);

// The report of `sipline check -c FILE`: one line per error, then one per warning, then a
// summary line. `ok` is the exit decision (the app maps it to 0 / 2).
struct CheckReport {
  bool ok = false;
  std::string text;
};
CheckReport make_report(std::string_view source, const Diagnostics& d, std::size_t accounts);

}  // namespace sipline::config
