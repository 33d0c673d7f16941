#!/usr/bin/env bash
# Call bench (issue 9 item 7): C concurrent G.711 calls through the project's Kamailio to one
# far end, SIPp's uas with -rtp_echo (registered as user 1999; every call's RTP is echoed back),
# placed first by sipline (one account, POST /api/calls C times), then by SIPp as a uac
# (bench/calls/uac_rtp.xml: the same PCMU offer, rtp_stream of a tone) — the same Kamailio, far
# end and measurements in the same run. For each caller and C it prints
#   up            calls answered (a 200 for the INVITE in the capture)
#   setup ms      INVITE -> 200 at the caller's SIP port on loopback (dumpcap), median and p99
#   CPU %         the caller's CPU (all threads, /proc/PID/stat) over HOLD_S seconds with all C
#                 calls up, in % of one core; per call: that / C
#   KiB/call      (VmRSS with C calls up - VmRSS before any call) / C; SIPp's "before" is a
#                 1-call run of the same scenario (it places its calls as it starts)
#   jitter ms     RTP send jitter: |gap - 20 ms| between consecutive packets of each stream the
#                 caller sent, captured in the HOLD_S window, median and p99
# and checks sipline's targets (500 calls on one core, median send jitter < 1 ms, < 50 KiB per
# call, set-up < 5 ms).
#
# usage: bench/calls/run.sh [C ...]          (default: 10 100 500)
# env: SIPLINE_BIN (default build/src/app/sipline, built if missing), HOLD_S (10),
#      KAM_DEFINES (default "LOG_LEVEL=1 UDP_CHILDREN=2"), KAM_PRESENCE=1 (Kamailio with its
#      presence server, which tracks each call's dialog: off by default), CALL_BENCH_KEEP=1 (keep the run dir:
#      captures, configs, logs), CALL_BENCH_SIPP=0 (sipline only), PERF_OUT=FILE: perf record
#      (call graphs) of sipline in each steady window, to FILE.C (perf report -i FILE.C).
# Runs in a private network namespace (unshare -n, loopback only) when it can.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
read -r -a COUNTS <<<"${*:-10 100 500}"
HOLD_S=${HOLD_S:-10}

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
bench_netns CALL_BENCH_IN_NS "$0" "$@"
SIPLINE_BIN=$(bench_sipline_bin "$root")
RUN=$(mktemp -d /tmp/sipline-callbench.XXXXXX)
KAM=$RUN/kamailio
UAS_PORT=5090 UAS_MEDIA=6000 SIPLINE_PORT=5100 SIPP_PORT=5200 SIPP_MEDIA=27000 HTTP=18124
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  bash "$root/scripts/kamailio.sh" stop "$KAM" >/dev/null 2>&1 || true
  if [[ -n ${CALL_BENCH_KEEP:-} ]]; then echo "kept $RUN" >&2; else rm -rf "$RUN"; fi
}
trap cleanup EXIT

say() { echo "[calls bench] $*" >&2; }
# sipp -bg prints "Background mode - PID=[N]"
bg_pid() { grep -o 'PID=\[[0-9]*\]' "$1" | tr -dc '0-9'; }

# A tone for both callers: 10 s of 440 Hz, as 8 kHz 16-bit WAV (sipline's media_file) and raw
# u-law (SIPp's rtp_stream).
python3 - "$RUN" <<'EOF'
import math, struct, sys, wave
samples = [int(8000 * math.sin(2 * math.pi * 440 * i / 8000)) for i in range(80000)]
with wave.open(sys.argv[1] + "/tone.wav", "wb") as w:
    w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000)
    w.writeframes(b"".join(struct.pack("<h", s) for s in samples))
def ulaw(s):
    sign = 0x80 if s < 0 else 0
    s = min(abs(s), 32635) + 132
    exp = max(0, s.bit_length() - 8)
    return ~(sign | (exp << 4) | ((s >> (exp + 3)) & 15)) & 0xFF
open(sys.argv[1] + "/tone.ulaw", "wb").write(bytes(ulaw(s) for s in samples))
EOF

# Without the presence server by default: it tracks every call's dialog for busy lamps (a
# PUBLISH and sqlite writes per state change), which is Kamailio's cost, not the callers'.
KAMAILIO_DEFINES=${KAM_DEFINES:-"LOG_LEVEL=1 UDP_CHILDREN=2"} KAMAILIO_PRESENCE=${KAM_PRESENCE:-0} \
  bash "$root/scripts/kamailio.sh" start "$KAM" >/dev/null
# shellcheck disable=SC1091
source "$KAM/ports.env"
sipp -sn uas -rtp_echo -i 127.0.0.1 -p $UAS_PORT -mi 127.0.0.1 -mp $UAS_MEDIA -bg \
  -max_socket 2048 >"$RUN/uas.out" 2>&1 || true # -bg: the parent exits 99 ("no call yet")
