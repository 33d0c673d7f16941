#include "app/http_token.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <openssl/rand.h>

namespace sipline::app {

namespace {

std::string new_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

// O_EXCL: never overwrites a token another process wrote meanwhile; 0600 from the start.
bool write_new(const std::string& path, const std::string& token, std::string& error) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "cannot create the HTTP token file " + path + ": " + std::strerror(errno);
    return false;
  }
  std::string line = token + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok) error = "cannot write the HTTP token file " + path;
  return ok;
}

}  // namespace

bool read_token(const std::string& path, std::string& token, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read the HTTP token file " + path + ": " + std::strerror(errno);
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  token = ss.str();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
    token.pop_back();
  }
  if (token.empty()) {
    error = "the HTTP token file " + path + " is empty";
    return false;
  }
  return true;
}

bool load_or_create_token(const std::string& path, std::string& token, bool& created,
                          std::string& error) {
  created = false;
  if (!std::filesystem::exists(path)) {
    std::string fresh = new_token();
    if (fresh.empty()) {
      error = "no random bytes for the HTTP token (OpenSSL RAND_bytes failed)";
      return false;
    }
    if (!write_new(path, fresh, error)) return false;
    created = true;
  }
  return read_token(path, token, error);
}

}  // namespace sipline::app
