#!/usr/bin/env bash
# The test command: the README gives it and .ci/run calls it. On a fresh Debian 12 machine it
# installs what is needed, then:
#   1. builds (RelWithDebInfo) and runs every test with ctest (unit, real-process, conformance
#      against tshark on the real captures),
#   2. builds with AddressSanitizer + UndefinedBehaviorSanitizer and runs the tests again,
#   3. builds the libFuzzer targets with clang and runs each for a bounded time,
#   4. cross-builds the agent for arm64 (Raspberry Pi) and runs its tests and an end-to-end replay
#      under qemu-user (tools/scripts/arm64.sh).
# Environment: AIRFLEET_REAL_PCAPS (default ../shared/testdata/pcaps), AIRFLEET_FUZZ_SECONDS (60),
# AIRFLEET_SKIP_ASAN=1 / AIRFLEET_SKIP_FUZZ=1 / AIRFLEET_SKIP_ARM64=1 to shorten a local run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
tools/scripts/install-deps.sh
export AIRFLEET_REAL_PCAPS=${AIRFLEET_REAL_PCAPS:-$(cd "$root/.." && pwd)/shared/testdata/pcaps}
jobs=$(nproc)

echo "== build and test (RelWithDebInfo)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

if [ "${AIRFLEET_SKIP_ASAN:-0}" != 1 ]; then
  # The e2e scripts (real processes, kill -9, timing-bounded waits) and the tests against real
  # OpenSearch/Cassandra servers (label "servers": a JVM start each) and the packaging checks
  # (label "deploy": they package whatever binaries are built) ran above; under the
  # sanitizers every unit and component test runs again, plus the tshark conformance run, which
  # pushes all 93 real captures through the ASan-built dissector.
  echo "== build and test with ASan + UBSan"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DAIRFLEET_SANITIZE=ON \
    -DAIRFLEET_BENCH=OFF >/dev/null
  ninja -C build-asan -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE "e2e|servers|deploy"
fi

if [ "${AIRFLEET_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzz (libFuzzer, ${AIRFLEET_FUZZ_SECONDS:-60}s per target)"
  tools/scripts/fuzz.sh "${AIRFLEET_FUZZ_SECONDS:-60}"
fi
if [ "${AIRFLEET_SKIP_ARM64:-0}" != 1 ]; then
  AIRFLEET_JOBS=$jobs tools/scripts/arm64.sh
fi
echo "== all tests passed"
