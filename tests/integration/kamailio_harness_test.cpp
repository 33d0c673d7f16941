// The Kamailio test harness itself, checked with raw SIP text only (no sipline code): start,
// stop, freeze, restart, cleanup after a dying test process, and the registrar behaviours of
// kamailio/sipline.cfg that other tests rely on.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "support/kamailio.hpp"
#include "support/net.hpp"
#include "support/raw_sip.hpp"
#include "support/tls_client.hpp"

namespace sipline::test {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kWait{2000};

// One request/response over UDP (responses to earlier requests are skipped); "" when nothing
// came back in time.
std::string exchange(UdpSocket& sock, const Kamailio& kam, const RawRequest& req,
                     milliseconds wait = kWait) {
  sock.send_to(make_request(req), "127.0.0.1", kam.udp_port());
  const auto deadline = std::chrono::steady_clock::now() + wait;
  const std::string cseq = std::to_string(req.cseq) + " " + req.method;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    std::string reply = sock.recv(left).value_or("");
    if (header_value(reply, "Call-ID") == req.call_id && header_value(reply, "CSeq") == cseq) {
      return reply;
    }
  }
  return "";
}

RawRequest register_request(const Kamailio& kam, const UdpSocket& sock, std::string user,
                            int expires) {
  RawRequest r;
  r.request_uri = kam.uri();
  r.local_port = sock.local_port();
  r.user = std::move(user);
  r.expires = expires;
  r.call_id = "harness-" + r.user + "-" + std::to_string(sock.local_port());
  return r;
}

// REGISTER answering one digest challenge; returns the final response.
std::string register_with_auth(UdpSocket& sock, const Kamailio& kam, RawRequest req,
                               const std::string& password) {
  std::string challenge = exchange(sock, kam, req);
  if (status_code(challenge) != 401) return challenge;
  req.cseq += 1;
  req.branch += "-2";
  req.authorization = digest_authorization(header_value(challenge, "WWW-Authenticate").value(),
                                           req.user, password, req.method, req.request_uri);
  return exchange(sock, kam, req);
}

TEST(KamailioHarness, StartsAnswersAndLeavesNoProcessAfterStop) {
  Kamailio kam;
  kam.start();
  ASSERT_TRUE(kam.running());
  const pid_t group = kam.pid();
  EXPECT_TRUE(process_group_alive(group));
  EXPECT_NE(kam.udp_port(), 0);
  EXPECT_EQ(kam.tls_port(), kam.udp_port() + 1);
  EXPECT_TRUE(std::filesystem::exists(kam.cert_path()));
  EXPECT_NE(kam.rpc({"core.version"}).find("kamailio 5."), std::string::npos);
  kam.stop();
  EXPECT_FALSE(kam.running());
  EXPECT_FALSE(process_group_alive(group));
  kam.stop();  // idempotent
}

TEST(KamailioHarness, ChallengesThenRegistersAndContactStarRemovesAll) {
  Kamailio kam;
  kam.start();
  UdpSocket sock;
  RawRequest req = register_request(kam, sock, "1000", 300);
  std::string challenge = exchange(sock, kam, req);
  ASSERT_EQ(status_code(challenge), 401) << challenge;
  std::string www = header_value(challenge, "WWW-Authenticate").value_or("");
  EXPECT_EQ(auth_param(www, "realm"), "127.0.0.1");
  EXPECT_EQ(auth_param(www, "algorithm"), "MD5");
  EXPECT_EQ(auth_param(www, "qop"), "auth");

  // A new transaction (an identical request would be a retransmission and may be absorbed).
  req.cseq = 2;
  req.branch += "-new";
  std::string ok = register_with_auth(sock, kam, req, Kamailio::password("1000"));
  ASSERT_EQ(status_code(ok), 200) << ok;
  auto bindings = kam.bindings_of("1000");
  ASSERT_EQ(bindings.size(), 1u);
  EXPECT_EQ(bindings[0].contact,
            "sip:1000@127.0.0.1:" + std::to_string(sock.local_port()) + ";transport=UDP");
  EXPECT_GT(bindings[0].expires_s, 290);
  EXPECT_LE(bindings[0].expires_s, 300);
  EXPECT_EQ(bindings[0].call_id, req.call_id);
  EXPECT_EQ(kam.stats().at("usrloc:registered_users"), 1);

  req.contact = "*";
  req.expires = 0;
  req.cseq = 10;
  req.branch = "z9hG4bK-star";
  ASSERT_EQ(status_code(register_with_auth(sock, kam, req, Kamailio::password("1000"))), 200);
  EXPECT_TRUE(kam.bindings_of("1000").empty());
}

