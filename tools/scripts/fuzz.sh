#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time.
# Seeds: records cut out of the real captures (by path, never copied into the repo) plus
# tests/fuzz/seed_*/ . A crash leaves its input in build-fuzz/artifacts/ and fails the run.
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export AIRFLEET_REAL_PCAPS=${AIRFLEET_REAL_PCAPS:-$(cd "$root/.." && pwd)/shared/testdata/pcaps}
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DAIRFLEET_FUZZ=ON -DAIRFLEET_BENCH=OFF >/dev/null
# Every libFuzzer target (airfleet_fuzzer(...) in a CMakeLists.txt).
targets=$(grep -rhoE --include=CMakeLists.txt 'airfleet_fuzzer\([a-z_]+' agent collector tools common |
  sed 's/airfleet_fuzzer(//' | sort -u)
ninja -C build-fuzz $targets
mkdir -p build-fuzz/artifacts
for t in $targets; do
  corpus=build-fuzz/corpus/$t
  mkdir -p "$corpus"
  python3 tools/scripts/make_fuzz_seeds.py "$t" "$AIRFLEET_REAL_PCAPS" "$corpus"
  [ -d "tests/fuzz/seed_$t" ] && cp -n tests/fuzz/seed_"$t"/* "$corpus"/ 2>/dev/null || true
  echo "-- $t: $(ls "$corpus" | wc -l) seeds, ${seconds}s"
  binary=$(find build-fuzz -name "$t" -type f -perm -u+x | head -1)
  ASAN_OPTIONS=detect_leaks=1 "$binary" \
    -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 \
    -artifact_prefix=build-fuzz/artifacts/ "$corpus" 2>&1 | tail -n 12
done
