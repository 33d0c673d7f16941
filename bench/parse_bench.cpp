// parse_bench: sipline vs Sofia-SIP vs oSIP2 on the same messages, same extracted fields.
//
//   parse_bench [--messages=DIR] [google benchmark flags]
//       checks that the three parsers extract equal fields from every message (exit 1 if
//       not), then runs parse/<parser>/<message> and all/<parser> benchmarks.
//   parse_bench --instr=sipline|sofia|osip --iterations=N [--messages=DIR]
//       no benchmark machinery: one warm-up pass, then N passes over all messages (for
//       callgrind: instructions = Ir(N) - Ir(0)).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "parsers.hpp"

#ifndef SIPLINE_BENCH_MESSAGES_DIR
#error "SIPLINE_BENCH_MESSAGES_DIR must name the directory of *.sip messages"
#endif

namespace sipline::bench {
namespace {

struct Options {
  std::string messages_dir = SIPLINE_BENCH_MESSAGES_DIR;
  std::string instr;  // parser name for --instr mode; empty: benchmark mode
  long iterations = -1;
};

bool take_value(const char* arg, const char* flag, std::string* out) {
  std::size_t n = std::strlen(flag);
  if (std::strncmp(arg, flag, n) != 0 || arg[n] != '=') return false;
  *out = arg + n + 1;
  return true;
}

// Removes our own flags from argv (the rest goes to Google Benchmark).
Options parse_options(int* argc, char** argv) {
  Options o;
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string v;
    if (take_value(argv[i], "--messages", &o.messages_dir) ||
        take_value(argv[i], "--instr", &o.instr)) {
      continue;
    }
    if (take_value(argv[i], "--iterations", &v)) {
      o.iterations = std::strtol(v.c_str(), nullptr, 10);
      continue;
    }
    if (std::strcmp(argv[i], "--iterations") == 0 && i + 1 < *argc) {
      o.iterations = std::strtol(argv[++i], nullptr, 10);
      continue;
    }
    argv[kept++] = argv[i];
  }
  *argc = kept;
  return o;
}

// ---- equality check -------------------------------------------------------------------

struct Owned {
  std::string branch, cseq_method, call_id, from_tag;
  std::uint32_t cseq = 0;
  std::size_t contacts = 0;
  bool operator==(const Owned&) const = default;
};

void copy_fields(const Fields& f, void* ctx) {
  auto* o = static_cast<Owned*>(ctx);
  o->branch = f.branch;
  o->cseq = f.cseq;
  o->cseq_method = f.cseq_method;
  o->call_id = f.call_id;
  if (!f.call_id_host.empty()) {
    o->call_id += '@';
    o->call_id += f.call_id_host;
  }
  o->from_tag = f.from_tag;
  o->contacts = f.contacts;
}

void print_fields(std::string_view parser, const Owned& o) {
  std::fprintf(stderr, "  %-8.*s branch=%s cseq=%u %s call-id=%s from-tag=%s contacts=%zu\n",
               static_cast<int>(parser.size()), parser.data(), o.branch.c_str(), o.cseq,
               o.cseq_method.c_str(), o.call_id.c_str(), o.from_tag.c_str(), o.contacts);
}

// True when every parser parses every message and all extract the same fields.
bool check_agreement(const std::vector<TestMessage>& messages) {
  bool all_ok = true;
  for (const TestMessage& m : messages) {
    Owned got[std::size(kParsers)];
    bool ok = true;
    for (std::size_t p = 0; p < std::size(kParsers); ++p) {
      if (!kParsers[p].parse(m.data, copy_fields, &got[p])) {
        std::fprintf(stderr, "parse_bench: %s failed to parse %s\n",
                     std::string(kParsers[p].name).c_str(), m.name.c_str());
        ok = false;
      } else if (!(got[p] == got[0])) {
        ok = false;
      }
    }
    if (!ok) {
      std::fprintf(stderr, "parse_bench: parsers disagree on %s:\n", m.name.c_str());
      for (std::size_t p = 0; p < std::size(kParsers); ++p) print_fields(kParsers[p].name, got[p]);
      all_ok = false;
    }
  }
  return all_ok;
}

// ---- benchmarks -----------------------------------------------------------------------

void keep_fields(const Fields& f, void*) {
  benchmark::DoNotOptimize(&f);
}

void register_benchmarks(const std::vector<TestMessage>& messages) {
  for (const Parser& p : kParsers) {
    for (const TestMessage& m : messages) {
      std::string name = "parse/" + std::string(p.name) + "/" + m.name;
      benchmark::RegisterBenchmark(name.c_str(), [&p, &m](benchmark::State& state) {
        for (auto _ : state) {
          if (!p.parse(m.data, keep_fields, nullptr)) state.SkipWithError("parse failed");
        }
        state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(m.data.size()));
        state.SetItemsProcessed(state.iterations());
      });
    }
  }
  std::int64_t total = 0;
  for (const TestMessage& m : messages) total += static_cast<std::int64_t>(m.data.size());
  for (const Parser& p : kParsers) {
    std::string name = "all/" + std::string(p.name);
    benchmark::RegisterBenchmark(name.c_str(), [&p, &messages, total](benchmark::State& state) {
      for (auto _ : state) {
        for (const TestMessage& m : messages) {
          if (!p.parse(m.data, keep_fields, nullptr)) state.SkipWithError("parse failed");
        }
      }
      auto n = static_cast<std::int64_t>(messages.size());
      state.SetBytesProcessed(state.iterations() * total);
      state.SetItemsProcessed(state.iterations() * n);
      // Seconds per message (an inverted rate; shown as e.g. "1.5u" = 1.5 us).
      state.counters["sec_per_msg"] =
          benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate |
                                                         benchmark::Counter::kInvert);
    });
  }
}

