#include "support/netns.hpp"

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "support/process.hpp"

namespace sipline::test {

namespace {

bool entered = false;

std::string sysctl_path(std::string key) {
  for (char& c : key) {
    if (c == '.') c = '/';
  }
  return "/proc/sys/" + key;
}

std::optional<std::string> loopback_up() {
  const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return std::string("socket: ") + std::strerror(errno);
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  std::optional<std::string> why;
  if (::ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
    why = std::string("SIOCGIFFLAGS lo: ") + std::strerror(errno);
  } else {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    if (::ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
      why = std::string("SIOCSIFFLAGS lo: ") + std::strerror(errno);
    }
  }
  ::close(s);
  return why;
}

}  // namespace

std::optional<std::string> enter_private_netns() {
  if (entered) return std::nullopt;
  if (::geteuid() != 0) return std::string("needs root for a network namespace");
  if (::unshare(CLONE_NEWNET) != 0) {
    return std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
  }
  if (auto why = loopback_up()) return why;
  entered = true;
  return std::nullopt;
}

bool in_private_netns() {
  return entered;
}

void write_sysctl(const std::string& key, const std::string& value) {
  std::ofstream out(sysctl_path(key));
  out << value << "\n";
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + sysctl_path(key));
}

std::string read_sysctl(const std::string& key) {
  std::ifstream in(sysctl_path(key));
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!all.empty() && (all.back() == '\n' || all.back() == ' ')) all.pop_back();
  return all;
}

std::string run_checked(const std::string& command_line) {
  std::vector<std::string> argv;
  std::istringstream words(command_line);
  for (std::string w; words >> w;) argv.push_back(w);
  RunResult r = run_command(argv, std::chrono::seconds(10));
  if (r.exit_code != 0) {
    throw std::runtime_error("'" + command_line + "' failed (" + std::to_string(r.exit_code) +
                             "): " + r.output);
  }
  return r.output;
}

void nft(const std::string& script) {
  if (!entered) throw std::logic_error("nft rules only inside a private network namespace");
  const auto file = std::filesystem::temp_directory_path() /
                    ("sipline-nft-" + std::to_string(::getpid()) + ".nft");
  {
    std::ofstream out(file);
    out << script << "\n";
  }
  RunResult r = run_command({"nft", "-f", file.string()}, std::chrono::seconds(10));
  std::error_code ec;
  std::filesystem::remove(file, ec);
  if (r.exit_code != 0) throw std::runtime_error("nft failed: " + r.output + "\n" + script);
}

}  // namespace sipline::test