PIDS+=("$(bg_pid "$RUN/uas.out")")
python3 "$here/register.py" "$SIP_PORT" 1999 "sip:1999@127.0.0.1:$UAS_PORT" >&2

capture() { # capture FILE FILTER: starts dumpcap, sets CAP_PID
  dumpcap -q -i lo -P -B 64 -f "$2" -w "$1" >"$1.log" 2>&1 &
  CAP_PID=$!
  sleep 1
}
stop_capture() {
  kill -INT "$CAP_PID" 2>/dev/null || true
  wait "$CAP_PID" 2>/dev/null || true
}
analyze() { python3 "$here/analyze.py" "$@" || echo "0 nan nan nan nan 0 nan nan nan"; }
# steady PID: the caller's CPU over HOLD_S s; prints "cpu_percent w0 w1 rss_kib"
steady() {
  local c0 c1 t0 t1
  c0=$(cpu_ticks "$1") t0=$(now)
  sleep "$HOLD_S"
  c1=$(cpu_ticks "$1") t1=$(now)
  awk -v c=$((c1 - c0)) -v hz="$CLK_TCK" -v a="$t0" -v b="$t1" -v r="$(vm_kib "$1" VmRSS)" \
    'BEGIN { printf "%.1f %s %s %s\n", 100 * c / hz / (b - a), a, b, r }'
}

