#!/usr/bin/env bash
# deploy/pi/provision.sh without a Pi: shellcheck, the commands --dry-run prints (local and
# remote), and idempotent file placement against a temporary root (--root).
# A real radio, iw and systemd are not available here; the commands that need them are checked
# as printed text, which is what --dry-run is for.
# Usage: provision_test.sh SOURCE_DIR AGENT_BINARY
set -euo pipefail
src=$1 agent=$2
script="$src/deploy/pi/provision.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() {  # expect OUTPUT LINE...: every LINE appears verbatim in OUTPUT
  local out=$1; shift
  for line in "$@"; do grep -qxF -- "$line" <<<"$out" || fail "missing '$line' in:
$out"; done
}

if command -v shellcheck >/dev/null; then
  shellcheck "$script" "$src"/tests/deploy/*.sh || fail "shellcheck"
else
  echo "shellcheck not installed: skipped"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export AIRFLEET_AGENT=$agent
mkdir -p "$tmp/certs"
for f in ca.pem pi-7.pem pi-7.key; do echo "$f v1" >"$tmp/certs/$f"; done
# A plan on another phy/interface than the example, so the values come from this file.
sed -e 's/^  iface: mon0/  iface: wlmon7/' -e 's/^  phy: phy0/  phy: phy3/' \
  -e 's/^  channels: \[1, 6, 11\]/  channels: ["5g:36", 40]/' \
  "$src/deploy/agent/agent.yaml" >"$tmp/agent.yaml"

# 1. Local dry run: the commands, in order, and nothing written.
out=$("$script" --dry-run --config "$tmp/agent.yaml" --certs "$tmp/certs" --name pi-7 local)
expect "$out" \
  "+ install -m 0640 $tmp/agent.yaml /etc/airfleet/agent.yaml" \
  "+ install -m 0640 $tmp/certs/pi-7.key /etc/airfleet/agent.key" \
  "+ iw phy phy3 interface add wlmon7 type monitor" \
  "+ ip link set wlmon7 up" \
  "+ iw dev wlmon7 set channel 36" \
  "+ systemctl enable airfleet-agent.service" \
  "+ systemctl restart airfleet-agent.service"
grep -q "start.*--now\|systemctl start" <<<"$out" && fail "dry run both starts and restarts"

# 2. Remote dry run: ships the files and runs itself there with sudo.
out=$("$script" --dry-run --ssh admin@ --config "$tmp/agent.yaml" --certs "$tmp/certs" --name pi-7 pi-lobby)
grep -q "^+ scp -q .*provision.sh .*agent.yaml .*pi-7.key admin@pi-lobby:/tmp/airfleet-provision/" \
  <<<"$out" || fail "remote dry run does not copy the files: $out"
grep -q "^+ ssh admin@pi-lobby sudo bash /tmp/airfleet-provision/provision.sh local --config" \
  <<<"$out" || fail "remote dry run does not run itself remotely: $out"

# 3. Against a temp root: files placed once, then left alone; a changed cert is replaced alone.
root="$tmp/root"
first=$("$script" --root "$root" --config "$tmp/agent.yaml" --certs "$tmp/certs" --name pi-7 local)
expect "$first" "placed $root/etc/airfleet/agent.yaml" "placed $root/etc/airfleet/agent.key" \
  "placed $root/etc/systemd/system/airfleet-agent.service.d/monitor.conf"
cmp "$tmp/agent.yaml" "$root/etc/airfleet/agent.yaml" || fail "agent.yaml content"
[ "$(stat -c %a "$root/etc/airfleet/agent.key")" = 640 ] || fail "agent.key mode"
expect "$(cat "$root/etc/systemd/system/airfleet-agent.service.d/monitor.conf")" \
  "ExecStartPre=-+/usr/sbin/iw phy phy3 interface add wlmon7 type monitor" \
  "ExecStartPre=-+/usr/sbin/iw dev wlmon7 set channel 36"
before=$(find "$root" -type f -printf '%p %T@\n' | sort)
second=$("$script" --root "$root" --config "$tmp/agent.yaml" --certs "$tmp/certs" --name pi-7 local)
grep -q '^placed' <<<"$second" && fail "second run placed files again: $second"
expect "$second" "unchanged $root/etc/airfleet/agent.yaml" "+ systemctl start airfleet-agent.service"
[ "$before" = "$(find "$root" -type f -printf '%p %T@\n' | sort)" ] || fail "second run touched files"
echo "pi-7.pem v2" >"$tmp/certs/pi-7.pem"
third=$("$script" --root "$root" --config "$tmp/agent.yaml" --certs "$tmp/certs" --name pi-7 local)
[ "$(grep -c '^placed' <<<"$third")" = 1 ] || fail "expected only agent.pem replaced: $third"
expect "$third" "placed $root/etc/airfleet/agent.pem" "+ systemctl restart airfleet-agent.service"

# 4. A broken configuration stops provisioning with the agent's message.
printf 'capture:\n  ifac: mon0\n' >"$tmp/bad.yaml"
if err=$("$script" --root "$tmp/root2" --config "$tmp/bad.yaml" local 2>&1); then
  fail "provisioning accepted a broken configuration"
fi
grep -q "bad.yaml:2: capture.ifac: unknown key" <<<"$err" || fail "no line in the error: $err"
[ ! -e "$tmp/root2/etc/airfleet/agent.yaml" ] || fail "a broken configuration was placed"
echo "provision OK"
