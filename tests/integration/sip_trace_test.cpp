// The SIP trace as a user reads it: tshark decodes the pcap as SIP over UDP and TCP, IPv4 and
// IPv6, with the addresses and ports given; the text trace replaces the wildcard a UDP socket
// is bound to by the real source address; both files are created mode 0600.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sip_trace.hpp"
#include "support/process.hpp"

namespace sipline::engine {
namespace {

namespace fs = std::filesystem;
using transport::Address;
using transport::Protocol;
using transport::TraceDirection;

constexpr std::string_view kRegister =
    "REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n"
    "From: <sip:1000@127.0.0.1>;tag=a\r\nTo: <sip:1000@127.0.0.1>\r\nCall-ID: c1\r\n"
    "CSeq: 1 REGISTER\r\nContact: <sip:1000@127.0.0.1:5070>\r\nContent-Length: 0\r\n\r\n";
constexpr std::string_view kOk =
    "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n"
    "From: <sip:1000@127.0.0.1>;tag=a\r\nTo: <sip:1000@127.0.0.1>;tag=b\r\nCall-ID: c1\r\n"
    "CSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";

fs::path temp_file(const std::string& name) {
  return fs::temp_directory_path() / ("sipline-trace-" + std::to_string(::getpid()) + "-" + name);
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 0777;
}

std::string tshark_fields(const fs::path& pcap, const std::string& ip) {
  auto r = test::run_command({"tshark",     "-r", pcap.string(),    "-Y", "sip",         "-T",
                              "fields",     "-E", "separator=,",    "-e", ip + ".src",   "-e",
                              ip + ".dst",  "-e", "udp.srcport",    "-e", "tcp.srcport", "-e",
                              "sip.Method", "-e", "sip.Status-Code"},
                             std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::string fields;  // stderr is interleaved: drop tshark's notes ("Running as user ...")
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("Running as", 0) != 0) fields += line + "\n";
  }
  return fields;
}

TEST(SipTrace, PcapOverUdpV4IsSipToTshark) {
  const fs::path path = temp_file("udp4.pcap");
  SipTrace trace;
  std::string error;
  ASSERT_TRUE(trace.open(path, error)) << error;
  const Address local{Protocol::kUdp, "127.0.0.1", 5070};
  const Address remote{Protocol::kUdp, "127.0.0.2", 5060};
  trace.write(TraceDirection::kSent, local, remote, kRegister);
  trace.write(TraceDirection::kReceived, local, remote, kOk);
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(tshark_fields(path, "ip"),
            "127.0.0.1,127.0.0.2,5070,,REGISTER,\n127.0.0.2,127.0.0.1,5060,,,200\n");
  fs::remove(path);
}

TEST(SipTrace, PcapOverTcpV6IsSipToTshark) {
  const fs::path path = temp_file("tcp6.pcap");
  SipTrace trace;
  std::string error;
  ASSERT_TRUE(trace.open(path, error)) << error;
  const Address local{Protocol::kTcp, "::1", 40000};
  const Address remote{Protocol::kTcp, "::1", 5060};
  trace.write(TraceDirection::kSent, local, remote, kRegister);
  trace.write(TraceDirection::kReceived, local, remote, kOk);
  EXPECT_EQ(tshark_fields(path, "ipv6"), "::1,::1,,40000,REGISTER,\n::1,::1,,5060,,200\n");
  fs::remove(path);
}

TEST(SipTrace, TextShowsTheRealSourceOfAWildcardSocket) {
  const fs::path path = temp_file("text.log");
  fs::remove(path);
  SipTrace trace;
  std::string error;
  ASSERT_TRUE(trace.open(path, error)) << error;
  trace.write(TraceDirection::kSent, Address{Protocol::kUdp, "0.0.0.0", 5070},
              Address{Protocol::kUdp, "127.0.0.1", 5060}, kRegister);
  EXPECT_EQ(mode_of(path), 0600u);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("sent 229 bytes udp:127.0.0.1:5070 -> udp:127.0.0.1:5060\n"),
            std::string::npos)
      << text.str();
  EXPECT_EQ(text.str().find("0.0.0.0"), std::string::npos) << text.str();
  fs::remove(path);
}

TEST(SipTrace, RouteSourceOfLoopback) {
  EXPECT_EQ(route_source_ip("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(route_source_ip("::1"), "::1");
  EXPECT_EQ(route_source_ip("not an address"), "");
}

}  // namespace
}  // namespace sipline::engine
