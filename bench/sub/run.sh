#!/usr/bin/env bash
# Subscription bench (issue 8): N accounts, each subscribed to its MWI and to 5 busy lamps,
# against the project's Kamailio with its presence server, next to the same N accounts without
# subscriptions. For each run it prints
#   ready s    from the daemon's start until all N are registered and all N*SUBS subscriptions
#              are active (GET /metrics, engine-wide series only, polled every POLL_MS = 50 ms
#              by wait_ready.py, one process and one connection: bash's curl + awk per poll
#              took up to 2 s on a loaded machine)
#   fail       SUBSCRIBE attempts that failed (sipline_subscription_failures_total)
#   rcvbuf     the kernel's UDP RcvbufErrors over the run (drops at any socket)
#   RSS MiB    the daemon's VmHWM once ready;  KiB/acct: (RSS with subs - RSS without) / N
#   idle CPU s the daemon's CPU in IDLE_S seconds once everything is settled (target 0)
#   idle kam   Kamailio's (every process of its group) in the same window
#
# usage: bench/sub/run.sh [N]     (default 1000; N <= 1000, users 1000..1999)
# env: SIPLINE_BIN (default: build/src/app/sipline, built if missing), IDLE_S (5),
#      TIMEOUT_S (60), AUTH_AHEAD (1: add_auth_header_on_reregister = true, so each SUBSCRIBE
#      carries credentials from the account's newest challenge instead of being challenged
#      first; 0: every SUBSCRIBE meets a 401), SUB_BENCH_KEEP=1 (keep the run directory), KAM_DEFINES ("LOG_LEVEL=1 UDP_CHILDREN=1 PRESENCE_HTABLE=12 REGINFO_PUBLISH=0":
#      on 2 cores shared with the daemon, Kamailio's workers contend for its shared-memory locks;
#      with 4 they burnt 2.3 CPU s to bring 6000 subscriptions up, with 2 2.0 s, with 1 1.6 s;
#      PRESENCE_HTABLE=12 REGINFO_PUBLISH=0: bigger presence hash tables and no pua_reginfo
#      PUBLISH per registration, as no watcher here wants reg events: 2.2 -> 1.5 Kamailio CPU s,
#      docs/kamailio-presence.md),
#      KAMAILIO_MEM (Kamailio's memory manager: qm, fm, tlsf; default its own, qm, whose
#      qm_malloc is a third of Kamailio's samples, but tlsf did not lower its CPU), PERF_OUT=FILE: perf record (call graphs) of the daemon and Kamailio while the run with
#      subscriptions comes up (perf report -i FILE --sort comm,dso,sym),
#      IN_FLIGHT (the daemon's registrations_in_flight, default its own 64),
#      TIMELINE=1: also print, for the run with subscriptions, every poll until ready: elapsed s,
#      registered, active subscriptions, CPU s of the daemon and of Kamailio's process group
#      (which side is busy while the subscriptions come up), on stderr.
# Runs in a private network namespace (unshare -n, loopback only) when it can.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
N=${1:-1000}
IDLE_S=${IDLE_S:-5}
AUTH_AHEAD=${AUTH_AHEAD:-1}
TIMEOUT_S=${TIMEOUT_S:-60}
BLF=5

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
bench_netns SUB_BENCH_IN_NS "$0" "$@"
SIPLINE_BIN=$(bench_sipline_bin "$root")
RUN=$(mktemp -d /tmp/sipline-subbench.XXXXXX)
KAM=$RUN/kamailio
cleanup() {
  [[ -n ${DPID:-} ]] && kill -TERM "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
  bash "$root/scripts/kamailio.sh" stop "$KAM" >/dev/null 2>&1 || true
  if [[ -n ${SUB_BENCH_KEEP:-} ]]; then echo "kept $RUN" >&2; else rm -rf "$RUN"; fi
}
trap cleanup EXIT

metric_sum() { # metric_sum TEXT NAME: its samples summed, with labels or without
  awk -v m="$2" 'index($0, m "{") == 1 || index($0, m " ") == 1 { s += $NF } END { print s + 0 }' <<<"$1"
}

# config WITH_SUBS FILE
config() {
  {
    printf '[daemon]\nstate_dir = "%s/state"\nhttp_listen = "127.0.0.1:%s"\nhttp_token_file = ""\n' \
      "$RUN" "$HTTP"
    printf 'log_level = "warn"\nmetrics_per_account = false\n'
    [[ -z ${IN_FLIGHT:-} ]] || printf 'registrations_in_flight = %s\n' "$IN_FLIGHT"
    awk -v n="$N" -v k="$SIP_PORT" -v subs="$1" -v blf="$BLF" -v ahead="$AUTH_AHEAD" 'BEGIN {
      for (i = 0; i < n; i++) {
        u = 1000 + i
        printf "\n[[account]]\nsip_server = \"127.0.0.1:%d\"\nuser_id = \"%d\"\n", k, u
        printf "password = \"pw-%d\"\nlocal_sip_port = %d\n", u, 20000 + 2 * i
        printf "unregister_before_new_registration = \"no\"\n"
        if (ahead) printf "add_auth_header_on_reregister = true\n"
        if (subs) {
          printf "subscribe_mwi = true\nblf = ["
          for (j = 1; j <= blf; j++) printf "%s\"%d\"", (j > 1 ? ", " : ""), 1000 + (i + j) % n
          printf "]\n"
        }
      }
    }'
  } >"$2"
}

