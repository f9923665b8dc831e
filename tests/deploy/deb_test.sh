#!/usr/bin/env bash
# Builds the .deb packages (cpack -G DEB in the build directory) and checks them:
#   - dpkg-deb -I/-c: names, architecture, binaries, units, conffiles, maintainer scripts, and
#     Depends computed by dpkg-shlibdeps (libgrpc, librocksdb, libpcap ... must appear).
#   - shellcheck on the generated maintainer scripts (if installed).
#   - dpkg --root --unpack into a throwaway dpkg database: the packages install side by side,
#     dpkg records the conffiles, and the unpacked agent answers `config check` on the unpacked
#     example configuration.
#   - a real install with `dpkg -i` (maintainer scripts run) in a throwaway root: an overlay of
#     this machine's own Debian system (lower layer read-only, writes to a temp dir, in a private
#     mount namespace, chrooted), so postinst's adduser, permissions and unit enabling happen for
#     real while the build machine is left unchanged. Then reinstall, a kept conffile edit, and
#     purge. Needs root and overlayfs; skipped with the reason otherwise.
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

# ---- a real install, maintainer scripts included, in an overlay of this machine ----
install_check() {
  local ovl=$1
  cp "$agent_deb" "$collector_deb" "$ovl/merged/tmp/"
  mount -t proc proc "$ovl/merged/proc"
  mount --bind /dev "$ovl/merged/dev"
  chroot "$ovl/merged" /bin/sh -eu <<'INSIDE'
fail() { echo "FAIL (installed): $*" >&2; exit 1; }
dpkg -i /tmp/airfleet-agent_*.deb /tmp/airfleet-collector_*.deb >/dev/null 2>&1 ||
  fail "dpkg -i did not configure both packages"
dpkg -s airfleet-agent | grep -q '^Status: install ok installed' || fail "agent not installed"
entry=$(getent passwd airfleet) || fail "postinst created no airfleet user"
uid=$(echo "$entry" | cut -d: -f3)
[ "$uid" -lt 1000 ] || fail "airfleet is not a system user: $entry"
[ "$(echo "$entry" | cut -d: -f6,7)" = /var/lib/airfleet:/usr/sbin/nologin ] ||
  fail "airfleet home/shell: $entry"
[ "$(stat -c %U:%G:%a /etc/airfleet)" = root:root:755 ] || fail "/etc/airfleet owner/mode"
for f in agent.yaml collector.yaml; do
  [ "$(stat -c %U:%G:%a /etc/airfleet/$f)" = root:airfleet:640 ] || fail "$f owner/mode"
done
[ "$(stat -c %U:%G:%a /var/lib/airfleet)" = airfleet:airfleet:750 ] || fail "state dir owner/mode"
for s in agent collector; do
  [ -L /etc/systemd/system/multi-user.target.wants/airfleet-$s.service ] ||
    fail "airfleet-$s.service not enabled"
done
# The service user reads its configuration; other users do not.
setpriv --reuid=airfleet --regid=airfleet --init-groups airfleet-agent config check \
  /etc/airfleet/agent.yaml >/dev/null 2>/tmp/check.err ||
  fail "the airfleet user cannot use agent.yaml: $(cat /tmp/check.err)"
if setpriv --reuid=nobody --regid=nogroup --clear-groups cat /etc/airfleet/agent.yaml \
  >/dev/null 2>&1; then fail "agent.yaml readable by nobody"; fi
# An operator's edit survives a reinstall (conffile), and postinst is idempotent.
echo "# edited by the operator" >>/etc/airfleet/agent.yaml
dpkg -i /tmp/airfleet-agent_*.deb >/dev/null 2>&1 || fail "reinstall failed"
grep -q "edited by the operator" /etc/airfleet/agent.yaml || fail "reinstall lost the conffile edit"
[ "$(getent passwd | grep -c '^airfleet:')" = 1 ] || fail "reinstall made a second user"
# Purge: the agent's state goes, the collector's package and the user stay.
mkdir -p /var/lib/airfleet/spool /var/lib/airfleet/rings
touch /var/lib/airfleet/spool/CURRENT /var/lib/airfleet/rings/ring.json
dpkg --purge airfleet-agent >/dev/null 2>&1 || fail "purge failed"
[ ! -e /var/lib/airfleet/spool ] && [ ! -e /var/lib/airfleet/rings ] ||
  fail "purge left the agent's spool or rings"
[ ! -e /etc/systemd/system/multi-user.target.wants/airfleet-agent.service ] ||
  fail "purge left the agent enabled"
[ -L /etc/systemd/system/multi-user.target.wants/airfleet-collector.service ] ||
  fail "purging the agent disabled the collector"
getent passwd airfleet >/dev/null || fail "purge removed the user the collector runs as"
INSIDE
}
if [ "$(id -u)" = 0 ] && unshare --mount true 2>/dev/null; then
  host_user_before=$(getent passwd airfleet || true)
  ovl=$(mktemp -d)
  mkdir -p "$ovl/upper" "$ovl/work" "$ovl/merged"
  export -f install_check
  export agent_deb collector_deb
  rc=0
  unshare --mount --propagation private bash -c "
      mount -t overlay overlay -o lowerdir=/,upperdir=$ovl/upper,workdir=$ovl/work \\
        $ovl/merged 2>/dev/null || exit 77
      install_check $ovl" || rc=$?
  rm -rf "$ovl"
  if [ $rc = 77 ]; then
    echo "overlayfs unavailable: real install skipped"
  elif [ $rc != 0 ]; then
    fail "real install"
  else
    [ "$(getent passwd airfleet || true)" = "$host_user_before" ] ||
      fail "the install changed this machine's users"
    echo "real install OK: user, permissions, enabled units, conffile kept on reinstall, purge"
  fi
else
  echo "not root or no mount namespaces: real install skipped"
fi

if command -v lintian >/dev/null; then
  # Informational: CPack packages lack a Debian changelog/copyright, which lintian reports.
  echo "lintian (informational):"
  lintian --no-tag-display-limit "$agent_deb" "$collector_deb" 2>&1 | sed 's/^/  /' | head -40 || true
fi
echo "packages OK: $(basename "$agent_deb") $(basename "$collector_deb")"
