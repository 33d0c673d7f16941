# shellcheck shell=bash disable=SC2034  # UA_PID is read by run.sh
# The user agents of bench/reg/run.sh (sourced): how to configure and start each one.
# prepare_IMPL DIR N KAM_PORT BASE_PORT HTTP_PORT writes its config into DIR;
# start_IMPL DIR starts it in the background (stdout/stderr to DIR/out.log) and sets UA_PID;
# ports_IMPL N prints how many consecutive local UDP ports it needs.
# Users are 1000 .. 1000+N-1 with password "pw-<user>" (kamailio/sipline.cfg), digest, UDP.

# sipline_shared N: whether sipline's accounts share one socket (REGBENCH_SHARED, run.sh).
sipline_shared() {
  case ${REGBENCH_SHARED:-auto} in
    1) return 0 ;;
    0) return 1 ;;
    *) (($1 > 10000)) ;;
  esac
}
ports_sipline() { if sipline_shared "$1"; then echo 1; else echo "$1"; fi; }  # a socket each, or one
ports_baresip() { echo 1; }     # one sip_listen socket for every account
ports_sipp() { echo 1; }        # -t u1: one UDP socket for every call

prepare_sipline() {
  local dir=$1 n=$2 kport=$3 base=$4 http=$5
  mkdir -p "$dir/state"
  {
    # No HTTP token: the bench's loopback-only cross-check reads /api/accounts with plain curl.
    printf '[daemon]\nstate_dir = "%s"\nhttp_listen = "127.0.0.1:%s"\nhttp_token_file = ""\nlog_level = "%s"\n' \
      "$dir/state" "$http" "$SIPLINE_LOG_LEVEL"
    if sipline_shared "$n"; then printf 'shared_port = "udp:%d"\n' "$base"; fi
    # One [[fleet]] template for every account (config/fleet); one socket each (or the shared
    # one), on loopback only.
    printf '\n[[fleet]]\ncount = %d\nfirst = 1000\nuser_id = "{n}"\npassword = "pw-{n}"\n' "$n"
    printf 'sip_server = "127.0.0.1:%d"\ntransport = "udp"\n' "$kport"
    printf 'unregister_before_new_registration = "no"\nregister_expiration_min = %d\n' \
      "${REGBENCH_EXPIRES_MIN:-60}"
    if ((${REGBENCH_KEEPALIVE_S:-0} > 0)); then
      printf 'options_keepalive = true\noptions_keepalive_interval_s = %d\n' "$REGBENCH_KEEPALIVE_S"
    fi
    # (An account binding an address of its own stays off the shared socket.)
    sipline_shared "$n" || printf 'bind_address = "127.0.0.1"\nlocal_sip_port = %d\nport_step = 1\n' "$base"
  } >"$dir/sipline.toml"
}

start_sipline() {
  "$SIPLINE_BIN" run -c "$1/sipline.toml" </dev/null >"$1/out.log" 2>&1 &
  UA_PID=$!
}

# baresip 1.0.0 needs no audio module or codec to register: account.so is the only module.
prepare_baresip() {
  local dir=$1 n=$2 kport=$3 base=$4
  mkdir -p "$dir"
  printf 'sip_listen\t\t127.0.0.1:%s\nmodule_path\t\t/usr/lib/baresip/modules\nmodule\t\t\taccount.so\n' \
    "$base" >"$dir/config"
  awk -v n="$n" -v k="$kport" -v r=$((${REGBENCH_EXPIRES_MIN:-60} * 60)) 'BEGIN {
    for (i = 0; i < n; i++) {
      u = 1000 + i
      printf "<sip:%d@127.0.0.1:%d;transport=udp>;auth_pass=pw-%d;regint=%d\n", u, k, u, r
    }
  }' >"$dir/accounts"
  : >"$dir/contacts"
}

start_baresip() {
  "$BARESIP_BIN" -f "$1" </dev/null >"$1/out.log" 2>&1 &
  UA_PID=$!
}

# SIPp (Debian sip-tester, 3.6.1): one call of sipp-register.xml per user (REGISTER, 401,
# REGISTER with credentials, 200) on one UDP socket (-t u1), users and passwords from an
# injection file read in sequence (its fields: sipp-register.xml). The last call stays open
# after its 200 so that the process outlives the measurement (SIPp exits once -m calls have
# ended); SIGTERM ends it. Knobs: SIPP_RATE calls per second (20000: SIPp starts calls as fast
# as its loop and the limit let it), SIPP_LIMIT calls open at once (-l, 200), SIPP_BUFF_SIZE
# (-buff_size, 4194304: the receive buffer sipline's shared socket asks for; empty: SIPp's
# own 65535, which dropped 425 answers at 10,000). With 64..200 open SIPp was about as fast;
# from 500 on Kamailio's socket overflowed (README.md, "SIPp side by side"). SIPp also binds
# its RTP echo (6000, 6002) and remote-control (8888) sockets; nothing uses them here.
SIPP_SCENARIO=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/sipp-register.xml
prepare_sipp() {
  local dir=$1 n=$2 kport=$3 base=$4
  mkdir -p "$dir"
  awk -v n="$n" 'BEGIN {
    print "SEQUENTIAL"
    for (i = 0; i < n; i++) {
      u = 1000 + i
      printf "%d;pw-%d;[authentication username=%d password=pw-%d];%d\n", u, u, u, u, i == n - 1
    }
  }' >"$dir/users.csv"
  # Bounded: SIPp quits by itself once the bench cannot need it any more.
  local bound=$((TIMEOUT_S + 2 * IDLE_S + ${REGBENCH_HERD_S:-0} + ${REGBENCH_RESTART_S:-0} + 60))
  {
    printf '%s\n' "127.0.0.1:$kport" -sf "$SIPP_SCENARIO" -inf "$dir/users.csv" \
      -i 127.0.0.1 -p "$base" -t u1 -m "$n" -r "${SIPP_RATE:-20000}" -rp 1000 \
      -l "${SIPP_LIMIT:-200}" -timeout "${bound}s" -nostdin -nd -trace_err -error_file "$dir/errors.log"
    local buff=${SIPP_BUFF_SIZE-4194304}
    [[ -z $buff ]] || printf '%s\n' -buff_size "$buff"
  } >"$dir/sipp.args"
}

start_sipp() {
  local args
  mapfile -t args <"$1/sipp.args"
  (cd "$1" && exec "$SIPP_BIN" "${args[@]}" </dev/null >"$1/out.log" 2>&1) &
  UA_PID=$!
}

# api_states HTTP_PORT: "registered=K other=M" from sipline's GET /api/accounts (a cross-check
# of what Kamailio's table says; never used for the timing).
api_states() {
  # GET /api/accounts/summary: every account counted by state (the list itself is paged).
  # Never fails (set -e): no answer in time prints "no-answer".
  { curl -s --max-time 10 "http://127.0.0.1:$1/api/accounts/summary" 2>/dev/null || true; } |
    { grep -o '"[a-z_]*" *: *[1-9][0-9]*' || true; } | awk -F'"' '$2 != "total" {
        v = $3; sub(/^ *: */, "", v); printf "%s%s=%s", (o++ ? " " : ""), $2, v }
      END { if (!o) printf "no-answer" }'
}
