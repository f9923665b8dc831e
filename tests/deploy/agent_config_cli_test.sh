#!/usr/bin/env bash
# `airfleet-agent config check` and `run --config` as a user meets them: exit codes, the message
# with file:line:key, and precedence flag > file > default (shown by which capture file `run`
# tries to open; the files do not exist, so run stops there with exit 2 and names it).
# Usage: agent_config_cli_test.sh SOURCE_DIR AGENT_BINARY
set -euo pipefail
src=$1 agent=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$("$agent" config check "$src/deploy/agent/agent.yaml") || fail "example rejected"
grep -q "^configuration OK: .*agent.yaml (live on mon0, collector collector.example.net:7443" \
  <<<"$out" || fail "unexpected OK line: $out"

printf 'summary:\n  window: 60s\n  max_devices: many\n' >"$tmp/bad.yaml"
set +e
err=$("$agent" config check "$tmp/bad.yaml" 2>&1); rc=$?
set -e
[ "$rc" = 2 ] || fail "config check exit $rc, want 2"
grep -qF "$tmp/bad.yaml:3: summary.max_devices: expected a whole number, not 'many'" <<<"$err" ||
  fail "message: $err"

# A real certificate: run reads the agent id (CN) from it before it opens the capture.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/a.key" \
  -out "$tmp/a.pem" -subj /CN=pi-test -days 2 2>/dev/null
cat >"$tmp/agent.yaml" <<YAML
collector: {address: "127.0.0.1:1"}
tls: {ca: $tmp/a.pem, cert: $tmp/a.pem, key: $tmp/a.key}
spool: {dir: $tmp/spool}
capture: {pcap: $tmp/from-file.pcap}
YAML
run_err() { set +e; "$agent" run --config "$tmp/agent.yaml" "$@" 2>&1; set -e; }
grep -qF "$tmp/from-file.pcap: No such file" <<<"$(run_err)" || fail "file setting not used"
grep -qF "$tmp/from-flag.pcap: No such file" <<<"$(run_err --pcap "$tmp/from-flag.pcap")" ||
  fail "flag does not override the file"
# A flag for the other source replaces the file's source instead of conflicting with it.
if grep -q "exactly one of" <<<"$(run_err --iface airfleet-test-none0)"; then
  fail "--iface did not replace capture.pcap"
fi
echo "agent config CLI OK"
