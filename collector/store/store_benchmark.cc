// Ingest throughput of the embedded store: summaries/s through CommitBatches with group commit,
// as the collector's CommitQueue drives it (many agents, one synced WriteBatch per group).
//
// Args: {agents in a group, windows per batch, sync, fresh windows}. Devices come from a pool of
// 50,000 MACs so device-state merges overlap across agents as they do in a real deployment.
// fresh windows = 1 moves every batch to the next minute, as agents do (each stored window is new
// and only the device table merges); 0 re-sends the same minute, so every window after the first
// round is a partial merge: the worst case for the merge operators.
//
// `cpu_us/summary` is the CPU time of the whole process (commit thread and RocksDB's flush and
// compaction threads) per summary: unlike summaries/s it does not depend on what else the machine
// runs. The 500,000 summaries/s budget on 2 cores is 4 us/summary.
//
// After the timed loop the store is flushed and fully compacted and `disk_B/summary` reports live
// table bytes per committed summary (windows, device and stream records included).

#include <filesystem>
#include <random>
#include <string>

#include "benchmark/benchmark.h"
#include "collector/store/rocksdb_store.h"
#include "collector/testing/bench_load.h"

namespace airfleet::collector {
namespace {

constexpr int64_t kT0 = 1'700'000'040'000'000'000;
using testing::BenchBatch;
using testing::ProcessCpuSeconds;

void BM_CommitBatches(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(0));
  const int windows = static_cast<int>(state.range(1));
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "airfleet_store_benchmark";
  std::filesystem::remove_all(dir);
  {
    // Third arg 0 turns WAL sync off, to show how much of the time is the fsync.
    const bool sync = state.range(2) != 0;
    auto store = RocksDbStore::Open({dir.string(), [] { return kT0; }, sync});
    if (!store.ok()) {
      state.SkipWithError(std::string(store.status().message()).c_str());
      return;
    }
    std::mt19937_64 rng(42);
    // Pre-build a few rounds of batches so protobuf construction is not measured.
    constexpr int kRounds = 8;
    std::vector<std::vector<v1::Batch>> rounds(kRounds);
    for (int r = 0; r < kRounds; ++r) {
      for (int a = 0; a < agents; ++a) {
        rounds[r].push_back(BenchBatch("agent-" + std::to_string(a), 1000 + a, windows, kT0, rng));
      }
    }
    const bool fresh_windows = state.range(3) != 0;
    uint64_t seq = 0;
    int64_t summaries = 0;
    std::vector<BatchToCommit> group;
    const double cpu_start = ProcessCpuSeconds();
    for (auto _ : state) {
      ++seq;
      auto& round = rounds[seq % kRounds];
      group.clear();
      for (auto& b : round) {
        b.set_sequence(seq);  // contiguous per stream, so nothing is a duplicate
        if (fresh_windows) {
          const int64_t window = kT0 + static_cast<int64_t>(seq) * 60'000'000'000;
          for (v1::DeviceWindow& w : *b.mutable_windows()) w.set_window_start_ns(window);
        }
        group.push_back({b.agent_id(), &b});
      }
      auto results = (*store)->CommitBatches(group);
      if (!results.ok()) {
        state.SkipWithError(std::string(results.status().message()).c_str());
        break;
      }
      summaries += int64_t{agents} * windows;
    }
    const double cpu_seconds = ProcessCpuSeconds() - cpu_start;
    state.SetItemsProcessed(summaries);
    if (summaries > 0) state.counters["cpu_us/summary"] = cpu_seconds * 1e6 / summaries;
    state.counters["summaries/s"] =
        benchmark::Counter(static_cast<double>(summaries), benchmark::Counter::kIsRate);
    if (absl::Status s = (*store)->CompactAll(); !s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
    } else if (auto bytes = (*store)->LiveFileBytes(); bytes.ok() && summaries > 0) {
      state.counters["disk_B/summary"] = static_cast<double>(*bytes) / summaries;
    }
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_CommitBatches)
    ->Args({1, 500, 1, 0})
    ->Args({16, 500, 1, 0})
    ->Args({64, 500, 1, 0})
    ->Args({200, 100, 1, 0})
    ->Args({64, 500, 0, 0})
    ->Args({16, 500, 1, 1})
    ->Args({64, 500, 1, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(3.0);

}  // namespace
}  // namespace airfleet::collector
