#!/usr/bin/env bash
# Builds the .deb packages (cpack -G DEB in the build directory) and checks them:
#   - dpkg-deb -I/-c: names, architecture, binaries, units, conffiles, maintainer scripts, and
#     Depends computed by dpkg-shlibdeps (libgrpc, librocksdb, libpcap ... must appear).
#   - shellcheck on the generated maintainer scripts (if installed).
#   - dpkg --root --unpack into a throwaway dpkg database: the packages install side by side,
#     dpkg records the conffiles, and the unpacked agent answers `config check` on the unpacked
#     example configuration.
# Not done here: running postinst for real. dpkg --root runs maintainer scripts chrooted into the
# root, which needs a whole Debian system inside it (debootstrap, network); running them without
# a chroot would create the airfleet user on the build machine. postinst is covered by
# linting (shellcheck) and by reading; deploy/pi/provision.sh runs it on a real Pi.
# Usage: deb_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }

arch=$(dpkg --print-architecture)
rm -f "$build"/airfleet-*.deb
(cd "$build" && cpack -G DEB >/dev/null) || fail "cpack -G DEB failed"
agent_deb=$(ls "$build"/airfleet-agent_*_"$arch".deb)
collector_deb=$(ls "$build"/airfleet-collector_*_"$arch".deb)

field() { dpkg-deb -f "$1" "$2"; }
[ "$(field "$agent_deb" Package)" = airfleet-agent ] || fail "agent package name"
[ "$(field "$collector_deb" Package)" = airfleet-collector ] || fail "collector package name"
[ "$(field "$agent_deb" Architecture)" = "$arch" ] || fail "agent architecture"

# Depends: from dpkg-shlibdeps, so the libraries the binaries link must be named.
agent_depends=$(field "$agent_deb" Depends)
for lib in adduser libc6 libgrpc++ libpcap0.8 librocksdb libnl-genl-3 libssl3 libyaml-cpp; do
  grep -q "$lib" <<<"$agent_depends" || fail "airfleet-agent Depends lacks $lib: $agent_depends"
done
collector_depends=$(field "$collector_deb" Depends)
for lib in adduser libc6 libgrpc++ libprotobuf libssl3; do
  grep -q "$lib" <<<"$collector_depends" || fail "airfleet-collector Depends lacks $lib"
done
# The collector does not capture: no libpcap.
if grep -q libpcap <<<"$collector_depends"; then fail "collector depends on libpcap"; fi

contents() { dpkg-deb -c "$1" | awk '{print $NF}'; }
for f in ./usr/bin/airfleet-agent ./usr/lib/systemd/system/airfleet-agent.service \
  ./etc/airfleet/agent.yaml; do
  contents "$agent_deb" | grep -qx "$f" || fail "airfleet-agent lacks $f"
done
for f in ./usr/bin/airfleet-collector ./usr/bin/airfleetctl \
  ./usr/lib/systemd/system/airfleet-collector.service; do
  contents "$collector_deb" | grep -qx "$f" || fail "airfleet-collector lacks $f"
done
if contents "$agent_deb" | grep -q airfleetctl; then fail "airfleetctl in the agent package"; fi

ctrl=$(mktemp -d)
trap 'rm -rf "$ctrl"' EXIT
dpkg-deb -e "$agent_deb" "$ctrl/agent"
dpkg-deb -e "$collector_deb" "$ctrl/collector"
grep -qx /etc/airfleet/agent.yaml "$ctrl/agent/conffiles" || fail "agent.yaml is not a conffile"
for pkg in agent collector; do
  for script in postinst prerm postrm; do
    [ -x "$ctrl/$pkg/$script" ] || fail "$pkg lacks an executable $script"
  done
  grep -q "adduser --system" "$ctrl/$pkg/postinst" || fail "$pkg postinst creates no user"
  grep -q "deb-systemd-helper enable airfleet-$pkg.service" "$ctrl/$pkg/postinst" ||
    fail "$pkg postinst does not enable its service"
  if grep -Eq "systemctl (--system )?start|deb-systemd-invoke start" "$ctrl/$pkg/postinst"; then
    fail "$pkg postinst starts the service (it must only enable it)"
  fi
  if command -v shellcheck >/dev/null; then
    shellcheck -s sh "$ctrl/$pkg/postinst" "$ctrl/$pkg/prerm" "$ctrl/$pkg/postrm" ||
      fail "shellcheck on $pkg maintainer scripts"
  else
    echo "shellcheck not installed: maintainer scripts not linted"
  fi
done

# Unpack both into a throwaway root with its own dpkg database.
root="$ctrl/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
dpkg --root="$root" --log=/dev/null --force-depends --unpack "$agent_deb" "$collector_deb" \
  >/dev/null || fail "dpkg --unpack into $root"
dpkg --root="$root" -s airfleet-agent | grep -q '^Status: install ok unpacked' ||
  fail "dpkg does not list airfleet-agent as unpacked"
dpkg --root="$root" -s airfleet-agent | grep -Eq '^ /etc/airfleet/agent.yaml (newconffile|[0-9a-f]{32})' ||
  fail "dpkg did not record agent.yaml as a conffile"
[ -x "$root/usr/bin/airfleet-agent" ] || fail "agent binary not unpacked"
# Until postinst configures the package, dpkg keeps a new conffile as FILE.dpkg-new.
"$root/usr/bin/airfleet-agent" config check "$root/etc/airfleet/agent.yaml.dpkg-new" >/dev/null ||
  fail "the packaged agent rejects the packaged configuration"
# The packaged units verify against the packaged binaries.
"$src/tests/deploy/verify_units.sh" "$src" "$root/usr/bin/airfleet-agent" \
  "$root/usr/bin/airfleet-collector" >/dev/null || fail "packaged units do not verify"

if command -v lintian >/dev/null; then
  # Informational: CPack packages lack a Debian changelog/copyright, which lintian reports.
  echo "lintian (informational):"
  lintian --no-tag-display-limit "$agent_deb" "$collector_deb" 2>&1 | sed 's/^/  /' | head -40 || true
fi
echo "packages OK: $(basename "$agent_deb") $(basename "$collector_deb")"
