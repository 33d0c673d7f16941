# shellcheck shell=bash
# Helpers for bench/reg/run.sh (sourced, not run). Everything is measured from /proc and from
# Kamailio's usrloc statistics, the same way for every implementation.

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"  # now, ticks_to_s, cpu_ticks, group_cpu_ticks, ...

# elapsed T0 [T1]: seconds between two now() values, 3 decimals.
elapsed() { awk -v a="$1" -v b="${2:-$EPOCHREALTIME}" 'BEGIN { printf "%.3f", b - a }'; }

# wakeups PID: voluntary + involuntary context switches summed over every thread; a process
# that sleeps until something is due adds (almost) none while idle.
wakeups() {
  local f sum=0 v
  for f in /proc/"$1"/task/*/status; do
    v=$(awk '/ctxt_switches/ { s += $2 } END { print s + 0 }' "$f" 2>/dev/null) || continue
    sum=$((sum + v))
  done
  echo "$sum"
}

# socket_drops PORT: the kernel's drop count (skmem d) of the UDP socket(s) bound to PORT on
# 127.0.0.1, summed. Used to tell drops at Kamailio from drops at the user agent.
socket_drops() {
  ss -Huanm "sport = :$1" 2>/dev/null |
    awk '{ if (match($0, /,d[0-9]+\)/)) s += substr($0, RSTART + 2, RLENGTH - 3) } END { print s + 0 }'
}

# ua_socket_drops FIRST LAST: drops summed over the UDP sockets bound to ports FIRST..LAST.
ua_socket_drops() {
  ss -Huanm 2>/dev/null | awk -v lo="$1" -v hi="$2" '
    /^UNCONN|^ESTAB/ { n = split($4, a, ":"); p = a[n] + 0; next }
    { if (p >= lo && p <= hi && match($0, /,d[0-9]+\)/)) s += substr($0, RSTART + 2, RLENGTH - 3) }
    END { print s + 0 }'
}

# used_ports: every local UDP or TCP port in use (any state), one a line.
used_ports() {
  { ss -Hanu; ss -Hant; } 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }' | sort -un
}

# free_range COUNT [FROM]: first port P >= FROM (default 20000) such that P..P+COUNT-1 are all
# unused for UDP and TCP, and below the ephemeral range's start when possible.
free_range() {
  local count=$1 from=${2:-20000}
  used_ports | awk -v n="$count" -v p="$from" '
    { used[$1] = 1 }
    END {
      for (; p + n - 1 <= 65535; p++) {
        ok = 1
        for (i = 0; i < n; i++) if ((p + i) in used) { ok = 0; p += i; break }
        if (ok) { print p; exit }
      }
      exit 1
    }'
}

# kam_contacts CTL: bindings in Kamailio's location table (usrloc:location_contacts; the RPC
# wants the name without its group).
kam_contacts() {
  timeout 2 "$KAMCMD" -s "unix:$1" stats.get_statistics location_contacts </dev/null \
    2>/dev/null | awk -F' = ' '{ n = $2 + 0 } END { print n + 0 }'
}

# alive PID: PID runs (not exited, not a zombie waiting for the bench to reap it).
alive() {
  [[ -d /proc/$1 && $(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) != Z ]]
}

# wait_gone PID SECONDS: wait until PID has exited (true) or SECONDS passed (false).
wait_gone() {
  local i
  for ((i = 0; i < $2 * 20; i++)); do
    alive "$1" || return 0
    sleep 0.05
  done
  return 1
}

# stop_pid PID: SIGTERM (the UA unregisters), SIGKILL after 10 s; reaps it.
stop_pid() {
  [[ -n ${1:-} ]] || return 0
  kill -TERM "$1" 2>/dev/null || true
  if ! wait_gone "$1" 10; then
    echo "regbench: pid $1 ignored SIGTERM for 10 s, SIGKILL" >&2
    kill -KILL "$1" 2>/dev/null || true
  fi
  wait "$1" 2>/dev/null || true
}

# kam_accepted CTL: REGISTERs Kamailio accepted (answered 2xx) since it started.
kam_accepted() {
  timeout 2 "$KAMCMD" -s "unix:$1" stats.get_statistics accepted_regs </dev/null \
    2>/dev/null | awk -F' = ' '{ n = $2 + 0 } END { print n + 0 }'
}

# herd_sample CTL SECONDS OUT: every second for SECONDS, the REGISTERs Kamailio accepted in
# that second, one a line, into OUT.
herd_sample() {
  local ctl=$1 secs=$2 out=$3 prev now_n i next
  prev=$(kam_accepted "$ctl")
  next=$(awk -v t="$EPOCHREALTIME" 'BEGIN { printf "%.3f", t + 1 }')
  : >"$out"
  for ((i = 0; i < secs; i++)); do
    sleep "$(awk -v n="$next" -v t="$EPOCHREALTIME" 'BEGIN { d = n - t; printf "%.3f", (d > 0 ? d : 0) }')"
    next=$(awk -v n="$next" 'BEGIN { printf "%.3f", n + 1 }')
    now_n=$(kam_accepted "$ctl")
    echo $((now_n - prev)) >>"$out"
    prev=$now_n
  done
}

# herd_report FILE SKIP: per-second counts after the first SKIP seconds: mean, busiest second
# and its ratio to the mean, seconds with none, then every second (10 a line).
herd_report() {
  awk -v skip="$2" '
    NR > skip { c[++n] = $1; s += $1; if ($1 > m) m = $1; if ($1 == 0) z++ }
    END {
      if (n == 0) { print "no seconds after the first cycle"; exit }
      mean = s / n
      printf "%d s after the first %d s: mean %.1f/s, busiest second %d (%.2fx the mean), %d s with none\n",
        n, skip, mean, m, (mean > 0 ? m / mean : 0), z + 0
      for (i = 1; i <= n; i++) printf "%s%d", ((i - 1) % 10 ? " " : (i > 1 ? "\n" : "")), c[i]
      print ""
    }' "$1"
}
