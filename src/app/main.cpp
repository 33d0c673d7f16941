// sipline: the command line (CLI11). Each subcommand lives in commands_*.cpp.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "app/commands.hpp"
#include "app/shard_option.hpp"
#include "sipline/engine.hpp"

namespace {

using namespace sipline::app;

struct Options {
  std::string config;
  bool json = false;
  StatusOptions status;
  std::vector<std::string> files;
  CallOptions call;
  std::uint64_t call_id = 0;
  std::string help_topic;
  std::string shard;  // --shard I/N of run and check
};

constexpr const char* kShardHelp =
    "run only slice I (0-based) of N of the accounts, after [[fleet]] expansion; without it, "
    "$JOB_COMPLETION_INDEX with the count in $SIPLINE_SHARDS";

void add_commands(CLI::App& app, Options& o) {
  auto* run = app.add_subcommand("run", "run the daemon in the foreground");
  run->add_option("-c,--config", o.config, "config file (TOML)")->required();
  run->add_option("--shard", o.shard, kShardHelp)->option_text("I/N");
  auto* check = app.add_subcommand("check", "validate a config file; exit 0 valid, 2 invalid");
  check->add_option("-c,--config", o.config, "config file (TOML)")->required();
  check->add_option("--shard", o.shard, kShardHelp)->option_text("I/N");
  auto* status = app.add_subcommand("status", "per-account state from the running daemon");
  status->add_option("-c,--config", o.config,
                     "config the daemon runs with (else $SIPLINE_CONFIG, else " +
                         std::string(kDefaultConfig) + ")");
  status->add_flag("--json", o.status.json, "print the daemon's JSON as is");
  status->add_option("--state", o.status.state,
                     "only accounts in these states, comma-separated (e.g. failed,registering)");
  status->add_option("--name", o.status.name, "only accounts whose name contains this");
  status->add_option("--offset", o.status.offset, "skip this many of the selected accounts");
  status->add_option("--limit", o.status.limit, "show at most this many accounts (0: counts only)");
  auto* call = app.add_subcommand("call", "place a call through the running daemon");
  call->add_option("-c,--config", o.config, "config the daemon runs with");
  call->add_option("--account", o.call.account, "account index (1-based)")
      ->check(CLI::PositiveNumber);
  call->add_flag("--anonymous", o.call.anonymous, "hide the caller identity");
  call->add_flag("--wait", o.call.wait, "print each state until the call ends");
  call->add_option("--hangup-after", o.call.hangup_after_s, "hang up S seconds after the answer")
      ->check(CLI::NonNegativeNumber);
  call->add_option("URI", o.call.uri, "who to call (sip:... or a user / number)")->required();
  auto* calls = app.add_subcommand("calls", "list the daemon's calls (active, then ended)");
  calls->add_option("-c,--config", o.config, "config the daemon runs with");
  calls->add_flag("--json", o.json, "print the daemon's JSON as is");
  auto* hangup = app.add_subcommand("hangup", "end a call (reject, cancel or BYE)");
  hangup->add_option("-c,--config", o.config, "config the daemon runs with");
  hangup->add_option("ID", o.call_id, "the call's id")->required();
  auto* parse = app.add_subcommand("parse", "parse raw SIP messages, one per file");
  parse->add_flag("--json", o.json, "JSON: one object for one file, an array for several");
  parse->add_option("FILE", o.files, "files with one raw SIP message each")->required();
  auto* help = app.add_subcommand("help", "help for a command");
  help->add_option("CMD", o.help_topic, "the command");
}

int help_for(CLI::App& app, const std::string& topic) {
  if (topic.empty()) {
    std::cout << app.help();
    return kExitOk;
  }
  for (auto* sub : app.get_subcommands({})) {
    if (sub->get_name() == topic) {
      std::cout << sub->help("sipline");
      return kExitOk;
    }
  }
  std::cerr << "sipline: no command \"" << topic << "\"; see sipline --help\n";
  return kExitUsage;
}

int dispatch(CLI::App& app, const Options& o) {
  const std::string name = app.get_subcommands().front()->get_name();
  if (name == "run" || name == "check") {
    sipline::Shard shard;
    std::string error;
    if (!resolve_shard(
            o.shard, [](const char* v) { return std::getenv(v); }, shard, error)) {
      std::cerr << "sipline: " << error << "\n";
      return kExitUsage;
    }
    return name == "run" ? run_daemon(o.config, shard) : check_config(o.config, shard);
  }
  if (name == "status") return show_status(resolve_config_path(o.config), o.status);
  if (name == "call") return place_call(resolve_config_path(o.config), o.call);
  if (name == "calls") return list_calls(resolve_config_path(o.config), o.json);
  if (name == "hangup") return hangup_call(resolve_config_path(o.config), o.call_id);
  if (name == "parse") return parse_messages(o.files, o.json);
  return help_for(app, o.help_topic);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sipline: a SIP user agent that keeps accounts registered", "sipline"};
  app.set_version_flag("--version", "sipline " + std::string(sipline::version()));
  app.require_subcommand(1);
  Options options;
  add_commands(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help / version / the error
    return code == 0 ? kExitOk : kExitUsage;
  }
  return dispatch(app, options);
}
