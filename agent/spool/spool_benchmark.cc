// Spool throughput and footprint:
//  * BM_Append/<durability>: appends per second with 60 summaries each (a small window).
//  * BM_DiskBytesPerSummary: SST bytes on disk per summary after a flush (LZ4), next to the
//    logical (serialized protobuf) size.
// Run: build/agent/spool/spool_benchmark  (uses $TEST_TMPDIR or /tmp)

#include <filesystem>

#include "agent/spool/rocksdb_spool.h"
#include "agent/spool/spool_test_util.h"
#include "benchmark/benchmark.h"

namespace airfleet::spool {
namespace {

namespace fs = std::filesystem;

void BM_Append(benchmark::State& state) {
  const std::string dir = testing::MakeTempDir("spool_bench");
  RocksDbSpoolOptions options;
  options.path = dir + "/spool";
  options.durability =
      state.range(0) == 0 ? Durability::kSyncEveryAppend : Durability::kGroupCommit;
  auto spool = RocksDbSpool::Open(options);
  if (!spool.ok()) {
    state.SkipWithError("open failed");
    return;
  }
  const auto windows = testing::MakeWindows(1, 60, 0);
  uint64_t n = 0;
  for (auto _ : state) {
    auto r = (*spool)->Append(windows, {}, std::to_string(++n));
    if (!r.ok()) state.SkipWithError("append failed");
    // Keep the spool small so the run measures appends, not quota drops.
    if (n % 256 == 0) (void)(*spool)->Acknowledge(r->last_sequence);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) == 0 ? "sync every append" : "group commit 1s");
  spool->reset();
  fs::remove_all(dir);
}
BENCHMARK(BM_Append)->Arg(0)->Arg(1)->UseRealTime();

uint64_t SstBytes(const std::string& path) {
  uint64_t total = 0;
  for (const auto& e : fs::directory_iterator(path)) {
    if (e.path().extension() == ".sst") total += e.file_size();
  }
  return total;
}

void BM_DiskBytesPerSummary(benchmark::State& state) {
  constexpr int kAppends = 200;
  constexpr int kPerAppend = 1000;
  for (auto _ : state) {
    const std::string dir = testing::MakeTempDir("spool_bench_disk");
    RocksDbSpoolOptions options;
    options.path = dir + "/spool";
    options.durability = Durability::kGroupCommit;
    uint64_t logical = 0;
    {
      auto spool = RocksDbSpool::Open(options);
      if (!spool.ok()) {
        state.SkipWithError("open failed");
        return;
      }
      for (int i = 0; i < kAppends; ++i) {
        auto r = (*spool)->Append(testing::MakeWindows(uint64_t{0x020000000000} + i * kPerAppend,
                                                       kPerAppend, int64_t{i} * 60'000'000'000),
                                  {}, "");
        if (!r.ok()) state.SkipWithError("append failed");
      }
      logical = (*spool)->Stats().bytes;
    }  // closing flushes the memtable into SST files
    const double summaries = double{kAppends} * kPerAppend;
    state.counters["logical_B_per_summary"] = static_cast<double>(logical) / summaries;
    state.counters["sst_B_per_summary"] = static_cast<double>(SstBytes(options.path)) / summaries;
    fs::remove_all(dir);
  }
}
BENCHMARK(BM_DiskBytesPerSummary)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace airfleet::spool
