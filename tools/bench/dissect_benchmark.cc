// Dissector throughput over an in-memory corpus. Arguments: verify FCS (1/0), snap length (0 =
// whole frames). Reports frames/s (items) and bytes/s.

#include <benchmark/benchmark.h>

#include "agent/dissect/dissector.h"
#include "tools/bench/corpus.h"

namespace airfleet::bench {
namespace {

const Corpus& CorpusFor(uint32_t snaplen) {
  static const Corpus full = BuildCorpus(500, 200'000);
  static const Corpus snapped = BuildCorpus(500, 200'000, 256);
  return snaplen == 0 ? full : snapped;
}

void BM_Dissect(benchmark::State& state) {
  const Corpus& c = CorpusFor(static_cast<uint32_t>(state.range(1)));
  dissect::DissectOptions options;
  options.verify_fcs = state.range(0) != 0;
  dissect::Frame f;
  uint64_t bytes = 0;
  for (auto _ : state) {
    for (const CorpusRecord& r : c.records) {
      f.timestamp_ns = r.timestamp_ns;
      f.original_len = r.original_len;
      dissect::Dissect(dissect::kLinktypeRadiotap, c.data.data() + r.offset, r.captured_len,
                       options, &f);
      benchmark::DoNotOptimize(f.anomaly);
      bytes += r.captured_len;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.records.size()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Dissect)
    ->ArgNames({"verify_fcs", "snaplen"})
    ->Args({1, 0})
    ->Args({0, 0})
    ->Args({1, 256})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace airfleet::bench
