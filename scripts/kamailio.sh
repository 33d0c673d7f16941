#!/usr/bin/env bash
# Runs the project's own Kamailio (kamailio/sipline.cfg) on loopback, for demos and manual tests.
#
#   scripts/kamailio.sh start [--foreground] [RUNDIR]   # default RUNDIR: ./run/kamailio
#   scripts/kamailio.sh stop [RUNDIR]
#   scripts/kamailio.sh status [RUNDIR]                 # exit 0 running, 3 not running
#
# Ports: UDP+TCP 127.0.0.1:5060 and TLS 5061 by default (SIP_PORT / TLS_PORT override them);
# when those are busy and were not given explicitly, the next free pair (5070/5071, 5080/5081,
# ...) is used and printed. Users 1000..1999, alice and bob; the password of user U is "pw-U".
# Extra Kamailio defines: KAMAILIO_DEFINES="WITH_FORBIDDEN_USER NONCE_EXPIRE=30"; memory
# manager: KAMAILIO_MEM=tlsf (or qm, fm; default Kamailio's own); shared memory: KAMAILIO_SHM_MB;
# KAMAILIO_PRESENCE=0: no presence server (no MWI/BLF/reg events, no dialog tracking of calls).
# Everything lives in RUNDIR: kamailio.pid, kamailio.log, ctl.sock (kamcmd -s unix:RUNDIR/ctl.sock
# ul.dump), a throw-away self-signed cert.pem/key.pem, ports.env.
# Stopping uses the pid in RUNDIR/kamailio.pid only, never a process name.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CFG=$ROOT/kamailio/sipline.cfg
KAMAILIO=${KAMAILIO:-/usr/sbin/kamailio}
KAMCMD=${KAMCMD:-/usr/sbin/kamcmd}

usage() {
  sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
}

cmd=${1:-}
[[ -n $cmd ]] || usage
shift
FOREGROUND=0
if [[ ${1:-} == --foreground || ${1:-} == -f ]]; then
  FOREGROUND=1
  shift
fi
RUNDIR=$(realpath -m "${1:-./run/kamailio}")
PIDFILE=$RUNDIR/kamailio.pid
LOG=$RUNDIR/kamailio.log
CTL=$RUNDIR/ctl.sock

# The pid in our pid file, if that process is alive and is a kamailio; empty otherwise.
our_pid() {
  [[ -f $PIDFILE ]] || return 0
  local pid
  pid=$(tr -dc '0-9' <"$PIDFILE")
  [[ -n $pid && -d /proc/$pid ]] || return 0
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == kamailio ]] || return 0
  [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || return 0
  echo "$pid"
}

# Debian's package may start a system kamailio bound to 5060. install-deps.sh disables the
# service; without systemd, stop only the pid in /run/kamailio/kamailio.pid (never by name).
stop_system_kamailio() {
  [[ ${KEEP_SYSTEM_KAMAILIO:-0} == 1 ]] && return 0
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet kamailio 2>/dev/null; then
    echo "kamailio.sh: stopping the system kamailio service (systemctl disable --now kamailio)"
    systemctl disable --now kamailio >/dev/null 2>&1 || true
  fi
  local sys=/run/kamailio/kamailio.pid pid
  [[ -f $sys && $(realpath -m "$sys") != "$PIDFILE" ]] || return 0
  pid=$(tr -dc '0-9' <"$sys")
  [[ -n $pid && -d /proc/$pid && $(cat "/proc/$pid/comm" 2>/dev/null) == kamailio ]] || return 0
  echo "kamailio.sh: stopping the system kamailio (pid $pid from $sys)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
}

port_busy() {  # port_busy PORT: something listens on UDP or TCP PORT (any address)
  [[ -n $(ss -Hlnu "sport = :$1" 2>/dev/null) || -n $(ss -Hlnt "sport = :$1" 2>/dev/null) ]]
}

pick_ports() {
  if [[ -n ${SIP_PORT:-} ]]; then
    TLS_PORT=${TLS_PORT:-$((SIP_PORT + 1))}
    return 0
  fi
  local p
  for p in 5060 5070 5080 5090 5100 5110 5120 5130 5140 5150; do
    if ! port_busy "$p" && ! port_busy $((p + 1)); then
      SIP_PORT=$p
      TLS_PORT=${TLS_PORT:-$((p + 1))}
      [[ $p == 5060 ]] || echo "kamailio.sh: 5060/5061 busy, using $SIP_PORT/$TLS_PORT"
      return 0
    fi
  done
  echo "kamailio.sh: no free port pair found (set SIP_PORT)" >&2
  exit 1
}

# The presence server's tables (MWI, dialog and reg events) in a fresh sqlite file.
make_presence_db() {
  rm -f "$RUNDIR/presence.db"
  local schema
  for schema in standard-create.sql presence-create.sql; do
    sqlite3 "$RUNDIR/presence.db" ".read /usr/share/kamailio/db_sqlite/$schema"
  done
}

make_cert() {
  [[ -s $RUNDIR/cert.pem && -s $RUNDIR/key.pem ]] && return 0
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$RUNDIR/key.pem" -out "$RUNDIR/cert.pem" -days 30 -subj /CN=localhost \
    -addext "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost" 2>/dev/null
}

