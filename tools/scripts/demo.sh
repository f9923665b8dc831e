#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: installs what is needed, builds, then
#   1. creates a fleet CA and certificates (airfleetctl pki),
#   2. starts a collector with the embedded RocksDB store on 127.0.0.1 (free port),
#   3. runs an agent that replays a real capture to it over mutually authenticated gRPC and exits
#      once every batch is acknowledged,
#   4. shows the fleet: airfleetctl agents and devices.
# Usage: tools/scripts/demo.sh [CAPTURE]   (default: a probe-request capture from ../shared)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
tools/scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build airfleet-agent airfleet-collector airfleetctl >/dev/null
pcaps=${AIRFLEET_REAL_PCAPS:-$(cd "$root/.." && pwd)/shared/testdata/pcaps}
capture=${1:-$pcaps/Wireless-Internet-Project_MAC-Randomization__04_SamsungA53_01.pcap}
bin=$root/build
work=$(mktemp -d /tmp/airfleet-demo.XXXXXX)
trap 'kill $collector_pid 2>/dev/null || true; wait 2>/dev/null || true' EXIT

"$bin"/tools/ctl/airfleetctl pki init --dir "$work/pki"
"$bin"/tools/ctl/airfleetctl pki issue collector localhost --dir "$work/pki"
"$bin"/tools/ctl/airfleetctl pki issue agent pi-demo-01 --dir "$work/pki"
"$bin"/tools/ctl/airfleetctl pki issue operator ops --dir "$work/pki"

"$bin"/collector/airfleet-collector --listen 127.0.0.1:0 --data-dir "$work/collector" \
  --ca "$work/pki/ca.pem" --cert "$work/pki/localhost.pem" --key "$work/pki/localhost.key" \
  --retention-days 0 &  # the demo capture is from 2024: keep it (default retention is 30 days)
collector_pid=$!
for _ in $(seq 100); do [ -s "$work/collector/collector.addr" ] && break; sleep 0.1; done
addr=$(cat "$work/collector/collector.addr")

echo "== agent pi-demo-01 replays $(basename "$capture") to the collector at $addr"
"$bin"/agent/cli/airfleet-agent run --pcap "$capture" --replay-speed max --window 60s \
  --collector "$addr" --ca "$work/pki/ca.pem" --cert "$work/pki/pi-demo-01.pem" \
  --key "$work/pki/pi-demo-01.key" --spool-dir "$work/spool" --exit-when-drained

ctl=("$bin"/tools/ctl/airfleetctl --collector "$addr" --ca "$work/pki/ca.pem"
     --cert "$work/pki/ops.pem" --key "$work/pki/ops.key")
echo "== airfleetctl agents"
"${ctl[@]}" agents
echo "== airfleetctl devices (first 25)"
"${ctl[@]}" devices --limit 25
echo "(state kept in $work)"