TEST(KamailioHarness, Sha256AndShortExpiryAndForbiddenAndWrongPassword) {
  KamailioOptions options;
  options.algorithm = "SHA-256";
  options.min_expires_s = 120;
  Kamailio kam(options);
  kam.start();
  UdpSocket sock;
  RawRequest req = register_request(kam, sock, "alice", 30);
  std::string too_brief = register_with_auth(sock, kam, req, Kamailio::password("alice"));
  ASSERT_EQ(status_code(too_brief), 423) << too_brief;
  EXPECT_EQ(header_value(too_brief, "Min-Expires").value_or(""), "120");

  req.expires = 120;
  req.call_id += "-b";
  ASSERT_EQ(status_code(register_with_auth(sock, kam, req, Kamailio::password("alice"))), 200);
  EXPECT_EQ(kam.bindings_of("alice").size(), 1u);

  RawRequest wrong = register_request(kam, sock, "bob", 300);
  EXPECT_EQ(status_code(register_with_auth(sock, kam, wrong, "not-the-password")), 401);
  RawRequest unknown = register_request(kam, sock, "mallory", 300);
  EXPECT_EQ(status_code(register_with_auth(sock, kam, unknown, "pw-mallory")), 401);
  RawRequest forbidden = register_request(kam, sock, "forbidden", 300);
  EXPECT_EQ(status_code(exchange(sock, kam, forbidden)), 403);
}

TEST(KamailioHarness, RuntimeSwitchesForceAnswersAndSilence) {
  Kamailio kam;
  kam.start();
  UdpSocket sock;
  kam.set_switch("register_code", 503);
  kam.set_switch("retry_after", 30);
  std::string busy = exchange(sock, kam, register_request(kam, sock, "1001", 300));
  ASSERT_EQ(status_code(busy), 503) << busy;
  EXPECT_EQ(header_value(busy, "Retry-After").value_or(""), "30");
  kam.set_switch("register_code", 0);
  kam.set_switch("drop_register", 1);
  EXPECT_EQ(exchange(sock, kam, register_request(kam, sock, "1001", 300), milliseconds(300)), "");

  RawRequest options;
  options.method = "OPTIONS";
  options.request_uri = kam.uri();
  options.local_port = sock.local_port();
  EXPECT_EQ(status_code(exchange(sock, kam, options)), 200);
  kam.set_switch("options_auth", 1);
  EXPECT_EQ(status_code(exchange(sock, kam, options)), 407);
  kam.set_switch("drop_options", 1);
  EXPECT_EQ(exchange(sock, kam, options, milliseconds(300)), "");
}

TEST(KamailioHarness, FreezeSilencesAndThawResumes) {
  Kamailio kam;
  kam.start();
  UdpSocket sock;
  RawRequest options;
  options.method = "OPTIONS";
  options.request_uri = kam.uri();
  options.local_port = sock.local_port();
  kam.freeze();
  EXPECT_EQ(exchange(sock, kam, options, milliseconds(300)), "");
  kam.thaw();
  // The datagram sent while frozen is answered now, then the next one too.
  EXPECT_EQ(status_code(sock.recv(kWait).value_or("")), 200);
  options.branch += "-2";
  EXPECT_EQ(status_code(exchange(sock, kam, options)), 200);
}

TEST(KamailioHarness, StopWhileFrozenStillEndsEveryProcess) {
  Kamailio kam;
  kam.start();
  const pid_t group = kam.pid();
  kam.freeze();
  kam.stop();
  EXPECT_FALSE(process_group_alive(group));
}

