// A private network namespace for tests that change the network: sysctls (the ephemeral port
// range), nftables rules (loss, send errors), `ss -K`. The calling thread moves into a new
// namespace of its own; every process and thread it starts afterwards is in it too (Kamailio,
// the daemon, kamcmd, nft). Nothing names the namespace, so nothing can leak: it disappears with
// the last process in it, even when the test crashes. Needs root (CAP_SYS_ADMIN and
// CAP_NET_ADMIN); tests skip without it.
//
//   if (auto why = test::enter_private_netns()) GTEST_SKIP() << *why;
//   test::nft("add rule inet sipline_faults out meta l4proto udp numgen random mod 100 < 30 drop");
#pragma once
#include <optional>
#include <string>

namespace sipline::test {

// unshare(CLONE_NEWNET) plus `lo` up; nullopt when done, else why not (not root, no support).
// Calling it again once inside does nothing.
std::optional<std::string> enter_private_netns();
bool in_private_netns();

// Writes /proc/sys/<key with dots as slashes> (per namespace for net.*); throws on failure.
void write_sysctl(const std::string& key, const std::string& value);
std::string read_sysctl(const std::string& key);

// Runs `nft -f -` with `script`; throws std::runtime_error with nft's message on failure.
void nft(const std::string& script);
// Runs a command (argv in one string, split at blanks); throws when it fails.
std::string run_checked(const std::string& command_line);

}  // namespace sipline::test
