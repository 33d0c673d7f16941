#include "media/sdp.hpp"

#include <charconv>
#include <initializer_list>

namespace sipline::media {

std::string_view to_string(Direction d) {
  switch (d) {
    case Direction::kSendRecv:
      return "sendrecv";
    case Direction::kSendOnly:
      return "sendonly";
    case Direction::kRecvOnly:
      return "recvonly";
    case Direction::kInactive:
      return "inactive";
  }
  return "sendrecv";
}

std::string_view to_string(SdpErrorKind k) {
  switch (k) {
    case SdpErrorKind::kTooLarge:
      return "too large";
    case SdpErrorKind::kTooManyLines:
      return "too many lines";
    case SdpErrorKind::kTooManyMedia:
      return "too many media";
    case SdpErrorKind::kTooManyFormats:
      return "too many formats";
    case SdpErrorKind::kBadLine:
      return "bad line";
    case SdpErrorKind::kMissingVersion:
      return "missing v=";
    case SdpErrorKind::kBadVersion:
      return "bad v=";
    case SdpErrorKind::kBadOrigin:
      return "bad o=";
    case SdpErrorKind::kBadConnection:
      return "bad c=";
    case SdpErrorKind::kBadMedia:
      return "bad m=";
    case SdpErrorKind::kBadAttribute:
      return "bad a=";
    case SdpErrorKind::kMissingOrigin:
      return "missing o=";
    case SdpErrorKind::kMissingSessionName:
      return "missing s=";
  }
  return "?";
}

namespace {

// Splits on single spaces; false when there are more than `max` fields.
std::vector<std::string_view> split_fields(std::string_view s, std::size_t max) {
  std::vector<std::string_view> out;
  while (!s.empty() && out.size() <= max) {
    auto sp = s.find(' ');
    auto f = s.substr(0, sp);
    if (!f.empty()) out.push_back(f);
    if (sp == std::string_view::npos) break;
    s.remove_prefix(sp + 1);
  }
  return out;
}

template <typename T>
bool to_number(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_connection(std::string_view v, Connection& c) {
  auto f = split_fields(v, 3);
  if (f.size() != 3 || f[0] != "IN") return false;
  if (f[1] == "IP4") {
    c.ipv6 = false;
  } else if (f[1] == "IP6") {
    c.ipv6 = true;
  } else {
    return false;
  }
  auto addr = f[2].substr(0, f[2].find('/'));
  if (addr.empty() || addr.size() > 255) return false;
  c.address = std::string(addr);
  return true;
}

bool parse_origin(std::string_view v, Origin& o) {
  auto f = split_fields(v, 6);
  if (f.size() != 6) return false;
  o.username = std::string(f[0]);
  if (!to_number(f[1], o.session_id) || !to_number(f[2], o.session_version)) return false;
  std::string rest = std::string(f[3]) + " " + std::string(f[4]) + " " + std::string(f[5]);
  return parse_connection(rest, o.address);
}

bool parse_media(std::string_view v, MediaDescription& m, const SdpLimits& limits, bool& too_many) {
  auto f = split_fields(v, limits.max_formats + 3);
  if (f.size() > limits.max_formats + 3) {
    too_many = true;
    return false;
  }
  if (f.size() < 4) return false;
  m.media = std::string(f[0]);
  auto port = f[1].substr(0, f[1].find('/'));
  if (!to_number(port, m.port)) return false;
  m.proto = std::string(f[2]);
  for (std::size_t i = 3; i < f.size(); ++i) m.formats.emplace_back(f[i]);
  return true;
}

bool parse_rtpmap(std::string_view v, RtpMap& r) {
  auto sp = v.find(' ');
  if (sp == std::string_view::npos || !to_number(v.substr(0, sp), r.payload_type) ||
      r.payload_type < 0 || r.payload_type > 127)
    return false;
  auto enc = v.substr(sp + 1);
  auto slash = enc.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  r.encoding = std::string(enc.substr(0, slash));
  auto rate = enc.substr(slash + 1);
  auto slash2 = rate.find('/');
  if (slash2 != std::string_view::npos) {
    if (!to_number(rate.substr(slash2 + 1), r.channels)) return false;
    rate = rate.substr(0, slash2);
  }
  return to_number(rate, r.clock_rate_hz) && r.clock_rate_hz > 0;
}

std::optional<Direction> direction_of(std::string_view a) {
  if (a == "sendrecv") return Direction::kSendRecv;
  if (a == "sendonly") return Direction::kSendOnly;
  if (a == "recvonly") return Direction::kRecvOnly;
  if (a == "inactive") return Direction::kInactive;
  return std::nullopt;
}

// One a= line, at session level (m == nullptr) or in a media section.
bool parse_attribute(std::string_view v, SessionDescription& sd, MediaDescription* m) {
  if (auto d = direction_of(v)) {
    (m ? m->direction : sd.direction) = d;
    return true;
  }
  if (!m) return true;  // other session attributes are not used
  if (v.starts_with("rtpmap:")) {
    RtpMap r;
    if (!parse_rtpmap(v.substr(7), r)) return false;
    m->rtpmaps.push_back(std::move(r));
  } else if (v.starts_with("fmtp:")) {
    m->fmtps.emplace_back(v.substr(5));
  } else if (v.starts_with("ptime:")) {
    if (!to_number(v.substr(6), m->ptime_ms) || m->ptime_ms <= 0 || m->ptime_ms > 1000)
      return false;
  }
  return true;
}

struct Parser {
  const SdpLimits& limits;
  SessionDescription sd;
  bool seen_origin = false;
  bool seen_name = false;

  std::optional<SdpErrorKind> line(char type, std::string_view v, std::size_t index) {
    MediaDescription* m = sd.media.empty() ? nullptr : &sd.media.back();
    if (index == 0) {
      if (type != 'v') return SdpErrorKind::kMissingVersion;
      if (v != "0") return SdpErrorKind::kBadVersion;
      return std::nullopt;
    }
    switch (type) {
      case 'o':
        if (!parse_origin(v, sd.origin)) return SdpErrorKind::kBadOrigin;
        seen_origin = true;
        break;
      case 's':
        seen_name = true;
        sd.session_name = std::string(v);
        break;
      case 'c': {
        Connection c;
        if (!parse_connection(v, c)) return SdpErrorKind::kBadConnection;
        (m ? m->connection : sd.connection) = std::move(c);
        break;
      }
      case 'm': {
        if (sd.media.size() >= limits.max_media) return SdpErrorKind::kTooManyMedia;
        MediaDescription md;
        bool too_many = false;
        if (!parse_media(v, md, limits, too_many))
          return too_many ? SdpErrorKind::kTooManyFormats : SdpErrorKind::kBadMedia;
        sd.media.push_back(std::move(md));
        break;
      }
      case 'a':
        if (!parse_attribute(v, sd, m)) return SdpErrorKind::kBadAttribute;
        break;
      default:
        break;  // t=, b=, i=, ... : syntax checked only
    }
    return std::nullopt;
  }
};

}  // namespace

base::Result<SessionDescription, SdpError> parse_sdp(std::string_view body,
                                                     const SdpLimits& limits) {
  if (body.size() > limits.max_bytes) return base::fail(SdpError{SdpErrorKind::kTooLarge, 0, 0});
  Parser p{limits, {}};
  std::size_t pos = 0, index = 0;
  while (pos < body.size()) {
    auto nl = body.find('\n', pos);
    auto end = nl == std::string_view::npos ? body.size() : nl;
    auto text = body.substr(pos, end - pos);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    const std::size_t start = pos;
    pos = nl == std::string_view::npos ? body.size() : nl + 1;
    if (text.empty()) continue;  // tolerated: a blank line (e.g. a trailing extra CRLF)
    if (index >= limits.max_lines)
      return base::fail(SdpError{SdpErrorKind::kTooManyLines, index + 1, start});
    if (text.size() < 2 || text[1] != '=' || text[0] < 'a' || text[0] > 'z')
      return base::fail(SdpError{SdpErrorKind::kBadLine, index + 1, start});
    if (auto err = p.line(text[0], text.substr(2), index))
      return base::fail(SdpError{*err, index + 1, start});
    ++index;
  }
  if (index == 0) return base::fail(SdpError{SdpErrorKind::kMissingVersion, 0, 0});
  if (!p.seen_origin) return base::fail(SdpError{SdpErrorKind::kMissingOrigin, 0, 0});
  if (!p.seen_name) return base::fail(SdpError{SdpErrorKind::kMissingSessionName, 0, 0});
  return std::move(p.sd);
}

namespace {

// Appends pieces then CRLF (plain appends: g++ 12 -O3 warns falsely on chained operator+).
void line(std::string& out, std::initializer_list<std::string_view> pieces) {
  for (auto p : pieces) out.append(p);
  out.append("\r\n");
}

void connection_line(std::string& out, std::string_view type, const Connection& c) {
  line(out, {type, "IN ", c.ipv6 ? "IP6 " : "IP4 ", c.address});
}

void write_media(std::string& out, const MediaDescription& m) {
  out.append("m=").append(m.media).append(" ").append(std::to_string(m.port));
  out.append(" ").append(m.proto);
  for (const auto& f : m.formats) out.append(" ").append(f);
  out.append("\r\n");
  if (m.connection) connection_line(out, "c=", *m.connection);
  for (const auto& r : m.rtpmaps) {
    const std::string channels = r.channels != 1 ? std::to_string(r.channels) : "";
    line(out, {"a=rtpmap:", std::to_string(r.payload_type), " ", r.encoding, "/",
               std::to_string(r.clock_rate_hz), channels.empty() ? "" : "/", channels});
  }
  for (const auto& f : m.fmtps) line(out, {"a=fmtp:", f});
  if (m.ptime_ms > 0) line(out, {"a=ptime:", std::to_string(m.ptime_ms)});
  if (m.direction) line(out, {"a=", to_string(*m.direction)});
}

}  // namespace

std::string write_sdp(const SessionDescription& sd) {
  std::string out = "v=0\r\n";
  const Origin& o = sd.origin;
  out.append("o=").append(o.username).append(" ").append(std::to_string(o.session_id));
  out.append(" ").append(std::to_string(o.session_version));
  connection_line(out, " ", o.address);
  line(out, {"s=", sd.session_name});
  if (sd.connection) connection_line(out, "c=", *sd.connection);
  out.append("t=0 0\r\n");
  if (sd.direction) line(out, {"a=", to_string(*sd.direction)});
  for (const auto& m : sd.media) write_media(out, m);
  return out;
}

const Connection* effective_connection(const SessionDescription& sd, const MediaDescription& m) {
  if (m.connection) return &*m.connection;
  return sd.connection ? &*sd.connection : nullptr;
}

Direction effective_direction(const SessionDescription& sd, const MediaDescription& m) {
  if (m.direction) return *m.direction;
  return sd.direction.value_or(Direction::kSendRecv);
}

}  // namespace sipline::media
