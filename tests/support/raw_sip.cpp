#include "support/raw_sip.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <stdexcept>

namespace sipline::test {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string hex_hash(std::string_view algorithm, std::string_view data) {
  const EVP_MD* md = iequals(algorithm, "SHA-256") ? EVP_sha256() : EVP_md5();
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1) {
    throw std::runtime_error("EVP_Digest failed");
  }
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", out[i]);
    hex += byte;
  }
  return hex;
}

}  // namespace

std::string make_request(const RawRequest& r) {
  const std::string lp = std::to_string(r.local_port);
  const std::string aor = "sip:" + r.user + "@127.0.0.1";
  std::string m = r.method + " " + r.request_uri + " SIP/2.0\r\n";
  m += "Via: SIP/2.0/" + r.transport + " 127.0.0.1:" + lp + ";rport;branch=" + r.branch + "\r\n";
  m += "Max-Forwards: 70\r\n";
  m += "From: <" + aor + ">;tag=" + r.from_tag + "\r\n";
  m += "To: <" + (r.method == "REGISTER" ? aor : r.request_uri) + ">\r\n";
  m += "Call-ID: " + r.call_id + "\r\n";
  m += "CSeq: " + std::to_string(r.cseq) + " " + r.method + "\r\n";
  if (r.method == "REGISTER" || r.method == "INVITE" || r.method == "SUBSCRIBE") {
    m +=
        "Contact: " +
        (r.contact.empty() ? "<" + aor + ":" + lp + ";transport=" + r.transport + ">" : r.contact) +
        "\r\n";
  }
  if (r.expires >= 0) m += "Expires: " + std::to_string(r.expires) + "\r\n";
  if (!r.authorization.empty()) m += "Authorization: " + r.authorization + "\r\n";
  m += "User-Agent: sipline-raw-test\r\nContent-Length: 0\r\n\r\n";
  return m;
}

int status_code(std::string_view msg) {
  int code = 0;
  if (msg.rfind("SIP/2.0 ", 0) != 0 || msg.size() < 11) return 0;
  for (std::size_t i = 8; i < 11; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(msg[i]))) return 0;
    code = code * 10 + (msg[i] - '0');
  }
  return code;
}

std::optional<std::string> header_value(std::string_view msg, std::string_view name) {
  auto end = msg.find("\r\n\r\n");
  std::string_view head = msg.substr(0, end);
  std::size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos) {
    std::size_t next = head.find("\r\n", pos + 2);
    std::string_view line = head.substr(
        pos + 2, next == std::string_view::npos ? std::string_view::npos : next - pos - 2);
    auto colon = line.find(':');
    if (colon != std::string_view::npos && iequals(trim(line.substr(0, colon)), name)) {
      return std::string(trim(line.substr(colon + 1)));
    }
    pos = next;
  }
  return std::nullopt;
}

std::string auth_param(std::string_view value, std::string_view name) {
  auto space = value.find(' ');
  std::string_view rest = space == std::string_view::npos ? value : value.substr(space + 1);
  while (!rest.empty()) {
    rest = trim(rest);
    auto eq = rest.find('=');
    if (eq == std::string_view::npos) break;
    std::string_view key = trim(rest.substr(0, eq));
    rest.remove_prefix(eq + 1);
    rest = trim(rest);
    std::string val;
    if (!rest.empty() && rest.front() == '"') {
      std::size_t i = 1;
      for (; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        val += rest[i];
      }
      rest.remove_prefix(std::min(rest.size(), i + 1));
    } else {
      auto comma = rest.find(',');
      val = std::string(trim(rest.substr(0, comma)));
      rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma);
    }
    if (iequals(key, name)) return val;
    auto comma = rest.find(',');
    rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
  }
  return {};
}

std::string digest_authorization(std::string_view challenge, std::string_view user,
                                 std::string_view password, std::string_view method,
                                 std::string_view uri, std::uint32_t nc, std::string_view cnonce) {
  const std::string realm = auth_param(challenge, "realm");
  const std::string nonce = auth_param(challenge, "nonce");
  const std::string opaque = auth_param(challenge, "opaque");
  std::string algorithm = auth_param(challenge, "algorithm");
  if (algorithm.empty()) algorithm = "MD5";
  const bool qop = auth_param(challenge, "qop").find("auth") != std::string::npos;
  const std::string ha1 =
      hex_hash(algorithm, std::string(user) + ":" + realm + ":" + std::string(password));
  const std::string ha2 = hex_hash(algorithm, std::string(method) + ":" + std::string(uri));
  char ncs[9];
  std::snprintf(ncs, sizeof ncs, "%08x", nc);
  const std::string response = qop ? hex_hash(algorithm, ha1 + ":" + nonce + ":" + ncs + ":" +
                                                             std::string(cnonce) + ":auth:" + ha2)
                                   : hex_hash(algorithm, ha1 + ":" + nonce + ":" + ha2);
  std::string out = "Digest username=\"" + std::string(user) + "\", realm=\"" + realm +
                    "\", nonce=\"" + nonce + "\", uri=\"" + std::string(uri) + "\", response=\"" +
                    response + "\", algorithm=" + algorithm;
  if (qop) {
    out += ", qop=auth, nc=" + std::string(ncs) + ", cnonce=\"" + std::string(cnonce) + "\"";
  }
  if (!opaque.empty()) out += ", opaque=\"" + opaque + "\"";
  return out;
}

std::string with_extras(std::string msg, const std::string& headers, const std::string& body) {
  const auto ua = msg.find("User-Agent:");
  msg.insert(ua == std::string::npos ? msg.find("Content-Length:") : ua, headers);
  const auto cl = msg.find("Content-Length: 0\r\n\r\n");
  msg.replace(cl, std::string::npos,
              "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  return msg;
}

}  // namespace sipline::test
