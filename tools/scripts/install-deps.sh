#!/usr/bin/env bash
# Installs everything airfleet needs to build and test on Debian 12 (bookworm). Idempotent.
# Every dependency is a Debian package; see docs/building.md for why each one is here.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates python3 python3-yaml
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libpcap-dev librocksdb-dev libssl-dev openssl libabsl-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcurl4-openssl-dev nlohmann-json3-dev libcli11-dev libyaml-cpp-dev libzstd-dev libmicrohttpd-dev
  libnl-3-dev libnl-genl-3-dev libsystemd-dev
  clang libclang-rt-14-dev clang-format
  tshark ieee-data graphviz
  openjdk-17-jdk-headless maven python3-cassandra
  iproute2 iptables nftables procps psmisc
  systemd dpkg-dev fakeroot shellcheck lintian iw
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  # tshark asks whether non-root users may capture; answer "no" without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