TEST(KamailioHarness, RestartKeepsPortsAndLosesBindings) {
  Kamailio kam;
  kam.start();
  UdpSocket sock;
  const auto port = kam.udp_port();
  RawRequest req = register_request(kam, sock, "1002", 300);
  ASSERT_EQ(status_code(register_with_auth(sock, kam, req, Kamailio::password("1002"))), 200);
  ASSERT_EQ(kam.ul_dump().size(), 1u);
  kam.restart();
  EXPECT_EQ(kam.udp_port(), port);
  EXPECT_TRUE(kam.ul_dump().empty());
}

TEST(KamailioHarness, TcpTlsAndIpv6Listeners) {
  KamailioOptions options;
  options.ipv6 = true;
  Kamailio kam(options);
  kam.start();
  RawRequest req;
  req.request_uri = kam.uri();
  req.transport = "TCP";
  auto tcp = TcpSocket::connect("127.0.0.1", kam.tcp_port());
  req.local_port = tcp.local_port();
  tcp.send(make_request(req));
  EXPECT_EQ(status_code(tcp.recv_message(kWait).value_or("")), 401);

  TlsClientOptions tls_options{.ca_file = kam.cert_path().string(), .verify_host = "127.0.0.1"};
  TlsClient tls("127.0.0.1", kam.tls_port(), tls_options);
  ASSERT_TRUE(tls.ok()) << tls.error();
  req.transport = "TLS";
  req.local_port = tls.local_port();
  ASSERT_TRUE(tls.send(make_request(req)));
  EXPECT_EQ(status_code(tls.recv_message(kWait).value_or("")), 401);

  tls_options.verify_host = "sip.example.com";
  TlsClient wrong_name("127.0.0.1", kam.tls_port(), tls_options);
  EXPECT_FALSE(wrong_name.ok());
  EXPECT_NE(wrong_name.error().find("certificate"), std::string::npos) << wrong_name.error();

  UdpSocket v6("::1", 0);
  req.transport = "UDP";
  req.local_port = v6.local_port();
  v6.send_to(make_request(req), "::1", kam.udp_port());
  EXPECT_EQ(status_code(v6.recv(kWait).value_or("")), 401);
}

// INVITE to a registered user (Request-URI without port: 127.0.0.1 is an alias on any port)
// reaches the contact with a Record-Route; an unregistered user gets 404.
TEST(KamailioHarness, ProxiesInviteToRegisteredContact) {
  Kamailio kam;
  kam.start();
  UdpSocket callee;
  RawRequest reg = register_request(kam, callee, "1003", 300);
  ASSERT_EQ(status_code(register_with_auth(callee, kam, reg, Kamailio::password("1003"))), 200);

  UdpSocket caller;
  RawRequest invite;
  invite.method = "INVITE";
  invite.request_uri = "sip:1003@127.0.0.1";
  invite.local_port = caller.local_port();
  invite.user = "1000";
  invite.call_id = "harness-invite";
  caller.send_to(make_request(invite), "127.0.0.1", kam.udp_port());
  EXPECT_EQ(status_code(caller.recv(kWait).value_or("")), 100);
  std::string forwarded = callee.recv(kWait).value_or("");
  EXPECT_EQ(forwarded.rfind("INVITE sip:1003@127.0.0.1:" + std::to_string(callee.local_port()), 0),
            0u)
      << forwarded;
  EXPECT_NE(header_value(forwarded, "Record-Route")
                .value_or("")
                .find("127.0.0.1:" + std::to_string(kam.udp_port())),
            std::string::npos)
      << forwarded;

  invite.request_uri = "sip:1999@127.0.0.1";
  invite.call_id = "harness-invite-404";
  EXPECT_EQ(status_code(exchange(caller, kam, invite)), 404);
}

