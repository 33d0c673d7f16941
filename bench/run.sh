#!/usr/bin/env bash
# One command: build parse_bench (Release, own build dir), run the Google Benchmark suite,
# then the registration bench (bench/reg, REG_BENCH=0 skips it) and the call bench (bench/calls,
# CALL_BENCH=0 skips it), then callgrind.sh for instructions per byte, and print the summary table.
#
# usage: bench/run.sh [google benchmark flags, e.g. --benchmark_min_time=1]
# env:   BUILD_DIR (default <repo>/build-bench), CALLGRIND_ITERATIONS (default 200)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}

# -g only adds symbols (callgrind_annotate names and lines); code is the same as Release.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O3 -DNDEBUG -g" -DSIPLINE_BENCH=ON -DSIPLINE_TESTS=OFF >/dev/null
cmake --build "$build" --target parse_bench

bin=$build/bench/parse_bench
json=$build/bench/parse_bench.json
"$bin" --benchmark_out="$json" --benchmark_out_format=json "$@"
[[ ${REG_BENCH:-1} == 0 ]] || "$root/bench/reg/run.sh" || echo "bench/reg/run.sh failed" >&2
[[ ${CALL_BENCH:-1} == 0 ]] || "$root/bench/calls/run.sh" || echo "bench/calls/run.sh failed" >&2
exec "$root/bench/callgrind.sh" "$bin" "$json" "${CALLGRIND_ITERATIONS:-200}"
