#pragma once

// The synthetic load of the collector's throughput benchmarks (store_benchmark: CommitBatches
// directly; ingest_benchmark: over gRPC), one definition so that their figures stay comparable.

#include <cstdint>
#include <random>
#include <string>

#include "airfleet/v1/batch.pb.h"

namespace airfleet::collector::testing {

// Devices come from a pool of this many MACs, so device-state merges overlap across agents as
// they do in a real deployment.
inline constexpr uint64_t kBenchDevicePool = 50'000;

// A batch of `windows` fully populated windows starting at `window_start_ns`: random MACs from the
// pool (randomised), 1..40 frames each with bytes, one subtype, signal, a channel, probe requests
// and a probe fingerprint. The sequence is left 0 for the caller to set.
v1::Batch BenchBatch(const std::string& agent_id, uint64_t stream_id, int windows,
                     int64_t window_start_ns, std::mt19937_64& rng);

// User + system CPU of all threads of this process, in seconds.
double ProcessCpuSeconds();

}  // namespace airfleet::collector::testing