// ---- instruction-count mode -----------------------------------------------------------

std::size_t g_sink_bytes = 0;
void count_fields(const Fields& f, void*) {
  g_sink_bytes += f.branch.size() + f.call_id.size() + f.from_tag.size() + f.contacts;
}

int run_instr(const Options& o, const std::vector<TestMessage>& messages) {
  const Parser* parser = nullptr;
  for (const Parser& p : kParsers) {
    if (p.name == o.instr) parser = &p;
  }
  if (parser == nullptr || o.iterations < 0) {
    std::fprintf(stderr, "usage: parse_bench --instr=sipline|sofia|osip --iterations=N\n");
    return 2;
  }
  // Warm-up pass in every run (also N = 0) so one-time set-up cancels out in Ir(N) - Ir(0).
  for (long i = -1; i < o.iterations; ++i) {
    for (const TestMessage& m : messages) {
      if (!parser->parse(m.data, count_fields, nullptr)) {
        std::fprintf(stderr, "parse_bench: %s failed on %s\n", o.instr.c_str(), m.name.c_str());
        return 1;
      }
    }
  }
  std::size_t total = 0;
  for (const TestMessage& m : messages) total += m.data.size();
  std::printf("parser=%s iterations=%ld messages=%zu bytes_per_pass=%zu extracted=%zu\n",
              o.instr.c_str(), o.iterations, messages.size(), total, g_sink_bytes);
  return 0;
}

}  // namespace
}  // namespace sipline::bench

int main(int argc, char** argv) {
  using namespace sipline::bench;
  Options options = parse_options(&argc, argv);
  std::string error;
  const std::vector<TestMessage> messages = load_messages(options.messages_dir, &error);
  if (messages.empty()) {
    std::fprintf(stderr, "parse_bench: %s\n", error.c_str());
    return 1;
  }
  init_parsers();
  if (!options.instr.empty()) return run_instr(options, messages);
  if (!check_agreement(messages)) {
    std::fprintf(stderr, "parse_bench: aborting: the parsers do not extract the same values\n");
    return 1;
  }
  std::fprintf(stderr, "parse_bench: %zu messages from %s; all parsers agree\n", messages.size(),
               options.messages_dir.c_str());
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_benchmarks(messages);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
