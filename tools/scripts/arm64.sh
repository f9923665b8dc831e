#!/usr/bin/env bash
# The Raspberry Pi stage of the test command (tools/scripts/test.sh; AIRFLEET_SKIP_ARM64=1 skips
# it): cross-builds the agent and its tests for arm64 (Raspberry Pi OS / Debian bookworm 64-bit)
# and runs them under qemu-user, on an amd64 Debian 12 machine, as root:
#   1. installs crossbuild-essential-arm64 and qemu-user-static (amd64 packages) if missing,
#   2. makes the private arm64 sysroot (tools/scripts/arm64_sysroot.sh; the host's dpkg state is
#      never changed), cached in AIRFLEET_ARM64_CACHE (default ~/.cache/airfleet-arm64),
#   3. configures build-arm64 with cmake/toolchain-aarch64-linux-gnu.cmake, AIRFLEET_AGENT_ONLY=ON,
#      and builds it,
#   4. runs its ctest under qemu (the toolchain file's CMAKE_CROSSCOMPILING_EMULATOR),
#   5. replays real captures with the arm64 agent under qemu into the build machine's collector
#      (build/, built here if missing) and checks `airfleetctl export windows` against the amd64
#      agent's offline `summarise` (tests/e2e/test_end_to_end.py with AIRFLEET_RUN_AGENT),
#   6. packages build-arm64/airfleet-agent_<version>_arm64.deb and checks its control fields.
# Environment: AIRFLEET_REAL_PCAPS, AIRFLEET_ARM64_CACHE, AIRFLEET_JOBS (default nproc).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export AIRFLEET_REAL_PCAPS=${AIRFLEET_REAL_PCAPS:-$(cd "$root/.." && pwd)/shared/testdata/pcaps}
jobs=${AIRFLEET_JOBS:-$(nproc)}
cache=${AIRFLEET_ARM64_CACHE:-${XDG_CACHE_HOME:-${HOME:-$root}/.cache}/airfleet-arm64}
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi

echo "== arm64: host packages"
missing=()
for p in crossbuild-essential-arm64 qemu-user-static file; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# From here on the build machine's packages must not change (checked at the end; a concurrent
# apt-get by someone else on the same machine would trip it too).
host_packages() {
  dpkg --print-foreign-architectures
  dpkg-query -W -f '${Package}:${Architecture}=${Version} ${Status}\n' | sha256sum
}
host_before=$(host_packages)

echo "== arm64: sysroot"
sysroot=$(tools/scripts/arm64_sysroot.sh "$cache")
qemu=$(command -v qemu-aarch64-static)

echo "== arm64: cross-build (agent and its tests)"
cmake -S . -B build-arm64 -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIRFLEET_AGENT_ONLY=ON \
  -DAIRFLEET_BENCH=OFF -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64-linux-gnu.cmake \
  -DAIRFLEET_ARM64_SYSROOT="$sysroot" "${launcher[@]}" >/dev/null
ninja -C build-arm64 -j"$jobs"

echo "== arm64: unit and component tests under qemu-user"
# qemu-user (7.2) emulates neither the SIOCETHTOOL ioctl that libpcap's pcap_activate() issues on
# every interface nor NETLINK_GENERIC sockets (nl80211): live capture and channel setting cannot
# run under it. Those tests run natively in the amd64 stages; on a Pi they need a real interface.
ctest --test-dir build-arm64 --output-on-failure -j"$jobs" -LE servers \
  -E '^(LivePcapSourceTest\.(MonitorModeOnLoopback|CapturesOnLoopbackWithFilter|SnaplenTruncationIsCounted|BadFilterAndUnsupportedLinktype)|Nl80211Test\.UnavailableOrMissingInterfaceIsExplained)$'

echo "== arm64: agent under qemu-user -> amd64 collector, compared with amd64 summarise"
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
fi
ninja -C build -j"$jobs" airfleet-agent airfleet-collector airfleetctl
AIRFLEET_RUN_AGENT="$qemu -L $sysroot $root/build-arm64/agent/cli/airfleet-agent" \
  python3 tests/e2e/test_end_to_end.py build/agent/cli/airfleet-agent \
  build/collector/airfleet-collector build/tools/ctl/airfleetctl \
  EndToEnd.test_real_captures_match_offline_summaries

echo "== arm64: agent package"
# Depends from the sysroot packages' shlibs files, one entry per NEEDED soname of the agent
# (libfoo.so.N -> the "libfoo N" line); dpkg-shlibdeps cannot see a private sysroot.
depends=$(aarch64-linux-gnu-readelf -d build-arm64/agent/cli/airfleet-agent |
  sed -n 's/.*(NEEDED).*\[\(.*\)\.so\.\(.*\)\]$/\1 \2/p' | while read -r lib ver; do
    dep=$(awk -v l="$lib" -v v="$ver" '$1 == l && $2 == v { $1 = $2 = ""; sub(/^ +/, ""); print; exit }' \
      "$cache/shlibs")
    [ -n "$dep" ] || { echo "no shlibs entry for $lib.so.$ver in the sysroot packages" >&2; exit 1; }
    echo "$dep"
  done | sort -u | paste -sd, - | sed 's/,/, /g')
cmake build-arm64 -DAIRFLEET_DEB_SHLIB_DEPENDS="$depends" >/dev/null
rm -f build-arm64/airfleet-agent_*_arm64.deb
(cd build-arm64 && cpack -G DEB >/dev/null)
deb=$(ls build-arm64/airfleet-agent_*_arm64.deb)
dpkg-deb -I "$deb"
grep -qx 'Architecture: arm64' <<<"$(dpkg-deb -f "$deb" Architecture | sed 's/^/Architecture: /')"
grep -q ' ./usr/bin/airfleet-agent$' <<<"$(dpkg-deb -c "$deb")"
grep -q 'ARM aarch64' <<<"$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/bin/airfleet-agent | file -)"

if [ "$(host_packages)" != "$host_before" ]; then
  echo "arm64: the build machine's dpkg state changed during the cross build" >&2
  exit 1
fi
echo "== arm64: passed (the build machine's packages unchanged)"