# run WITH_SUBS: prints "ready fail rcvbuf rss_kib idle_cpu"
run() {
  bash "$root/scripts/kamailio.sh" stop "$KAM" >/dev/null 2>&1 || true
  KAMAILIO_DEFINES=${KAM_DEFINES:-"LOG_LEVEL=1 UDP_CHILDREN=1 PRESENCE_HTABLE=12 REGINFO_PUBLISH=0"} \
    KAMAILIO_MEM=${KAMAILIO_MEM:-} bash "$root/scripts/kamailio.sh" start "$KAM" >/dev/null
  # shellcheck disable=SC1091
  source "$KAM/ports.env"
  HTTP=18123
  rm -rf "$RUN/state"
  config "$1" "$RUN/sub.toml"
  local want_subs=$((N * (BLF + 1) * $1)) t0 drops0 metrics ready="timeout" active=0 reg=0
  local busy_d busy_k
  local kpid k0 busy="- -" perf_pid="" go=$RUN/go poller
  kpid=$(tr -dc '0-9' <"$KAM/kamailio.pid")
  rm -f "$go" "$go.up" "$RUN/ready"
  python3 "$here/wait_ready.py" "$HTTP" "$N" "$want_subs" "$TIMEOUT_S" "$go" "$kpid" \
    "$([[ -n ${TIMELINE:-} && $1 == 1 ]] && echo 1 || echo 0)" >"$RUN/ready" &
  poller=$!
  while [[ ! -e $go.up ]]; do sleep 0.05; done
  drops0=$(udp_counter RcvbufErrors)
  k0=$(group_cpu_ticks "$kpid")
  t0=$EPOCHREALTIME
  "$SIPLINE_BIN" run -c "$RUN/sub.toml" </dev/null >"$RUN/out.log" 2>&1 &
  DPID=$!
  echo "$t0 $DPID $k0" >"$go.tmp" && mv "$go.tmp" "$go"
  if [[ -n ${PERF_OUT:-} && $1 == 1 ]]; then  # where the daemon's and Kamailio's CPU goes
    perf record -F 2999 -g -o "$PERF_OUT" -p "$DPID,$(pgrep -d, -g "$kpid")" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  wait "$poller" || true
  read -r ready reg active busy_d busy_k <"$RUN/ready"
  [[ $ready == timeout ]] || busy="$busy_d $busy_k"
  [[ -z $perf_pid ]] || { kill -INT "$perf_pid"; wait "$perf_pid" || true; }
  sleep 6 # every transaction over (T4 = 5 s) before the idle window
  local c0 c1 kc0 kc1
  c0=$(cpu_ticks "$DPID")
  kc0=$(group_cpu_ticks "$kpid")
  sleep "$IDLE_S"
  c1=$(cpu_ticks "$DPID")
  kc1=$(group_cpu_ticks "$kpid")
  metrics=$(curl -s --max-time 2 "http://127.0.0.1:$HTTP/metrics" || true)
  echo "$ready $(metric_sum "$metrics" sipline_subscription_failures_total) $(($(udp_counter RcvbufErrors) - drops0))" \
    "$(vm_kib "$DPID" VmHWM) $(ticks_to_s $((c1 - c0)))" \
    "$(ticks_to_s $((kc1 - kc0)))" \
    "$busy $reg $active/$want_subs"
  kill -TERM "$DPID"
  wait "$DPID" 2>/dev/null || true
  DPID=
}

# $(...), not < <(...): read returns at the first line, while run's daemon is still unregistering
# its accounts after SIGTERM, so the next run's daemon found their ports taken (1000 accounts).
row0=$(run 0)
row1=$(run 1)
read -r r0 f0 d0 m0 i0 k0 cd0 ck0 g0 a0 <<<"$row0"
read -r r1 f1 d1 m1 i1 k1 cd1 ck1 g1 a1 <<<"$row1"
# CPU s until ready: what the daemon and Kamailio's processes burnt from the start to "ready"
# (which side does the work; compare with ready s x cores).
printf '%-26s %8s %6s %7s %8s %10s %10s %9s %9s %9s %s\n' run "ready s" fail rcvbuf "RSS MiB" \
  "KiB/acct" "idle CPU s" "idle kam" "CPU ours" "CPU kam" "registered, active subs"
printf '%-26s %8s %6s %7s %8.1f %10s %10s %9s %9s %9s %s\n' "$N accounts, no subs" "$r0" "$f0" \
  "$d0" "$(awk -v k="$m0" 'BEGIN { print k / 1024 }')" - "$i0" "$k0" "$cd0" "$ck0" "$g0 $a0"
printf '%-26s %8s %6s %7s %8.1f %10.1f %10s %9s %9s %9s %s\n' "$N accounts, MWI + $BLF BLF" "$r1" \
  "$f1" "$d1" "$(awk -v k="$m1" 'BEGIN { print k / 1024 }')" \
  "$(awk -v a="$m0" -v b="$m1" -v n="$N" 'BEGIN { print (b - a) / n }')" "$i1" "$k1" "$cd1" \
  "$ck1" "$g1 $a1"
