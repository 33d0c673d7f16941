// The `sipline` command end to end: `run` refusing what it cannot do (config errors, a local
// port or the HTTP port already taken), `status` against a running daemon, `check` on the
// shipped example, and accounts that must send nothing (active = false, sip_registration = false).
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <iterator>

#include "e2e_support.hpp"
#include "support/net.hpp"

#ifndef SIPLINE_SOURCE_DIR
#error "SIPLINE_SOURCE_DIR must name the source tree"
#endif

namespace sipline::e2e {
namespace {

using namespace std::chrono_literals;
using test::Kamailio;

TEST(DaemonCli, ExampleConfigIsValid) {
  const std::string example = std::string(SIPLINE_SOURCE_DIR) + "/examples/sipline.toml";
  auto r = test::run_command({SIPLINE_BINARY, "check", "-c", example}, 10s);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("valid, 2 accounts"), std::string::npos) << r.output;
}

// `run` with an invalid config starts nothing: exit 2 and the same report as `check`.
TEST(DaemonCli, RunRefusesAnInvalidConfig) {
  TempDir tmp;
  const auto path = tmp.path() / "bad.toml";
  std::ofstream(path) << "[[account]]\nsip_server = \"127.0.0.1\"\nuser_id = \"1000\"\n"
                      << "register_expiration_min = 0\n";
  auto r = test::run_command({SIPLINE_BINARY, "run", "-c", path.string()}, 10s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(path.string() + ":4: account[1].register_expiration_min = 0"),
            std::string::npos)
      << r.output;
}

// A local port another process holds: `run` exits non-zero at once, naming account and port.
TEST(DaemonCli, RunFailsWhenTheLocalPortIsTaken) {
  Kamailio kam;
  ASSERT_NO_THROW(kam.start());
  TempDir tmp;
  test::UdpSocket squatter("0.0.0.0", test::free_port(test::Protocol::kUdp));
  auto a = account_for(kam, Transport::kUdp, "1060");
  a.number("local_sip_port", squatter.local_port());
  Daemon d(tmp.path());
  d.write_config({a});
  auto r = test::run_command({SIPLINE_BINARY, "run", "-c", d.config_path().string()}, 10s);
  EXPECT_FALSE(r.timed_out) << "the daemon ran although its port is taken";
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("account[1]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(std::to_string(squatter.local_port())), std::string::npos) << r.output;
  EXPECT_TRUE(registers_seen(kam, "1060").empty()) << "REGISTER sent without its socket";
}

// `sipline status -c CONFIG` asks the running daemon: a table, or its JSON with --json. Accounts
// with active = false or sip_registration = false send nothing and show as disabled.
TEST(DaemonCli, StatusShowsTheRunningDaemonAndDisabledAccountsSendNothing) {
  Kamailio kam;
  ASSERT_NO_THROW(kam.start());
  TempDir tmp;
  auto inactive = account_for(kam, Transport::kUdp, "1062").flag("active", false);
  auto silent = account_for(kam, Transport::kTcp, "1063").flag("sip_registration", false);
  Daemon d(tmp.path());
  d.write_config({account_for(kam, Transport::kUdp, "1061"), inactive, silent});
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 5s, &status)) << status.dump();

  auto table = test::run_command({SIPLINE_BINARY, "status", "-c", d.config_path().string()}, 10s);
  EXPECT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find("e2e 1061 udp"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("registered"), std::string::npos) << table.output;
  auto json =
      test::run_command({SIPLINE_BINARY, "status", "--json", "-c", d.config_path().string()}, 10s);
  ASSERT_EQ(json.exit_code, 0) << json.output;
  Json all = Json::parse(json.output, nullptr, false);
  ASSERT_TRUE(all.is_array()) << json.output;
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]["state"], "registered");
  EXPECT_EQ(all[1]["state"], "disabled");
  EXPECT_EQ(all[2]["state"], "disabled");
  EXPECT_TRUE(registers_seen(kam, "1062").empty());
  EXPECT_TRUE(registers_seen(kam, "1063").empty());

  EXPECT_EQ(d.terminate(), 0);
  auto gone = test::run_command({SIPLINE_BINARY, "status", "-c", d.config_path().string()}, 10s);
  EXPECT_EQ(gone.exit_code, 1) << gone.output;
  EXPECT_NE(gone.output.find("cannot reach the daemon"), std::string::npos) << gone.output;
}

