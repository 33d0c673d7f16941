#!/bin/sh
# verify_unit.sh SYSTEMD_ANALYZE UNIT BINARY: the unit with /usr/bin/sipline replaced by BINARY
# must verify without a single complaint (systemd-analyze prints warnings but may exit 0).
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|/usr/bin/sipline|$3|g" "$2" > "$dir/sipline.service"
out=$("$1" verify --man=no "$dir/sipline.service" 2>&1) || { echo "$out"; exit 1; }
if [ -n "$out" ]; then echo "$out"; exit 1; fi
echo "verified: $2"
