#!/usr/bin/env bash
# Soak: issue 12's faults in rotation over 200 accounts (UDP, TCP, TLS) against a real Kamailio,
# both inside a network namespace the test process makes for itself (needs root; the host's
# network is never touched). Reports the fault table (fault, accounts, time to recover, lost
# bindings) and the daemon's RSS after every fault.
#
#   bench/soak.sh                        # one hour
#   SOAK_SECONDS=900 bench/soak.sh       # 15 minutes
#   SOAK_ACCOUNTS=50 BUILD_DIR=build bench/soak.sh
#
# Output: the table on stdout and in $OUT_DIR/soak.txt, RSS over time in $OUT_DIR/rss.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
SOAK_SECONDS=${SOAK_SECONDS:-3600}
SOAK_ACCOUNTS=${SOAK_ACCOUNTS:-200}
OUT_DIR=${OUT_DIR:-bench/soak/out}
mkdir -p "$OUT_DIR"

if [ "$(id -u)" -ne 0 ]; then
  echo "soak.sh: needs root (a private network namespace and nftables rules inside it)" >&2
  exit 2
fi
if [ ! -x "$BUILD_DIR/tests/e2e/daemon_fault_test" ]; then
  cmake --build "$BUILD_DIR" --target daemon_fault_test sipline_cli
fi

echo "soak: $SOAK_ACCOUNTS accounts, $SOAK_SECONDS s, results in $OUT_DIR"
SIPLINE_SOAK_SECONDS=$SOAK_SECONDS SIPLINE_SOAK_ACCOUNTS=$SOAK_ACCOUNTS \
  SIPLINE_SOAK_RSS_CSV="$OUT_DIR/rss.csv" \
  "$BUILD_DIR/tests/e2e/daemon_fault_test" --gtest_filter='FaultSoak.*' 2>&1 |
  tee "$OUT_DIR/soak.txt"
status=${PIPESTATUS[0]}

echo
echo "RSS over time (KiB):"
awk -F, 'NR > 1 { f = $5; for (i = 6; i <= NF; i++) f = f "," $i
  printf "  %7.0f s  %8d KiB  %s\n", $1, $2, f }' "$OUT_DIR/rss.csv"
exit "$status"
