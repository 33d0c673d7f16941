#!/usr/bin/env bash
# One command: build media_bench (Release, own build dir) and print the table for N = 10, 100,
# 500 RTP sessions on one loop, then 500 on two loop threads for comparison.
#
# usage: bench/media/run.sh [SECONDS]    (default 5 per row)
# env:   BUILD_DIR (default <repo>/build-bench)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
seconds=${1:-5}

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSIPLINE_BENCH=ON \
  -DSIPLINE_TESTS=OFF >/dev/null
cmake --build "$build" --target media_bench >/dev/null

echo "| N    | loops | CPU %/session | CPU % total | KiB/session | late p50 ms | late p99 ms | late max ms | received |"
echo "|------|-------|---------------|-------------|-------------|-------------|-------------|-------------|----------|"
for n in 10 100 500; do
  "$build/bench/media/media_bench" "$n" "$seconds" 1
done
"$build/bench/media/media_bench" 500 "$seconds" 2
