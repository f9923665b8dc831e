#!/usr/bin/env bash
# Makes the PRIVATE arm64 sysroot of the Raspberry Pi cross build: usage arm64_sysroot.sh CACHE_DIR
# (prints the sysroot path, CACHE_DIR/sysroot, on stdout).
#
# The arm64 packages come from the same Debian mirror as the build machine's, through an apt with
# its own architecture, lists, cache and an EMPTY dpkg status (CACHE_DIR/apt): `apt-get install
# --download-only` there resolves the whole dependency closure as for an empty arm64 machine, and
# only downloads. Every .deb is then unpacked with `dpkg-deb -x`. The build machine's dpkg
# database, architectures and apt lists are never touched (no dpkg --add-architecture: a foreign
# architecture makes every later host `apt-get update` depend on that architecture's indexes).
set -euo pipefail
cache=$(mkdir -p "$1" && cd "$1" && pwd)
apt_dir=$cache/apt
sysroot=$cache/sysroot

# What the agent, its tests and the top-level find_package calls need (AIRFLEET_AGENT_ONLY=ON).
# protobuf-compiler-grpc: gRPCTargets.cmake checks that its grpc_cpp_plugin exists (the build
# runs the host's). libc6-dev: the sysroot carries its own C library, for the linker and qemu -L.
PACKAGES=(
  libc6-dev libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev libabsl-dev
  libpcap-dev librocksdb-dev libssl-dev zlib1g-dev libgtest-dev libgmock-dev
  libcurl4-openssl-dev nlohmann-json3-dev libcli11-dev libyaml-cpp-dev libzstd-dev
  libmicrohttpd-dev libnl-3-dev libnl-genl-3-dev libsystemd-dev
)

mkdir -p "$apt_dir"/state/lists/partial "$apt_dir"/cache/archives/partial \
  "$apt_dir"/etc/sources.list.d "$apt_dir"/etc/preferences.d
: >"$apt_dir"/state/status
# The host's own sources (same mirror, suites and keyring), and only the Debian ones.
rm -f "$apt_dir"/etc/sources.list.d/*
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && grep -qE 'debian\.org|/debian' "$f" && cp "$f" "$apt_dir"/etc/sources.list.d/
done
ls "$apt_dir"/etc/sources.list.d/* >/dev/null 2>&1 || { echo "no Debian apt source on this machine" >&2; exit 1; }

APT=(
  -o APT::Architecture=arm64 -o APT::Architectures::=arm64
  -o Dir::State="$apt_dir"/state -o Dir::State::status="$apt_dir"/state/status
  -o Dir::Cache="$apt_dir"/cache
  -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt_dir"/etc/sources.list.d
  -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts="$apt_dir"/etc/preferences.d
  # An empty status means "nothing installed": do not drag in every Essential package.
  -o pkgCacheGen::Essential=none -o APT::Install-Recommends=false
  -o APT::Sandbox::User=root -o Debug::NoLocking=true
)
# Indexes at most a day old are reused (a warm re-run makes no index download).
if [ -z "$(find "$apt_dir"/state/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null)" ]; then
  apt-get "${APT[@]}" -qq update >&2
fi
apt-get "${APT[@]}" -qq -y install --download-only "${PACKAGES[@]}" >&2
apt-get "${APT[@]}" -qq autoclean >&2  # drop .debs that newer versions replaced

# Unpack again only when the set of .debs changed (the stamp lists them).
debs=$(cd "$apt_dir"/cache/archives && find . -maxdepth 1 -name '*.deb' | sort)
want=$(printf '%s\n%s\n' "$debs" "$(sha256sum "$0" | cut -d' ' -f1)")
if [ "$(cat "$sysroot/.airfleet-stamp" 2>/dev/null)" != "$want" ]; then
  echo "unpacking $(wc -l <<<"$debs") arm64 packages into $sysroot" >&2
  rm -rf "$sysroot"
  mkdir -p "$sysroot"
  : >"$cache/shlibs"
  for d in $debs; do
    dpkg-deb -x "$apt_dir/cache/archives/$d" "$sysroot"
    # The packages' shlibs files (soname -> Debian dependency) for the agent .deb's Depends:
    # dpkg-shlibdeps asks the build machine's dpkg database, which has no arm64 packages.
    dpkg-deb -I "$apt_dir/cache/archives/$d" shlibs >>"$cache/shlibs" 2>/dev/null || true
  done
  # Absolute symlinks (usr/lib/aarch64-linux-gnu/libz.so -> /lib/...) would point at the build
  # machine's files: make them relative, inside the sysroot.
  find "$sysroot" -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
    ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$sysroot$(readlink "$link")")" "$link"
  done
  # Some packages' CMake files name /usr/... literally (Snappy's import prefix, RocksDB's libbz2):
  # re-root them at the sysroot the toolchain file sets (${CMAKE_SYSROOT} is CMake's to expand).
  # shellcheck disable=SC2016
  for d in "$sysroot"/usr/lib/aarch64-linux-gnu/cmake "$sysroot"/usr/lib/cmake "$sysroot"/usr/share/cmake; do
    if [ -d "$d" ]; then find "$d" -name '*.cmake' -type f -print0; fi
  done | xargs -0 -r sed -i -E '/^[[:space:]]*#/!s#([";])/usr([/"])#\1${CMAKE_SYSROOT}/usr\2#g'
  printf '%s\n' "$want" >"$sysroot/.airfleet-stamp"
fi
echo "$sysroot"
