#include "usage/sub/bodies/mwi.hpp"

#include "usage/sub/bodies/xml.hpp"

namespace sipline::usage::sub::bodies {

namespace {

using detail::iequals;
using detail::to_u32;
using detail::trim;

BodyError line_error(std::size_t line_no, std::string_view what) {
  return BodyError{"message-summary line " + std::to_string(line_no) + ": " + std::string(what)};
}

// "n/m" -> {n, m}
std::optional<std::pair<std::uint32_t, std::uint32_t>> pair_of(std::string_view s) {
  const auto slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto a = to_u32(trim(s.substr(0, slash)));
  const auto b = to_u32(trim(s.substr(slash + 1)));
  if (!a || !b) return std::nullopt;
  return std::make_pair(*a, *b);
}

// "new/old" with an optional " (urgent_new/urgent_old)".
std::optional<MessageCounts> counts_of(std::string_view v) {
  MessageCounts c;
  const auto paren = v.find('(');
  const auto main = pair_of(trim(v.substr(0, paren)));
  if (!main) return std::nullopt;
  c.new_msgs = main->first;
  c.old_msgs = main->second;
  if (paren != std::string_view::npos) {
    const auto close = v.find(')', paren);
    if (close == std::string_view::npos || !trim(v.substr(close + 1)).empty()) return std::nullopt;
    const auto urgent = pair_of(v.substr(paren + 1, close - paren - 1));
    if (!urgent) return std::nullopt;
    c.urgent_new = urgent->first;
    c.urgent_old = urgent->second;
  }
  return c;
}

bool is_token(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '!' || c == '%' || c == '*' ||
                    c == '+' || c == '`' || c == '\'' || c == '~';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

BodyResult<MessageSummary> parse_message_summary(std::string_view body, const BodyLimits& limits) {
  if (body.size() > limits.max_body_bytes) return base::fail(BodyError{"body too large"});
  MessageSummary out;
  bool seen_waiting = false;
  std::size_t line_no = 0;
  bool started = false;
  while (!body.empty()) {
    const auto nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view{} : body.substr(nl + 1);
    if (++line_no > limits.max_lines) return base::fail(BodyError{"too many lines"});
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) {
      if (started) break;  // the optional message headers (RFC 3842 §5.2) follow: not ours
      continue;
    }
    started = true;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return base::fail(line_error(line_no, "no colon"));
    const auto name = trim(line.substr(0, colon));
    const auto value = trim(line.substr(colon + 1));
    if (!is_token(name)) return base::fail(line_error(line_no, "bad header name"));
    if (iequals(name, "Messages-Waiting")) {
      if (seen_waiting) return base::fail(line_error(line_no, "duplicate Messages-Waiting"));
      if (iequals(value, "yes")) {
        out.waiting = true;
      } else if (!iequals(value, "no")) {
        return base::fail(line_error(line_no, "Messages-Waiting is neither yes nor no"));
      }
      seen_waiting = true;
    } else if (iequals(name, "Message-Account")) {
      out.account = std::string(value);
    } else if (iequals(name, "Voice-Message")) {
      const auto c = counts_of(value);
      if (!c) return base::fail(line_error(line_no, "bad Voice-Message counts"));
      out.voice = *c;
    }  // other message classes and extension headers: read and ignored
  }
  if (!seen_waiting) return base::fail(BodyError{"message-summary without Messages-Waiting"});
  return out;
}

}  // namespace sipline::usage::sub::bodies
