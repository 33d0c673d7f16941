#!/usr/bin/env bash
# Installs (idempotently, apt-get only) everything sipline needs to build, run and test.
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build pkg-config clang clang-format clang-tidy libclang-rt-14-dev
  libasio-dev libssl-dev libtomlplusplus-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libcli11-dev libcpp-httplib-dev libgtest-dev libgmock-dev libbenchmark-dev
  libsofia-sip-ua-dev libosip2-dev valgrind
  kamailio kamailio-tls-modules kamailio-extra-modules sip-tester baresip sipsak tshark openssl
  ca-certificates procps iproute2 python3 curl
  libpugixml-dev kamailio-presence-modules kamailio-sqlite-modules nftables
  libspandsp-dev libsndfile1-dev linphone-cli sqlite3
  libsystemd-dev  # log_target = "journal" (spdlog's systemd sink)
  chromium chromium-driver python3-selenium  # the web page tested in a real headless browser
  libc-ares-dev  # RFC 3263 DNS (SRV, A/AAAA) on the engine's loop
  dnsmasq-base   # the tests' own DNS server on loopback (the binary only, no system service)
  systemd  # systemd-analyze: the unit file test (skipped when absent)
  python3-kubernetes  # the Kubernetes manifests checked against the API's schema
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections || true
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian starts kamailio as a system service on install; sipline runs its own instances only.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now kamailio >/dev/null 2>&1 || true; fi
