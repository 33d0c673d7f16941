#!/usr/bin/python3
"""bench/calls: reads one run's capture (classic pcap, Linux loopback) and prints
  set-up: INVITE -> 200 per Call-ID, from the caller's first INVITE (sent from UA_SIP_PORT) to the
          first 200 for that INVITE (to UA_SIP_PORT): count, median ms, p99 ms
  send jitter: for each RTP stream the caller sent (by SSRC, packets from the caller's RTP
          ports, the capture filter keeps only those), the gaps between consecutive packets
          captured within [W0, W1] (epoch s), as |gap - 20 ms|: median ms, p99 ms, packets.

  where the set-up time goes (medians, ms): Kamailio relaying the INVITE (caller's INVITE ->
          INVITE to FAR_PORT), the far end answering (that INVITE -> its 200), Kamailio relaying
          the 200 (-> the 200 to the caller).

usage: analyze.py PCAP UA_SIP_PORT W0 W1 FAR_PORT
prints: "calls_set_up setup_median_ms setup_p99_ms jitter_median_ms jitter_p99_ms rtp_packets
         kamailio_in_ms far_end_ms kamailio_out_ms" """
import struct
import sys


def packets(path):
    with open(path, "rb") as f:
        header = f.read(24)
        magic = struct.unpack("<I", header[:4])[0]
        endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
        link = struct.unpack(endian + "I", header[20:24])[0]
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            sec, frac, incl, _ = struct.unpack(endian + "IIII", rec)
            data = f.read(incl)
            ts = sec + frac / (1e9 if nano else 1e6)
            off = {1: 14, 0: 4, 113: 16}.get(link, 14)  # Ethernet, BSD loopback, cooked
            if len(data) < off + 28 or data[off] >> 4 != 4 or data[off + 9] != 17:
                continue
            ihl = (data[off] & 15) * 4
            udp = off + ihl
            sport, dport = struct.unpack(">HH", data[udp:udp + 4])
            yield ts, sport, dport, data[udp + 8:]


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    path, ua_port, w0, w1 = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    far_port = int(sys.argv[5])
    invite, ok, relayed, answered = {}, {}, {}, {}
    last, gaps = {}, []
    rtp = 0
    for ts, sport, dport, payload in packets(path):
        is_invite, is_ok = payload[:7] == b"INVITE ", payload[:11] == b"SIP/2.0 200"
        if is_invite and sport == ua_port:
            target = invite
        elif is_ok and dport == ua_port:
            target = ok
        elif is_invite and dport == far_port:
            target = relayed
        elif is_ok and sport == far_port:
            target = answered
        else:
            target = None
        if target is not None:
            head = payload.split(b"\r\n\r\n", 1)[0].decode("latin-1")
            call_id = cseq = None
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name in ("call-id", "i"):
                    call_id = value.strip()
                elif name == "cseq":
                    cseq = value.split()
            if call_id is None or cseq is None or cseq[-1] != "INVITE":
                continue
            target.setdefault(call_id, ts)
        elif len(payload) >= 12 and payload[0] >> 6 == 2 and w0 <= ts <= w1 \
                and (payload[1] & 0x7F) in (0, 8):
            ssrc = payload[8:12]
            rtp += 1
            if ssrc in last:
                gaps.append(abs(ts - last[ssrc] - 0.020) * 1000)
            last[ssrc] = ts
    setup = [(ok[c] - t) * 1000 for c, t in invite.items() if c in ok]
    done = [c for c in invite if c in ok and c in relayed and c in answered]
    parts = [pct([(b[c] - a[c]) * 1000 for c in done], 50)
             for a, b in ((invite, relayed), (relayed, answered), (answered, ok))]
    print("%d %.2f %.2f %.3f %.3f %d %.2f %.2f %.2f" % (
        len(setup), pct(setup, 50), pct(setup, 99), pct(gaps, 50), pct(gaps, 99), rtp, *parts))


main()