# api METHOD PATH...: many requests on one keep-alive connection (placing 500 calls with 500
# curl processes would measure curl).
api() {
  python3 - "$HTTP" "$@" <<'EOF'
import http.client, os, sys, time
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
method = sys.argv[2]
pace = float(os.environ.get("API_PACE_S", "0"))
start = time.monotonic()
for n, arg in enumerate(sys.argv[3:]):
    time.sleep(max(0.0, start + n * pace - time.monotonic()))
    path, _, body = arg.partition(" ")
    conn.request(method, path, body=body or None, headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    if method == "GET":
        sys.stdout.write(data.decode())
EOF
}
count_calls() { # count_calls STATE
  api GET /api/calls | python3 -c "import json,sys; print(sum(c['state'] == '$1' for c in json.load(sys.stdin)))"
}

run_sipline() { # run_sipline C: prints the row's figures
  local c=$1 dir=$RUN/sipline-$1 dpid rss0 line
  mkdir -p "$dir"
  cat >"$dir/sipline.toml" <<EOF
[daemon]
state_dir = "$dir/state"
http_listen = "127.0.0.1:$HTTP"
http_token_file = ""
log_level = "warn"
rtp_port_min = 40000
rtp_port_max = 41999

[[account]]
sip_server = "127.0.0.1:$SIP_PORT"
user_id = "1001"
password = "pw-1001"
local_sip_port = $SIPLINE_PORT
unregister_before_new_registration = "no"
max_calls = 1000
media_file = "$RUN/tone.wav"
EOF
  "$SIPLINE_BIN" run -c "$dir/sipline.toml" </dev/null >"$dir/out.log" 2>&1 &
  dpid=$!
  PIDS+=("$dpid")
  local deadline=$((SECONDS + 20))
  until api GET /api/accounts 2>/dev/null | grep -q '"state":"registered"'; do
    ((SECONDS < deadline)) || { say "sipline did not register"; return 1; }
    sleep 0.2
  done
  capture "$dir/calls.pcap" "udp and (port $SIP_PORT or src portrange 40000-41999)"
  rss0=$(vm_kib "$dpid" VmRSS)
  local bodies=() i
  for ((i = 0; i < c; i++)); do bodies+=('/api/calls {"account":1,"to":"1999"}'); done
  # Placed at SIPp's pace (-r C -rp 1000: C calls spread over one second), not in one burst.
  API_PACE_S=$(awk -v c="$c" 'BEGIN { print 1 / c }') api POST "${bodies[@]}"
  deadline=$((SECONDS + 60))
  until [[ $(count_calls confirmed) == "$c" ]]; do
    ((SECONDS < deadline)) || { say "sipline: not all $c calls confirmed"; break; }
    sleep 0.5
  done
  sleep 1
  local perf_pid=""
  if [[ -n ${PERF_OUT:-} ]]; then  # where sipline's CPU goes with all calls up
    perf record -F 999 -g -o "$PERF_OUT.$c" -p "$dpid" -- sleep "$HOLD_S" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  read -r cpu w0 w1 rss1 < <(steady "$dpid")
  [[ -z $perf_pid ]] || wait "$perf_pid" || true
  stop_capture
  local ids=()
  mapfile -t ids < <(api GET /api/calls | python3 -c \
    "import json,sys; [print(c['id']) for c in json.load(sys.stdin) if c['state'] != 'ended']")
  ((${#ids[@]} == 0)) || api DELETE "${ids[@]/#//api/calls/}"
  sleep 2
  kill -TERM "$dpid"
  wait "$dpid" 2>/dev/null || true
  read -r up s50 s99 j50 j99 pk k_in far k_out < <(analyze "$dir/calls.pcap" "$SIPLINE_PORT" "$w0" "$w1" "$UAS_PORT")
  echo "$up $s50 $s99 $cpu $(awk -v a="$rss0" -v b="$rss1" -v c="$c" 'BEGIN { printf "%.1f", (b - a) / c }') $j50 $j99 $pk $k_in $far $k_out"
}

sipp_uac() { # sipp_uac DIR C HOLD_MS: starts SIPp's uac, sets SIPP_PID
  sed "s|@TONE@|$RUN/tone.ulaw|; s|@HOLD_MS@|$3|" "$here/uac_rtp.xml" >"$1/uac.xml"
  sipp -sf "$1/uac.xml" -s 1999 "127.0.0.1:$SIP_PORT" -i 127.0.0.1 -p $SIPP_PORT -mi 127.0.0.1 \
    -mp $SIPP_MEDIA -l "$2" -m "$2" -r "$2" -rp 1000 -bg -max_socket 2048 >"$1/sipp.out" 2>&1 || true
  SIPP_PID=$(bg_pid "$1/sipp.out")
  PIDS+=("$SIPP_PID")
}
wait_gone() { local d=$((SECONDS + $2)); while kill -0 "$1" 2>/dev/null && ((SECONDS < d)); do sleep 0.2; done; }

run_sipp() { # run_sipp C
  local c=$1 dir=$RUN/sipp-$1 rss0
  mkdir -p "$dir"
  sipp_uac "$dir" 1 $((3000 + HOLD_S * 500))
  sleep 2
  rss0=$(vm_kib "$SIPP_PID" VmRSS)
  wait_gone "$SIPP_PID" $((HOLD_S + 10))
  capture "$dir/calls.pcap" "udp and (port $SIP_PORT or src port $SIPP_MEDIA)"
  sipp_uac "$dir" "$c" $((4000 + HOLD_S * 1000))
  sleep 3
  read -r cpu w0 w1 rss1 < <(steady "$SIPP_PID")
  stop_capture
  wait_gone "$SIPP_PID" 30
  read -r up s50 s99 j50 j99 pk k_in far k_out < <(analyze "$dir/calls.pcap" "$SIPP_PORT" "$w0" "$w1" "$UAS_PORT")
  echo "$up $s50 $s99 $cpu $(awk -v a="$rss0" -v b="$rss1" -v c="$c" 'BEGIN { printf "%.1f", (b - a) / c }') $j50 $j99 $pk $k_in $far $k_out"
}

row() { # row NAME C FIGURES...
  local name=$1 c=$2 up=$3 s50=$4 s99=$5 cpu=$6 kib=$7 j50=$8 j99=$9 pk=${10}
  printf '%-8s %5s %5s %9s %9s %7s %10s %9s %10s %10s %9s   %s / %s / %s\n' "$name" "$c" "$up" \
    "$s50" "$s99" "$cpu" "$(awk -v p="$cpu" -v c="$c" 'BEGIN { printf "%.3f", p / c }')" "$kib" \
    "$j50" "$j99" "$pk" "${11}" "${12}" "${13}"
}

ROWS=()
for c in "${COUNTS[@]}"; do
  say "sipline, $c calls"
  ROWS+=("sipline $c $(run_sipline "$c")")
  if [[ ${CALL_BENCH_SIPP:-1} != 0 ]]; then
    say "SIPp uac, $c calls"
    ROWS+=("sipp $c $(run_sipp "$c")")
  fi
done
printf '%-8s %5s %5s %9s %9s %7s %10s %9s %10s %10s %9s   %s\n' caller C up "setup p50" \
  "setup p99" "CPU %" "CPU %/call" "KiB/call" "jitter p50" "jitter p99" "RTP pkts" \
  "set-up p50: Kamailio in / far end / Kamailio out"
printf '%-8s %5s %5s %9s %9s %7s %10s %9s %10s %10s %9s   %s\n' "" "" "" ms ms core core "" ms \
  ms sent ms
for r in "${ROWS[@]}"; do
  # shellcheck disable=SC2086
  row $r
done
# sipline's targets at the largest C.
read -r _ c up s50 _ cpu kib j50 _ _ _ _ < <(printf '%s\n' "${ROWS[@]}" | awk '$1 == "sipline"' | tail -1)
verdict() { if awk "BEGIN { exit !($2) }"; then echo "PASS $1"; else echo "FAIL $1"; fi; }
verdict "$c calls all up ($up)" "$up == $c"
verdict "$c calls on one core (CPU $cpu %)" "$cpu < 100"
verdict "median send jitter < 1 ms ($j50 ms)" "$j50 < 1"
verdict "< 50 KiB per call ($kib KiB)" "$kib < 50"
verdict "set-up < 5 ms (median $s50 ms)" "$s50 < 5"
