// sipline::http_settings_of: the [daemon] keys of the HTTP side as the daemon and the CLI read
// them from a config file (host names split and trimmed, the default port, the token's path).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sipline/daemon.hpp"
#include "temp_file.hpp"

namespace {

TEST(DaemonSettings, HttpKeysAsTheDaemonUsesThem) {
  const std::string path = sipline_test::unique_temp_file(
      "daemon.toml",
      "[daemon]\nhttp_listen = \"127.0.0.1:8081\"\nstate_dir = \"/var/lib/x\"\n"
      "http_token_file = \"token\"\nhttp_host_names = \" door.example , pbx.example\"\n"
      "[[account]]\nsip_server = \"pbx.example.com\"\nuser_id = \"1\"\n");
  sipline::HttpSettings s;
  std::string error;
  ASSERT_TRUE(sipline::http_settings_of(path, s, error)) << error;
  EXPECT_EQ(s.listen, "127.0.0.1:8081");
  EXPECT_TRUE(s.loopback);
  EXPECT_EQ(s.token_file, "/var/lib/x/token");
  EXPECT_EQ(s.host_names, (std::vector<std::string>{"door.example", "pbx.example"}));

  sipline::HttpSettings bad;
  EXPECT_FALSE(sipline::http_settings_of("/nonexistent/sipline.toml", bad, error));
  EXPECT_NE(error.find("/nonexistent/sipline.toml"), std::string::npos) << error;
}

}  // namespace
