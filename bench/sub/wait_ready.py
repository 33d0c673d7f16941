#!/usr/bin/python3
"""Polls the daemon's /metrics (one process, one kept-alive connection) until N accounts are
registered and WANT subscriptions are active, or TIMEOUT_S passes. Prints on stdout
  READY_S REGISTERED ACTIVE CPU_DAEMON_S CPU_KAMAILIO_S
(READY_S "timeout" when not reached; CPU: what the daemon and Kamailio's process group burnt from
T0 on). With TIMELINE set, every poll goes to stderr.
bench/sub/run.sh used to poll with curl and awk from bash; on a loaded machine those process
spawns took up to 2 s each, which showed up as "ready s". A poll here costs one HTTP request.
The daemon runs with metrics_per_account = false, so /metrics is a few KiB of engine-wide series
(sipline_account_registered, sipline_subscriptions{event,state}); with series per account it
was about 6 KiB per account (6 MB for 1000), and formatting it four times a second was a fifth
of the daemon's CPU in the run. POLL_MS (env, default 50) spaces the polls; "ready s" is late
by at most one interval plus one poll.

usage: wait_ready.py PORT N WANT TIMEOUT_S GO_FILE KAM_PGID [TIMELINE]"""
import http.client
import os
import sys
import time

port, n, want, timeout_s = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
go_file, kpgid = sys.argv[5], int(sys.argv[6])
timeline = len(sys.argv) > 7 and sys.argv[7] == "1"
# Started before the daemon (a Python start took 20 s on this loaded machine): says it is up,
# then waits for the go file, "T0_EPOCH DAEMON_PID KAM_TICKS0", written right after the spawn.
open(go_file + ".up", "w").close()
while not os.path.exists(go_file) or os.path.getsize(go_file) == 0:
    time.sleep(0.005)
with open(go_file) as f:
    t0_text, dpid_text, kticks0_text = f.read().split()
t0, dpid, kticks0 = float(t0_text), int(dpid_text), int(kticks0_text)
hz = os.sysconf("SC_CLK_TCK")
poll_s = int(os.environ.get("POLL_MS", "50")) / 1000


def ticks(stat):
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12]), int(fields[2])  # utime+stime, pgrp


def daemon_ticks():
    with open(f"/proc/{dpid}/stat") as f:
        return ticks(f.read())[0]


def group_ticks():
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                t, pgrp = ticks(f.read())
        except OSError:
            continue
        if pgrp == kpgid:
            total += t
    return total


def metric_sum(text, name, labels=""):
    """The sum of a family's samples (with or without labels) whose labels contain `labels`."""
    total = 0.0
    for line in text.splitlines():
        if not (line.startswith(name + "{") or line.startswith(name + " ")):
            continue
        if labels in line.rsplit(" ", 1)[0]:
            total += float(line.rsplit(" ", 1)[1])
    return total


conn = None
reg = active = 0
ready = "timeout"
while time.time() - t0 < timeout_s:
    try:
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
    except (OSError, http.client.HTTPException) as e:
        if timeline:
            print(f"timeline {time.time() - t0:6.2f} s  no answer: {e!r}", file=sys.stderr)
        conn = None
        time.sleep(0.02)
        continue
    reg = int(metric_sum(text, "sipline_account_registered"))
    active = int(metric_sum(text, "sipline_subscriptions", 'state="active"'))
    now = time.time()
    if timeline:
        print(f"timeline {now - t0:6.2f} s  registered {reg:4d}  active {active:4d}  cpu daemon "
              f"{daemon_ticks() / hz:5.2f} s  kamailio {(group_ticks() - kticks0) / hz:5.2f} s",
              file=sys.stderr, flush=True)
    if reg == n and active == want:
        ready = f"{now - t0:.2f}"
        break
    time.sleep(poll_s)
print(ready, reg, active, f"{daemon_ticks() / hz:.2f}", f"{(group_ticks() - kticks0) / hz:.2f}")
