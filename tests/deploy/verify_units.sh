#!/usr/bin/env bash
# Verifies deploy/systemd/*.service with `systemd-analyze verify`.
# Usage: verify_units.sh SOURCE_DIR AGENT_BINARY COLLECTOR_BINARY
#
# The container has no running systemd (PID 1 is not systemd), so verify runs offline against a
# throwaway root (--root): it holds the two units, the real binaries at the paths ExecStart names
# (verify checks they exist and are executable) and a copy of the host's system units (the
# default dependencies need sysinit.target etc.). systemd-analyze only warns (exit 0) about
# unknown or misspelt keys, so any output at all fails the test; the script first proves that a
# deliberately misspelt key is reported, so the test cannot pass by verifying nothing.
set -euo pipefail
src=$1 agent=$2 collector=$3
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/usr/bin" "$root/usr/lib/systemd" "$root/etc/systemd/system"
ln -s usr/bin "$root/bin"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
install -m 0755 "$agent" "$root/usr/bin/airfleet-agent"
install -m 0755 "$collector" "$root/usr/bin/airfleet-collector"
install -m 0755 /usr/bin/kill "$root/usr/bin/kill"

verify() {  # prints whatever systemd-analyze says about the units in $root
  (cd "$root" && systemd-analyze verify --man=no --root="$root" "$@" 2>&1) || echo "exit status $?"
}

# 1. The check can fail: a misspelt key must be reported.
sed 's/^ProtectClock=yes/ProtectClok=yes/' "$src/deploy/systemd/airfleet-agent.service" \
  >"$root/etc/systemd/system/airfleet-agent.service"
if ! verify "$root/etc/systemd/system/airfleet-agent.service" | grep -q "Unknown key 'ProtectClok'"; then
  echo "FAIL: systemd-analyze did not report a misspelt key; the verification below means nothing" >&2
  exit 1
fi

# 2. The real units: no output at all.
cp "$src"/deploy/systemd/airfleet-*.service "$root/etc/systemd/system/"
out=$(verify "$root/etc/systemd/system/airfleet-agent.service" \
  "$root/etc/systemd/system/airfleet-collector.service")
if [ -n "$out" ]; then
  echo "FAIL: systemd-analyze verify:" >&2
  echo "$out" >&2
  exit 1
fi

# 3. The hardening the units promise is what systemd parsed (not just text in the file).
for unit in airfleet-agent airfleet-collector; do
  f="$root/etc/systemd/system/$unit.service"
  for want in 'User=airfleet' 'ProtectSystem=strict' 'StateDirectory=airfleet' \
    'NoNewPrivileges=yes' 'Restart=on-failure' 'SystemCallFilter=@system-service'; do
    grep -qx "$want" "$f" || { echo "FAIL: $unit lacks $want" >&2; exit 1; }
  done
done
grep -qx 'AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN' "$root/etc/systemd/system/airfleet-agent.service"
grep -qx 'CapabilityBoundingSet=' "$root/etc/systemd/system/airfleet-collector.service"
# systemd's own exposure analysis (offline) must rate both as well confined.
for unit in airfleet-agent airfleet-collector; do
  (cd "$root" && systemd-analyze security --man=no --offline=yes --root="$root" \
    --threshold=40 "$root/etc/systemd/system/$unit.service" >"$root/$unit.security" 2>&1) || {
    echo "FAIL: $unit exposure above threshold:" >&2
    tail -3 "$root/$unit.security" >&2
    exit 1
  }
  echo "$unit: $(tail -1 "$root/$unit.security")"
done
echo "units verified"
