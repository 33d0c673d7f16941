#include "msg/writer.hpp"

#include <charconv>

#include "msg/message.hpp"
#include "msg/scan.hpp"

namespace sipline::msg {
namespace {

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// A header parameter value that is not a token (or an IPv6 reference) must be quoted.
bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  if (v.front() == '[' && v.back() == ']') return false;
  for (char c : v) {
    if (!detail::is(c, detail::kToken)) return true;
  }
  return false;
}

}  // namespace

MessageWriter::MessageWriter(std::string start) : out_(std::move(start)) {}

MessageWriter MessageWriter::request(std::string_view method, std::string_view request_uri) {
  std::string s;
  s.reserve(512);
  s.append(method).append(" ").append(request_uri).append(" SIP/2.0\r\n");
  return MessageWriter(std::move(s));
}

MessageWriter MessageWriter::response(int status_code, std::string_view reason) {
  std::string s;
  s.reserve(512);
  s.append("SIP/2.0 ");
  append_uint(s, static_cast<std::uint64_t>(status_code < 0 ? 0 : status_code));
  s.append(" ").append(reason).append("\r\n");
  return MessageWriter(std::move(s));
}

MessageWriter& MessageWriter::header(HeaderId id, std::string_view value) {
  return header(header_name(id), value);
}

MessageWriter& MessageWriter::header(std::string_view name, std::string_view value) {
  if (name.empty()) return *this;
  out_.append(name).append(": ").append(value).append("\r\n");
  return *this;
}

MessageWriter& MessageWriter::header(HeaderId id, std::uint64_t value) {
  const std::string_view name = header_name(id);
  if (name.empty()) return *this;
  out_.append(name).append(": ");
  append_uint(out_, value);
  out_.append("\r\n");
  return *this;
}

std::string MessageWriter::finish(std::string_view body, std::string_view content_type) {
  if (!content_type.empty()) header(HeaderId::kContentType, content_type);
  header(HeaderId::kContentLength, static_cast<std::uint64_t>(body.size()));
  out_.append("\r\n").append(body);
  return std::move(out_);
}

MessageWriter response_to(const Message& request, int status_code, std::string_view reason,
                          std::string_view to_tag) {
  MessageWriter w = MessageWriter::response(status_code, reason);
  for (const HeaderField& h : request.headers()) {
    if (h.id == HeaderId::kVia) w.header(HeaderId::kVia, h.value);
  }
  if (const HeaderField* h = request.find(HeaderId::kFrom)) w.header(HeaderId::kFrom, h->value);
  if (const HeaderField* h = request.find(HeaderId::kTo)) {
    auto to = request.to();
    if (!to_tag.empty() && (!to || to->tag().empty())) {
      std::string v(h->value);
      v.append(";tag=").append(to_tag);
      w.header(HeaderId::kTo, v);
    } else {
      w.header(HeaderId::kTo, h->value);
    }
  }
  if (const HeaderField* h = request.find(HeaderId::kCallId)) {
    w.header(HeaderId::kCallId, h->value);
  }
  if (const HeaderField* h = request.find(HeaderId::kCSeq)) w.header(HeaderId::kCSeq, h->value);
  return w;
}

std::string_view reason_phrase(int code) {
  switch (code) {
    case 100:
      return "Trying";
    case 180:
      return "Ringing";
    case 181:
      return "Call Is Being Forwarded";
    case 182:
      return "Queued";
    case 183:
      return "Session Progress";
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 204:
      return "No Notification";
    case 300:
      return "Multiple Choices";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Moved Temporarily";
    case 305:
      return "Use Proxy";
    case 380:
      return "Alternative Service";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 407:
      return "Proxy Authentication Required";
    case 408:
      return "Request Timeout";
    case 410:
      return "Gone";
    case 413:
      return "Request Entity Too Large";
    case 414:
      return "Request-URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Unsupported URI Scheme";
    case 420:
      return "Bad Extension";
    case 421:
      return "Extension Required";
    case 423:
      return "Interval Too Brief";
    case 480:
      return "Temporarily Unavailable";
    case 481:
      return "Call/Transaction Does Not Exist";
    case 482:
      return "Loop Detected";
    case 483:
      return "Too Many Hops";
    case 484:
      return "Address Incomplete";
    case 485:
      return "Ambiguous";
    case 486:
      return "Busy Here";
    case 487:
      return "Request Terminated";
    case 488:
      return "Not Acceptable Here";
    case 489:
      return "Bad Event";
    case 491:
      return "Request Pending";
    case 493:
      return "Undecipherable";
    case 500:
      return "Server Internal Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Server Time-out";
    case 505:
      return "Version Not Supported";
    case 513:
      return "Message Too Large";
    case 600:
      return "Busy Everywhere";
    case 603:
      return "Decline";
    case 604:
      return "Does Not Exist Anywhere";
    case 606:
      return "Not Acceptable";
    default:
      return "";
  }
}

std::string format_params(std::span<const Param> params) {
  std::string out;
  for (const Param& p : params) {
    out.append(";").append(p.name);
    if (!p.has_value) continue;
    out.append("=");
    if (needs_quotes(p.value)) {
      out.append("\"").append(p.value).append("\"");  // the view keeps its escapes
    } else {
      out.append(p.value);
    }
  }
  return out;
}

std::string format_uri(const Uri& uri) {
  if (uri.scheme != Scheme::kSip && uri.scheme != Scheme::kSips) return std::string(uri.text);
  std::string out;
  out.reserve(uri.text.size() + 16);
  if (!uri.scheme_text.empty()) {
    out.append(uri.scheme_text);
  } else {
    out.append(uri.scheme == Scheme::kSips ? "sips" : "sip");
  }
  out.append(":");
  if (!uri.user.empty()) {
    out.append(uri.user);
    if (!uri.password.empty()) out.append(":").append(uri.password);
    out.append("@");
  }
  out.append(uri.host);
  if (uri.port != 0) {
    out.append(":");
    append_uint(out, uri.port);
  }
  for (const Param& p : uri.params) {
    out.append(";").append(p.name);
    if (p.has_value) out.append("=").append(p.value);
  }
  char sep = '?';
  for (const Param& h : uri.headers) {
    out.push_back(sep);
    out.append(h.name).append("=").append(h.value);
    sep = '&';
  }
  return out;
}

std::string format_name_addr(std::string_view display_name, std::string_view uri,
                             std::string_view params) {
  std::string out;
  out.reserve(display_name.size() + uri.size() + params.size() + 6);
  if (!display_name.empty()) out.append(quote(display_name)).append(" ");
  out.append("<").append(uri).append(">").append(params);
  return out;
}

}  // namespace sipline::msg
