#!/usr/bin/env bash
# Whole agent on a capture file vs tshark on the same file (docs/architecture.md budget: the agent
# is >= 100x faster than `tshark -T fields`). Builds nothing: point it at built binaries.
#
# Timed with bash's time (wall, user+sys CPU), best of N runs by wall time, all output to /dev/null:
#   summarise  airfleet-agent summarise --pcap F --format ndjson
#   inspect    airfleet-agent inspect   --pcap F --format ndjson   (per-frame output: like for like)
#   tshark     tshark -n -r F -T fields -e <the fields inspect prints>
#
# Usage: tools/bench/compare_tshark.sh [options] [CAPTURE...]
#   --agent BIN       airfleet-agent       (default build/agent/cli/airfleet-agent)
#   --framegen BIN    airfleet-framegen    (default build/tools/framegen/airfleet-framegen)
#   --runs N          runs per command     (default 3)
#   --frames N        frames of the generated capture (default 1000000)
#   --devices N       devices of the generated capture (default 2000)
#   --seed N          seed of the generated capture (default 7)
#   --no-tshark       skip tshark (agent figures only)
# Without CAPTURE, generates one deterministic capture (framegen scenario, 600 s span, radiotap,
# pcap) in a temporary directory and removes it afterwards.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
agent=$root/build/agent/cli/airfleet-agent
framegen=$root/build/tools/framegen/airfleet-framegen
runs=3 frames=1000000 devices=2000 seed=7 tshark=1
captures=()
while [ $# -gt 0 ]; do
  case $1 in
    --agent) agent=$2; shift 2 ;;
    --framegen) framegen=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --frames) frames=$2; shift 2 ;;
    --devices) devices=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --no-tshark) tshark=0; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 1 ;;
    *) captures+=("$1"); shift ;;
  esac
done
[ -x "$agent" ] || { echo "no agent binary at $agent (build airfleet-agent, or pass --agent)" >&2; exit 1; }
if [ $tshark = 1 ] && ! command -v tshark >/dev/null; then
  echo "tshark not found (apt-get install tshark), or pass --no-tshark" >&2; exit 1
fi

work=$(mktemp -d /tmp/airfleet-compare.XXXXXX)
trap 'rm -rf "$work"' EXIT
if [ ${#captures[@]} -eq 0 ]; then
  [ -x "$framegen" ] || { echo "no framegen binary at $framegen (or pass --framegen)" >&2; exit 1; }
  captures=("$work/scenario-${frames}f-${devices}d-seed${seed}.pcap")
  "$framegen" scenario --devices "$devices" --frames "$frames" --seconds 600 --seed "$seed" \
    --start 1700000000 --format pcap --out "${captures[0]}" >/dev/null
fi

tshark_fields=(-e frame.number -e wlan.fc.type -e wlan.fc.subtype -e wlan.ta -e wlan.ra -e wlan.sa
               -e wlan.da -e wlan.bssid -e radiotap.dbm_antsignal -e wlan_radio.frequency
               -e wlan.ssid)

# best_of NAME OKCODES CMD...: runs CMD $runs times, stdout to /dev/null, timed with bash's `time`
# (ms resolution); sets best_wall/best_cpu from the run with the lowest wall time. OKCODES: exit
# codes accepted, e.g. "0 3" (the agent exits 3 on a capture cut short after processing all of it).
best_of() {
  local name=$1 ok=$2; shift 2
  best_wall="" best_cpu=""
  for i in $(seq "$runs"); do
    local rc=0
    { TIMEFORMAT='%3R %3U %3S'; time "$@" >/dev/null 2>"$work/stderr.$name" || rc=$?; } 2>"$work/time"
    case " $ok " in
      *" $rc "*) ;;
      *) echo "$name failed (exit $rc): $(tail -3 "$work/stderr.$name")" >&2; exit 1 ;;
    esac
    read -r wall user sys < <(tail -1 "$work/time")
    local cpu
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.3f", u+s}')
    if [ -z "$best_wall" ] || awk -v a="$wall" -v b="$best_wall" 'BEGIN{exit !(a<b)}'; then
      best_wall=$wall best_cpu=$cpu
    fi
  done
}

row() {  # row NAME FRAMES WALL CPU
  awk -v n="$1" -v f="$2" -v w="$3" -v c="$4" 'BEGIN{
    ww = (w > 0 ? w : 0.0005); cc = (c > 0 ? c : 0.0005);
    printf "  %-10s frames=%-9d wall=%8.3fs cpu=%8.3fs  %12.0f frames/s wall  %12.0f frames/s cpu\n",
           n, f, w, c, f/ww, f/cc}'
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "agent: $agent; runs per command: $runs (best by wall time)"
for f in "${captures[@]}"; do
  echo "== $(basename "$f") ($(stat -c %s "$f") bytes)"
  best_of summarise "0 3" "$agent" summarise --pcap "$f" --format ndjson
  s_wall=$best_wall s_cpu=$best_cpu
  frames=$(sed -n 's/^airfleet-agent: \([0-9]*\) frames.*/\1/p' "$work/stderr.summarise" | tail -1)
  best_of inspect "0 3" "$agent" inspect --pcap "$f" --format ndjson
  i_wall=$best_wall i_cpu=$best_cpu
  row summarise "$frames" "$s_wall" "$s_cpu"
  row inspect "$frames" "$i_wall" "$i_cpu"
  if [ $tshark = 1 ]; then
    best_of tshark "0 2" tshark -n -r "$f" -T fields "${tshark_fields[@]}"
    t_wall=$best_wall t_cpu=$best_cpu
    row tshark "$frames" "$t_wall" "$t_cpu"
    awk -v sw="$s_wall" -v sc="$s_cpu" -v iw="$i_wall" -v ic="$i_cpu" -v tw="$t_wall" -v tc="$t_cpu" 'BEGIN{
      m = 0.0005
      printf "  ratio tshark/summarise: %.0fx wall, %.0fx cpu (target >= 100x)\n", tw/(sw>m?sw:m), tc/(sc>m?sc:m)
      printf "  ratio tshark/inspect:   %.0fx wall, %.0fx cpu\n", tw/(iw>m?iw:m), tc/(ic>m?ic:m)}'
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
