#!/usr/bin/env bash
# Plays the voice-mail server: PUBLISHes a message summary (RFC 3842) for USER to the project's
# Kamailio (scripts/kamailio.sh, presence server on), which NOTIFYs every subscriber of USER's
# message-summary, e.g. a sipline account with subscribe_mwi = true: its MWI lamp lights.
#
#   scripts/mwi.sh USER NEW [OLD] [RUNDIR]   # NEW = 0 puts the lamp out
#
# Kamailio accepts PUBLISH from 127.0.0.1 without credentials (kamailio/sipline.cfg).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
USER_ID=${1:?usage: scripts/mwi.sh USER NEW [OLD] [RUNDIR]}
NEW=${2:?usage: scripts/mwi.sh USER NEW [OLD] [RUNDIR]}
OLD=${3:-0}
RUNDIR=$(realpath -m "${4:-$ROOT/run/kamailio}")
# shellcheck disable=SC1091
source "$RUNDIR/ports.env"

waiting=no
[[ $NEW -gt 0 ]] && waiting=yes
body="Messages-Waiting: $waiting"$'\r\n'"Voice-Message: $NEW/$OLD"$'\r\n'
tag=$RANDOM$RANDOM
exec 3<>"/dev/udp/127.0.0.1/$SIP_PORT"
# One datagram, the whole request at once. The reply comes back to our source port:
# read it from the same descriptor.
request=$(printf '%s\r\n' \
  "PUBLISH sip:$USER_ID@127.0.0.1:$SIP_PORT SIP/2.0" \
  "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-mwi-$tag;rport" \
  "Max-Forwards: 70" \
  "From: <sip:$USER_ID@127.0.0.1>;tag=$tag" \
  "To: <sip:$USER_ID@127.0.0.1>" \
  "Call-ID: mwi-$tag@127.0.0.1" \
  "CSeq: 1 PUBLISH" \
  "Event: message-summary" \
  "Expires: 3600" \
  "Content-Type: application/simple-message-summary" \
  "Content-Length: ${#body}")
request=${request%$'\r'}  # $(...) kept the last line's CR, not its LF
# Through a file: cat sends it with one write() (bash's printf may split it into several).
msgfile=$(mktemp)
trap 'rm -f "$msgfile"' EXIT
printf '%s\r\n\r\n%s' "$request" "$body" >"$msgfile"
cat "$msgfile" >&3
# dd reads the reply datagram whole (bash's read takes one byte per read(), losing the rest).
status=$(timeout 3 dd bs=65536 count=1 status=none <&3 | head -n 1 || true)
status=${status%$'\r'}
if [[ -z $status ]]; then
  echo "mwi.sh: no answer from 127.0.0.1:$SIP_PORT" >&2
  exit 1
fi
echo "mwi.sh: $USER_ID: $NEW new, $OLD old -> $status"
[[ $status == *" 200 "* ]]
