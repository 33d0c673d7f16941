#!/usr/bin/env bash
# Where the registration time goes, from a capture of the SIP traffic to/from the registrar:
#
#   bench/reg/timeline.sh FILE.pcap KAMAILIO_PORT [BIN_MS [T0]]
#
# T0 (epoch seconds, e.g. $EPOCHREALTIME when the UA was started) adds how long the UA took
# from its start to its first packet. Prints, relative to the first packet: when the first/last initial REGISTER left, how many
# requests were retransmissions (same Call-ID, CSeq and source port seen again), when the last
# 401 and the last 200 came, and a histogram per BIN_MS (default 100) of REGISTERs sent (new and
# retransmitted), 401s and 200s. bench/reg/run.sh writes such captures with REGBENCH_PCAP=1
# (the capture itself costs CPU, so those runs' own numbers are a little pessimistic).
set -euo pipefail
pcap=$1 kport=$2 bin=${3:-100} t0=${4:-}

if [[ -n $t0 ]]; then
  first=$(tshark -r "$pcap" -c 1 -T fields -e frame.time_epoch 2>/dev/null)
  awk -v a="$t0" -v b="$first" 'BEGIN { printf "first packet %.3f s after the UA was started\n", b - a }'
fi

tshark -r "$pcap" -o "sip.desegment_body:FALSE" -d "udp.port==$kport,sip" -Y sip -T fields \
  -E separator='|' -e frame.time_relative -e udp.srcport -e udp.dstport -e sip.Method \
  -e sip.Status-Code -e sip.Call-ID -e sip.CSeq.seq -e sip.CSeq.method 2>/dev/null |
  awk -F'|' -v k="$kport" -v bin="$bin" '
    $4 == "REGISTER" && $3 == k {
      key = $6 "/" $7 "/" $2
      if (key in seen) { retx++; b = int($1 * 1000 / bin); rx[b]++ }
      else {
        seen[key] = 1; b = int($1 * 1000 / bin); nw[b]++; req++
        if (!($6 in calls)) { calls[$6] = 1; if (first == "") first = $1; lastinit = $1 }
      }
      if (b > maxb) maxb = b
      next
    }
    $5 == "401" && $2 == k { n401++; last401 = $1; b = int($1 * 1000 / bin); c401[b]++; if (b > maxb) maxb = b; next }
    $5 == "200" && $2 == k && $8 == "REGISTER" { n200++; last200 = $1; b = int($1 * 1000 / bin); c200[b]++; if (b > maxb) maxb = b; next }
    END {
      printf "REGISTERs: %d distinct (%d Call-IDs), %d retransmissions; first at %.3f s, ", req,
        length(calls), retx, first
      printf "last first-of-its-Call-ID at %.3f s\n", lastinit
      printf "401: %d, last at %.3f s; 200: %d, last at %.3f s (from the first packet)\n",
        n401, last401, n200, last200
      printf "%8s %8s %8s %8s %8s\n", "ms", "new", "retx", "401", "200"
      for (b = 0; b <= maxb; b++)
        if (nw[b] + rx[b] + c401[b] + c200[b] > 0)
          printf "%8d %8d %8d %8d %8d\n", b * bin, nw[b], rx[b], c401[b], c200[b]
    }'
