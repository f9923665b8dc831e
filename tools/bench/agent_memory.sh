#!/usr/bin/env bash
# Agent peak resident memory with 10,000 devices in one window and the spool active
# (docs/architecture.md budget: <= 24 MiB). Builds nothing: point it at built binaries.
#
#  1. generates a deterministic capture: framegen scenario with DEVICES devices and FRAMES frames,
#     all inside one 60 s window (aligned start, 59 s span);
#  2. creates a PKI and starts a real airfleet-collector on 127.0.0.1 (as tools/scripts/demo.sh);
#  3. runs `airfleet-agent run --pcap F --replay-speed max --exit-when-drained` under
#     /usr/bin/time -v and reports "Maximum resident set size" (the kernel's peak RSS, VmHWM);
#  4. the same for `airfleet-agent summarise --pcap F` alone (no spool, no uplink).
# Best (lowest) of RUNS runs; every run uses a fresh spool directory.
#
# Usage: tools/bench/agent_memory.sh [--build DIR] [--devices N] [--frames N] [--runs N] [CAPTURE]
#   --build DIR   where airfleet-agent, airfleet-collector, airfleetctl, airfleet-framegen are
#                 (default build)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build devices=10000 frames=200000 runs=3 capture=""
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --devices) devices=$2; shift 2 ;;
    --frames) frames=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 1 ;;
    *) capture=$1; shift ;;
  esac
done
agent=$build/agent/cli/airfleet-agent
collector=$build/collector/airfleet-collector
ctl=$build/tools/ctl/airfleetctl
framegen=$build/tools/framegen/airfleet-framegen
for b in "$agent" "$collector" "$ctl"; do
  [ -x "$b" ] || { echo "missing $b (build it first)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing (Debian package 'time')" >&2; exit 1; }

work=$(mktemp -d /tmp/airfleet-memory.XXXXXX)
collector_pid=""
cleanup() {
  if [ -n "$collector_pid" ]; then kill "$collector_pid" 2>/dev/null || true; wait "$collector_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "$capture" ]; then
  [ -x "$framegen" ] || { echo "missing $framegen" >&2; exit 1; }
  capture=$work/devices-$devices.pcap
  # 1700000040 is a multiple of 60: the whole 59 s span is one 60 s window.
  "$framegen" scenario --devices "$devices" --frames "$frames" --seconds 59 --seed 10000 \
    --start 1700000040 --format pcap --out "$capture" >/dev/null
fi

"$ctl" pki init --dir "$work/pki" >/dev/null
"$ctl" pki issue collector localhost --dir "$work/pki" >/dev/null
"$ctl" pki issue agent pi-mem-01 --dir "$work/pki" >/dev/null
"$collector" --listen 127.0.0.1:0 --data-dir "$work/collector" --ca "$work/pki/ca.pem" \
  --cert "$work/pki/localhost.pem" --key "$work/pki/localhost.key" --retention-days 0 \
  >"$work/collector.log" 2>&1 &
collector_pid=$!
for _ in $(seq 100); do [ -s "$work/collector/collector.addr" ] && break; sleep 0.1; done
addr=$(cat "$work/collector/collector.addr")

rss_kib() { sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$1"; }
mib() { awk -v k="$1" 'BEGIN{printf "%.1f MiB", k/1024}'; }

echo "capture: $(basename "$capture") ($(stat -c %s "$capture") bytes); collector at $addr"
best_run="" best_sum=""
for i in $(seq "$runs"); do
  /usr/bin/time -v -o "$work/time.run" "$agent" run --pcap "$capture" --replay-speed max \
    --window 60s --collector "$addr" --ca "$work/pki/ca.pem" --cert "$work/pki/pi-mem-01.pem" \
    --key "$work/pki/pi-mem-01.key" --spool-dir "$work/spool.$i" --exit-when-drained \
    >"$work/run.out" 2>"$work/run.err" || { echo "agent run failed:"; tail -5 "$work/run.err"; exit 1; }
  k=$(rss_kib "$work/time.run")
  if [ -z "$best_run" ] || [ "$k" -lt "$best_run" ]; then best_run=$k; fi
  /usr/bin/time -v -o "$work/time.sum" "$agent" summarise --pcap "$capture" --format ndjson \
    >/dev/null 2>"$work/sum.err"
  k=$(rss_kib "$work/time.sum")
  if [ -z "$best_sum" ] || [ "$k" -lt "$best_sum" ]; then best_sum=$k; fi
done
echo "agent run log (last run):"; sed 's/^/  /' "$work/run.err" | tail -4
echo "summarise: $(tail -1 "$work/sum.err")"
echo "peak RSS, airfleet-agent run (spool + uplink, collector acks all): ${best_run} KiB = $(mib "$best_run") (target <= 24 MiB)"
echo "peak RSS, airfleet-agent summarise alone:                          ${best_sum} KiB = $(mib "$best_sum")"
