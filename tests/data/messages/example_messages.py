"""Six typical messages for examples/messages/ (used by benchmarks and `sipline parse`)."""

MESSAGES = {}

MESSAGES["register_auth.sip"] = ("""
REGISTER sip:pbx.example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds2;rport
Max-Forwards: 70
From: "Front door" <sip:1001@pbx.example.com>;tag=8d2ab09c41
To: "Front door" <sip:1001@pbx.example.com>
Call-ID: 3848276298220188511@192.0.2.10
CSeq: 2 REGISTER
Contact: <sip:1001@192.0.2.10:5060;transport=udp>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-00a0de4f2c11>";reg-id=1;expires=3600
Authorization: Digest username="1001", realm="pbx.example.com", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", uri="sip:pbx.example.com", response="dfe56131d1958046689d83306477ecc", algorithm=MD5, cnonce="0a4f113b", qop=auth, nc=00000001, opaque="5ccc069c403ebaf9f0171e9517f40e41"
Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY, REFER, MESSAGE
Supported: path, outbound, gruu
User-Agent: sipline/0.1
Expires: 3600
Content-Length: 0

""", b"")

MESSAGES["401_www_authenticate.sip"] = ("""
SIP/2.0 401 Unauthorized
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds1;rport=5060;received=192.0.2.10
From: "Front door" <sip:1001@pbx.example.com>;tag=8d2ab09c41
To: "Front door" <sip:1001@pbx.example.com>;tag=as3f5c8e2a
Call-ID: 3848276298220188511@192.0.2.10
CSeq: 1 REGISTER
WWW-Authenticate: Digest realm="pbx.example.com", domain="sip:pbx.example.com", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", opaque="5ccc069c403ebaf9f0171e9517f40e41", algorithm=MD5, qop="auth,auth-int", stale=FALSE
Server: Kamailio (5.6.3 (x86_64/linux))
Content-Length: 0

""", b"")

MESSAGES["200_register_contacts.sip"] = ("""
SIP/2.0 200 OK
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds2;rport=5060;received=192.0.2.10
From: "Front door" <sip:1001@pbx.example.com>;tag=8d2ab09c41
To: "Front door" <sip:1001@pbx.example.com>;tag=as3f5c8e2b
Call-ID: 3848276298220188511@192.0.2.10
CSeq: 2 REGISTER
Contact: <sip:1001@192.0.2.10:5060;transport=udp>;expires=3600;+sip.instance="<urn:uuid:00000000-0000-1000-8000-00a0de4f2c11>";reg-id=1, <sip:1001@198.51.100.7:5072;transport=tcp>;expires=1800;q=0.5
Contact: <sip:1001@[2001:db8::10]:5060;transport=tls>;expires=120
Date: Wed, 25 Nov 2026 08:22:43 GMT
Supported: path, outbound
Server: Kamailio (5.6.3 (x86_64/linux))
Content-Length: 0

""", b"")

MESSAGES["invite_sdp.sip"] = ("""
INVITE sip:2002@192.0.2.20:5060;transport=udp SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK83f8.a1b3c1f2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;received=192.0.2.10;rport=5060;branch=z9hG4bKPjd8f7c2a1
Record-Route: <sip:192.0.2.1;lr;ftag=b0d4c9f1>
Record-Route: <sip:proxy2.example.com;lr>
Max-Forwards: 69
From: "Front door" <sip:1001@pbx.example.com>;tag=b0d4c9f1
To: <sip:2002@pbx.example.com>
Contact: "Front door" <sip:1001@192.0.2.10:5060;ob>
Call-ID: 6f1c2b8e-3d4a-4b5c-9e7f-0a1b2c3d4e5f
CSeq: 4711 INVITE
Allow: PRACK, INVITE, ACK, BYE, CANCEL, UPDATE, INFO, SUBSCRIBE, NOTIFY, REFER, MESSAGE, OPTIONS
Supported: replaces, 100rel, timer, norefersub
Session-Expires: 1800
Min-SE: 90
P-Preferred-Identity: "Front door" <sip:1001@pbx.example.com>
Privacy: none
User-Agent: sipline/0.1
Content-Type: application/sdp
Content-Length: {CL}

v=0
o=- 3911329771 3911329771 IN IP4 192.0.2.10
s=sipline
c=IN IP4 192.0.2.10
t=0 0
m=audio 4000 RTP/AVP 0 8 101
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=ptime:20
a=sendrecv
""", b"")

MESSAGES["notify_message_summary.sip"] = ("""
NOTIFY sip:1001@192.0.2.10:5060 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK4b43c2ff8.1
Max-Forwards: 70
From: <sip:1001@pbx.example.com>;tag=4fa3c91e
To: <sip:1001@pbx.example.com>;tag=19a7be2d
Call-ID: 9a8b7c6d5e4f@192.0.2.10
CSeq: 102 NOTIFY
Contact: <sip:pbx.example.com:5060>
Event: message-summary
Subscription-State: active;expires=3542
Content-Type: application/simple-message-summary
Content-Length: {CL}

Messages-Waiting: yes
Message-Account: sip:1001@pbx.example.com
Voice-Message: 2/8 (0/2)
""", b"")

MESSAGES["options.sip"] = ("""
OPTIONS sip:pbx.example.com SIP/2.0
Via: SIP/2.0/TCP 192.0.2.10:50432;branch=z9hG4bKhjhs8ass877;alias
Max-Forwards: 70
To: <sip:pbx.example.com>
From: "Front door" <sip:1001@pbx.example.com>;tag=1928301774
Call-ID: a84b4c76e66710@192.0.2.10
CSeq: 63104 OPTIONS
Contact: <sip:1001@192.0.2.10:50432;transport=tcp>
Accept: application/sdp
User-Agent: sipline/0.1
Content-Length: 0

""", b"")