// HTTPS on the HTTP side (issue 10): the daemon serves the configured certificate, `sipline
// status` trusts it from the same config, plain HTTP on that port gets no answer, and a
// certificate OpenSSL cannot load stops `run` with the keys named.
TEST(DaemonCli, HttpsServesTheConfiguredCertificateAndTheCliTrustsIt) {
  Kamailio kam;  // its self-signed certificate (SAN IP:127.0.0.1) serves here too
  ASSERT_NO_THROW(kam.start());
  TempDir tmp;
  Daemon d(tmp.path());
  d.add_daemon_keys("http_tls_cert_file = \"" + kam.cert_path().string() +
                        "\"\nhttp_tls_key_file = \"" + kam.key_path().string() + "\"\n",
                    /*https=*/true);
  d.write_config({account_for(kam, Transport::kUdp, "1065")});
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 5s, &status)) << status.dump();

  auto table = test::run_command({SIPLINE_BINARY, "status", "-c", d.config_path().string()}, 10s);
  EXPECT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find("registered"), std::string::npos) << table.output;

  EXPECT_NE(d.metrics(), "") << "GET /metrics over HTTPS";
  const std::string hostport = "127.0.0.1:" + std::to_string(d.http_port());
  auto plain = test::run_command({"curl", "-sS", "-m", "3", "-o", "/dev/null", "-w", "%{http_code}",
                                  "http://" + hostport + "/metrics"},
                                 10s);
  EXPECT_NE(plain.output.find("000"), std::string::npos) << "plain HTTP answered: " << plain.output;
  auto verified =
      test::run_command({"curl", "-sS", "-m", "3", "--cacert", kam.cert_path().string(), "-o",
                         "/dev/null", "-w", "%{http_code}", "https://" + hostport + "/metrics"},
                        10s);
  EXPECT_EQ(verified.output, "200") << verified.output;
  EXPECT_EQ(d.terminate(), 0);

  // A certificate that is not one: `run` refuses to start, naming the key.
  Daemon bad(tmp.path(), "bad");
  const auto junk = tmp.path() / "junk.pem";
  std::ofstream(junk) << "not a certificate\n";
  bad.add_daemon_keys("http_tls_cert_file = \"" + junk.string() + "\"\n", true);
  bad.write_config({account_for(kam, Transport::kUdp, "1066")});
  auto r = test::run_command({SIPLINE_BINARY, "run", "-c", bad.config_path().string()}, 10s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("http_tls_cert_file"), std::string::npos) << r.output;
}

// log_target = "journal" (issue 10): lines reach systemd's journal socket in its native
// protocol, with priority and identifier, and not stderr. The journal is played by a listener
// on /run/systemd/journal/socket inside a private mount namespace (needs root and unshare).
TEST(DaemonCli, JournalTargetSendsEachLineWithItsPriority) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a private mount namespace";
  if (test::run_command({"unshare", "-m", "true"}, 5s).exit_code != 0) {
    GTEST_SKIP() << "unshare -m is not permitted here";
  }
  Kamailio kam;
  ASSERT_NO_THROW(kam.start());
  TempDir tmp;
  Daemon d(tmp.path());
  d.add_daemon_keys("log_target = \"journal\"\n");
  d.write_config({account_for(kam, Transport::kUdp, "1067")});
  const auto journal = tmp.path() / "journal.txt";
  const std::string listener =
      "import socket,sys\n"
      "s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\n"
      "s.bind('/run/systemd/journal/socket')\n"
      "s.settimeout(8)\n"
      "out=open(sys.argv[1],'ab',0)\n"
      "try:\n"
      "  while True: out.write(s.recv(65536)+b'\\n--\\n')\n"
      "except OSError: pass\n";
  const std::string script =
      "mount -t tmpfs none /run && mkdir -p /run/systemd/journal || exit 1; "
      "python3 -c \"$0\" \"$1\" & L=$!; "
      "until [ -S /run/systemd/journal/socket ]; do sleep 0.05; done && "
      "timeout -s TERM 3 \"$2\" run -c \"$3\"; sleep 0.2; kill $L";
  auto r = test::run_command({"unshare", "-m", "sh", "-c", script, listener, journal.string(),
                              SIPLINE_BINARY, d.config_path().string()},
                             20s);
  EXPECT_FALSE(r.timed_out) << r.output;
  std::ifstream in(journal);
  const std::string sent((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(sent.find("SYSLOG_IDENTIFIER=sipline"), std::string::npos) << sent;
  EXPECT_NE(sent.find("registered (200)"), std::string::npos) << sent;
  EXPECT_NE(sent.find("PRIORITY=6"), std::string::npos) << sent;  // info
  EXPECT_EQ(r.output.find("registered (200)"), std::string::npos) << "logged on stderr too:\n"
                                                                  << r.output;
}

}  // namespace
}  // namespace sipline::e2e
