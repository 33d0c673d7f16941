#!/usr/bin/python3
"""Registers CONTACT for USER at the project's Kamailio over UDP (digest, password "pw-USER"),
as the far end of bench/calls would if it could register itself (SIPp's uas does not).

usage: register.py KAM_PORT USER CONTACT [EXPIRES]; exit 0 on a 200."""
import hashlib
import random
import re
import socket
import sys

port, user, contact = int(sys.argv[1]), sys.argv[2], sys.argv[3]
expires = sys.argv[4] if len(sys.argv) > 4 else "3600"
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 0))
sock.settimeout(2)
local = sock.getsockname()[1]
call_id = "%x@bench" % random.getrandbits(64)


def register(cseq, auth=""):
    msg = ("REGISTER sip:127.0.0.1:%d SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%x;rport\r\n"
           "From: <sip:%s@127.0.0.1:%d>;tag=%x\r\nTo: <sip:%s@127.0.0.1:%d>\r\n"
           "Call-ID: %s\r\nCSeq: %d REGISTER\r\nContact: <%s>\r\nExpires: %s\r\n"
           "Max-Forwards: 70\r\n%sContent-Length: 0\r\n\r\n") % (
               port, local, random.getrandbits(48), user, port, random.getrandbits(32), user,
               port, call_id, cseq, contact, expires, auth)
    sock.sendto(msg.encode(), ("127.0.0.1", port))
    while True:
        reply = sock.recv(65535).decode(errors="replace")
        status = int(reply.split(" ", 2)[1])
        if status >= 200:
            return status, reply


status, reply = register(1)
if status == 401:
    m = re.search(r'WWW-Authenticate:.*realm="([^"]+)".*nonce="([^"]+)"', reply, re.I)
    realm, nonce = m.group(1), m.group(2)
    uri = "sip:127.0.0.1:%d" % port
    ha1 = hashlib.md5(("%s:%s:pw-%s" % (user, realm, user)).encode()).hexdigest()
    ha2 = hashlib.md5(("REGISTER:%s" % uri).encode()).hexdigest()
    qop = re.search(r'qop="([^"]+)"', reply)
    if qop:
        cnonce = "%x" % random.getrandbits(32)
        resp = hashlib.md5(("%s:%s:00000001:%s:auth:%s" % (ha1, nonce, cnonce, ha2)).encode())
        extra = ', qop=auth, nc=00000001, cnonce="%s"' % cnonce
    else:
        resp = hashlib.md5(("%s:%s:%s" % (ha1, nonce, ha2)).encode())
        extra = ""
    auth = ('Authorization: Digest username="%s", realm="%s", nonce="%s", uri="%s", '
            'response="%s", algorithm=MD5%s\r\n') % (user, realm, nonce, uri, resp.hexdigest(),
                                                     extra)
    status, reply = register(2, auth)
print("register %s -> %s: %d" % (user, contact, status))
sys.exit(0 if status == 200 else 1)
