#include "config/problem.hpp"

#include <algorithm>
#include <tuple>

namespace sipline::config {
namespace {

std::string position(const Problem& p) {
  std::string s = p.file;
  if (p.line > 0) {
    // Appended piece by piece: g++ 12 -O3 warns falsely on "lit" + string (GCC PR 105651).
    s += s.empty() ? "line " : ":";
    s += std::to_string(p.line);
    if (p.code == ProblemCode::syntax && p.column > 0) {
      s += ':';
      s += std::to_string(p.column);
    }
  }
  return s;
}

std::string body(const Problem& p) {
  std::string s;
  if (!p.key.empty()) {
    s = p.key;
    if (!p.value.empty()) s += " = " + p.value;
    s += ": ";
  }
  return s + p.message;
}

std::string line_of(const Problem& p, std::string_view tag) {
  const std::string pos = position(p);
  return (pos.empty() ? std::string() : pos + ": ") + std::string(tag) + body(p);
}

std::string count(std::size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

void sort_by_position(std::vector<Problem>& v) {
  std::stable_sort(v.begin(), v.end(), [](const Problem& a, const Problem& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
}

}  // namespace

std::string_view code_name(ProblemCode c) {
  switch (c) {
    case ProblemCode::syntax:
      return "syntax";
    case ProblemCode::io:
      return "io";
    case ProblemCode::type:
      return "type";
    case ProblemCode::range:
      return "range";
    case ProblemCode::choice:
      return "choice";
    case ProblemCode::invalid:
      return "invalid";
    case ProblemCode::unknown_key:
      return "unknown_key";
    case ProblemCode::missing:
      return "missing";
    case ProblemCode::conflict:
      return "conflict";
    case ProblemCode::warning:
      return "warning";
  }
  return "?";
}

void Diagnostics::sort() {
  sort_by_position(errors);
  sort_by_position(warnings);
}

std::string format_problem(const Problem& p) {
  return line_of(p, "");
}

CheckReport make_report(std::string_view source, const Diagnostics& d, std::size_t accounts) {
  CheckReport r;
  r.ok = d.ok();
  for (const auto& p : d.errors) r.text += line_of(p, "") + "\n";
  for (const auto& p : d.warnings) r.text += line_of(p, "warning: ") + "\n";
  r.text += std::string(source) + ": ";
  if (r.ok) {
    r.text += "valid, " + count(accounts, "account");
  } else {
    r.text += "invalid, " + count(d.errors.size(), "error");
  }
  r.text += ", " + count(d.warnings.size(), "warning") + "\n";
  return r;
}

}  // namespace sipline::config
