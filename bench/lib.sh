# shellcheck shell=bash
# What every bench shares (sourced, not run): its own network namespace, the sipline binary, and
# readings from /proc, the same way for every implementation measured.

# bench_netns FLAG_VAR SCRIPT ARGS...: re-runs SCRIPT with ARGS in a private network namespace
# (unshare -n, loopback up), so the kernel's UDP counters and the ports are the bench's own;
# FLAG_VAR marks the second run. Does nothing when already inside, or when unshare is not
# allowed (then the bench measures on the host's loopback).
bench_netns() {
  local flag=$1 script=$2
  shift 2
  [[ -z ${!flag:-} ]] || return 0
  unshare -n true 2>/dev/null || return 0
  export "$flag=1"
  exec unshare -n bash -c 'ip link set lo up && exec bash "$0" "$@"' "$script" "$@"
}

# bench_sipline_bin ROOT: $SIPLINE_BIN, else ROOT/build's sipline, built when missing.
bench_sipline_bin() {
  local bin=${SIPLINE_BIN:-$1/build/src/app/sipline}
  if [[ ! -x $bin ]]; then
    cmake -S "$1" -B "$1/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$1/build" --target sipline_cli >&2
  fi
  printf '%s' "$bin"
}

CLK_TCK=$(getconf CLK_TCK)

# now: wall clock in seconds with microseconds (bash 5's EPOCHREALTIME, no fork).
now() { printf '%s' "$EPOCHREALTIME"; }

# ticks_to_s TICKS: seconds, 2 decimals.
ticks_to_s() { awk -v t="$1" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", t / hz }'; }

# cpu_ticks PID: utime + stime of the whole process (all threads), in clock ticks; 0 when gone.
cpu_ticks() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  # Fields after "(comm)": state is field 3, utime 14, stime 15 of the full line.
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' <<<"$stat"
}

# group_cpu_ticks PGID: utime + stime summed over every live process of a process group
# (Kamailio's main process and its children; setsid made the main pid the group id). cat, not
# awk FILE...: a process that exits meanwhile must not end the sum (nor, through set -e and
# pipefail, the run).
group_cpu_ticks() {
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } |
    awk -v g="$1" '{ sub(/^.*\) /, ""); if ($3 == g) t += $12 + $13 } END { print t + 0 }'
}

# vm_kib PID FIELD: a Vm* line of /proc/PID/status in KiB (VmHWM = peak RSS, VmRSS = now).
vm_kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# udp_counter NAME: a column of the Udp: line of /proc/net/snmp (RcvbufErrors, InErrors, ...),
# per network namespace.
udp_counter() {
  awk -v k="$1" '$1 == "Udp:" && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
                 $1 == "Udp:" && h { print $c[k]; exit }' /proc/net/snmp
}