// An answer with an expired nonce is challenged again with stale=true.
TEST(KamailioHarness, ExpiredNonceGetsStaleChallenge) {
  Kamailio kam(KamailioOptions{.nonce_expire_s = 1});
  kam.start();
  UdpSocket sock;
  RawRequest req = register_request(kam, sock, "1004", 300);
  std::string challenge = exchange(sock, kam, req);
  ASSERT_EQ(status_code(challenge), 401);
  EXPECT_EQ(auth_param(header_value(challenge, "WWW-Authenticate").value_or(""), "stale"), "");
  std::this_thread::sleep_for(milliseconds(2100));  // real time: Kamailio's clock
  req.cseq = 2;
  req.branch += "-late";
  req.authorization =
      digest_authorization(header_value(challenge, "WWW-Authenticate").value(), "1004",
                           Kamailio::password("1004"), "REGISTER", req.request_uri);
  std::string stale = exchange(sock, kam, req);
  ASSERT_EQ(status_code(stale), 401) << stale;
  EXPECT_EQ(auth_param(header_value(stale, "WWW-Authenticate").value_or(""), "stale"), "true");
}

// A test process that dies without stopping its Kamailio must not leave it running.
TEST(KamailioHarness, WatchdogKillsKamailioWhenTheTestProcessDies) {
  // Orphans come to this process (not to an init that may never reap them), so it can reap
  // them below and leave no zombie behind.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  // The child's run dir is never removed by it (no destructor runs): keep it in a dir of ours.
  std::string tmp = (std::filesystem::temp_directory_path() / "sipline-watchdog-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmp.data()), nullptr);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    setenv("TMPDIR", tmp.c_str(), 1);
    pid_t group = -1;
    try {
      auto* kam = new Kamailio();  // leaked on purpose: no destructor runs
      kam->start();
      group = kam->pid();
    } catch (...) {
    }
    ssize_t ignored = write(fds[1], &group, sizeof group);
    (void)ignored;
    _exit(0);
  }
  close(fds[1]);
  pid_t group = -1;
  ASSERT_EQ(read(fds[0], &group, sizeof group), static_cast<ssize_t>(sizeof group));
  close(fds[0]);
  waitpid(child, nullptr, 0);
  ASSERT_GT(group, 0) << "the child could not start Kamailio";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (process_group_alive(group) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_FALSE(process_group_alive(group));
  if (process_group_alive(group)) kill(-group, SIGKILL);
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  std::filesystem::remove_all(tmp);
}

TEST(KamailioHarness, ParsesUlDumpAndStats) {
  const std::string dump =
      "{\n\tAoRs: {\n\t\tInfo: {\n\t\t\tAoR: alice\n\t\t\tContacts: {\n\t\t\t\tContact: {\n"
      "\t\t\t\t\tAddress: sip:alice@127.0.0.1:5080\n\t\t\t\t\tExpires: 55\n"
      "\t\t\t\t\tCall-ID: abc\n\t\t\t\t\tCSeq: 7\n\t\t\t\t\tReceived: [not set]\n"
      "\t\t\t\t\tSocket: udp:127.0.0.1:5060\n\t\t\t\t}\n\t\t\t\tContact: {\n"
      "\t\t\t\t\tAddress: sip:alice@127.0.0.1:5090\n\t\t\t\t\tExpires: deleted\n"
      "\t\t\t\t}\n\t\t\t\tContact: {\n\t\t\t\t\tAddress: sip:alice@[::1]:5070\n"
      "\t\t\t\t\tExpires: permanent\n\t\t\t\t\tReceived: sip:127.0.0.1:40000;transport=tcp\n"
      "\t\t\t\t}\n\t\t\t}\n\t\t}\n\t}\n}\n";
  auto b = parse_ul_dump(dump);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].aor, "alice");
  EXPECT_EQ(b[0].contact, "sip:alice@127.0.0.1:5080");
  EXPECT_EQ(b[0].expires_s, 55);
  EXPECT_EQ(b[0].cseq, 7u);
  EXPECT_EQ(b[0].received, "");
  EXPECT_EQ(b[0].socket, "udp:127.0.0.1:5060");
  EXPECT_EQ(b[1].contact, "sip:alice@[::1]:5070");
  EXPECT_EQ(b[1].expires_s, -1);
  EXPECT_EQ(b[1].received, "sip:127.0.0.1:40000;transport=tcp");

  auto s = parse_stats("core:rcv_requests = 12\nusrloc:registered_users = 3\n");
  EXPECT_EQ(s.at("core:rcv_requests"), 12);
  EXPECT_EQ(s.at("usrloc:registered_users"), 3);
}

}  // namespace
}  // namespace sipline::test