kamailio_args() {
  # Shared memory: the default 64 MiB runs out with 1000 accounts of six subscriptions each
  # (transactions and presence watchers): KAMAILIO_SHM_MB overrides.
  # Memory manager (-x shared, -X private): KAMAILIO_MEM (qm, fm, tlsf); default: Kamailio's own.
  ARGS=(-DD -E -m "${KAMAILIO_SHM_MB:-512}" -f "$CFG" -P "$PIDFILE" -Y "$RUNDIR"
    -A "SIP_PORT=$SIP_PORT" -A "TLS_PORT=$TLS_PORT" -A "CTL_SOCKET=\"unix:$CTL\""
    -A WITH_TLS -A "TLS_CERT=\"$RUNDIR/cert.pem\"" -A "TLS_KEY=\"$RUNDIR/key.pem\"")
  if [[ ${KAMAILIO_PRESENCE:-1} != 0 ]]; then
    ARGS+=(-A WITH_PRESENCE -A "PRESENCE_DB=\"sqlite://$RUNDIR/presence.db\""
      -A "PRESENCE_SERVER=\"sip:127.0.0.1:$SIP_PORT\"")
  fi
  if ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128'; then ARGS+=(-A WITH_IPV6); fi
  if [[ -n ${KAMAILIO_MEM:-} ]]; then ARGS+=(-x "$KAMAILIO_MEM" -X "$KAMAILIO_MEM"); fi
  local d
  for d in ${KAMAILIO_DEFINES:-}; do ARGS+=(-A "$d"); done
}

print_summary() {
  echo "kamailio running (pid $1), log $LOG"
  echo "  UDP/TCP 127.0.0.1:$SIP_PORT   TLS 127.0.0.1:$TLS_PORT (CA file $RUNDIR/cert.pem)"
  echo "  users 1000..1999, alice, bob; password pw-<user>"
  echo "  bindings: $KAMCMD -s unix:$CTL ul.dump"
  echo "  presence server: MWI, dialog (BLF) and reg events; light a lamp: scripts/mwi.sh USER NEW"
}

do_start() {
  local pid
  pid=$(our_pid)
  if [[ -n $pid ]]; then
    # shellcheck disable=SC1091
    source "$RUNDIR/ports.env"
    print_summary "$pid"
    return 0
  fi
  stop_system_kamailio
  mkdir -p "$RUNDIR"
  rm -f "$PIDFILE" "$CTL"
  pick_ports
  make_cert
  make_presence_db
  kamailio_args
  if ! "$KAMAILIO" -c "${ARGS[@]}" >"$RUNDIR/check.log" 2>&1; then
    echo "kamailio.sh: config check failed:" >&2
    grep -E "ERROR|CRITICAL" "$RUNDIR/check.log" >&2 || tail -20 "$RUNDIR/check.log" >&2
    exit 1
  fi
  printf 'SIP_PORT=%s\nTLS_PORT=%s\n' "$SIP_PORT" "$TLS_PORT" >"$RUNDIR/ports.env"
  echo "==== kamailio.sh start $(date -Is) udp/tcp $SIP_PORT tls $TLS_PORT" >>"$LOG"
  if ((FOREGROUND)); then
    echo "kamailio.sh: foreground on UDP/TCP $SIP_PORT, TLS $TLS_PORT; Ctrl-C stops it"
    exec "$KAMAILIO" "${ARGS[@]}" 2> >(tee -a "$LOG" >&2)
  fi
  setsid "$KAMAILIO" "${ARGS[@]}" </dev/null >>"$LOG" 2>&1 &
  for _ in $(seq 100); do
    pid=$(our_pid)
    if [[ -n $pid && -S $CTL ]] && timeout 2 "$KAMCMD" -s "unix:$CTL" core.version </dev/null >/dev/null 2>&1; then
      print_summary "$pid"
      return 0
    fi
    sleep 0.1
  done
  echo "kamailio.sh: kamailio did not come up within 10 s; log tail:" >&2
  tail -20 "$LOG" >&2
  do_stop >/dev/null || true
  exit 1
}

do_stop() {
  local pid
  pid=$(our_pid)
  if [[ -z $pid ]]; then
    echo "kamailio not running (no live pid in $PIDFILE)"
    rm -f "$PIDFILE"
    return 0
  fi
  # SIGTERM to its process group (setsid made pid == pgid), repeated: Kamailio's main process
  # can lose one SIGTERM to its children's SIGCHLDs.
  local i
  for i in $(seq 50); do
    [[ -n $(our_pid) ]] || break
    if ((i % 5 == 1)); then kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; fi
    sleep 0.1
  done
  if [[ -n $(our_pid) ]]; then
    echo "kamailio.sh: pid $pid ignored SIGTERM for 5 s, sending SIGKILL to its group"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
  echo "kamailio stopped (pid $pid)"
}

do_status() {
  local pid
  pid=$(our_pid)
  if [[ -z $pid ]]; then
    echo "kamailio not running ($RUNDIR)"
    return 3
  fi
  # shellcheck disable=SC1091
  source "$RUNDIR/ports.env"
  print_summary "$pid"
  local n
  n=$(timeout 3 "$KAMCMD" -s "unix:$CTL" stats.get_statistics usrloc: </dev/null 2>/dev/null |
    awk -F' = ' '$1 == "usrloc:location_contacts" {print $2}')
  echo "  registered contacts: ${n:-?}"
}

case $cmd in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  *) usage ;;
esac
