#!/usr/bin/env bash
# Runs every test of sipline: unit, integration (loopback sockets), end to end against real
# Kamailio/SIPp started by the tests themselves, the same suites again under ASan+UBSan, and
# each libFuzzer target for a bounded time. Installs what is missing first (apt-get).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}

bash scripts/install-deps.sh

echo "== build (RelWithDebInfo)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$JOBS"

echo "== build (ASan + UBSan)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSIPLINE_SANITIZE=ON \
  -DSIPLINE_BENCH=OFF >/dev/null
cmake --build build-asan -j "$JOBS"

echo "== fuzz (${FUZZ_SECONDS}s per target)"
if [ -x fuzz/run.sh ] || [ -f fuzz/run.sh ]; then bash fuzz/run.sh "$FUZZ_SECONDS"; fi

echo "== tests under ASan + UBSan (unit, integration)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -L 'unit|integration' --output-on-failure -j "$JOBS" --timeout 300

echo "== all tests (unit, integration, e2e)"
ctest --test-dir build --output-on-failure -j "$JOBS" --timeout 300
