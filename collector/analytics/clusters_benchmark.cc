// Cost of ListClusters' engine: N probe observations from synthetic phones (every phone a few
// fingerprints shared with others, MACs rotating every minute, signal spread over 50 dB), added
// and clustered. Reported as observations per second; docs/analytics.md quotes the figures.

#include <benchmark/benchmark.h>

#include <vector>

#include "collector/analytics/clusters.h"

namespace airfleet::analytics {
namespace {

std::vector<v1::ProbeObservation> Fleet(int observations) {
  std::vector<v1::ProbeObservation> out;
  out.reserve(static_cast<size_t>(observations));
  const int phones = observations / 60 + 1;  // each phone: 60 minutes, one MAC per minute
  uint64_t x = 88172645463325252ULL;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int i = 0; static_cast<int>(out.size()) < observations; ++i) {
    const int phone = i % phones;
    const int minute = i / phones;
    v1::ProbeObservation& p = out.emplace_back();
    p.set_mac(0x020000000000ULL | (next() & 0x00ffffffffffULL));
    p.set_window_start_ns(1'700'000'040'000'000'000 + int64_t{minute} * 60'000'000'000);
    p.set_first_offset_us(static_cast<uint32_t>(next() % 30'000'000));
    p.set_last_offset_us(p.first_offset_us() + 500'000);
    p.set_count(4);
    const int32_t signal = -40 - (phone * 7) % 50;
    p.set_signal_min_dbm(signal - 2);
    p.set_signal_max_dbm(signal + 2);
    p.set_signal_sum_dbm(int64_t{signal} * 4);
    p.set_signal_count(4);
    p.set_fingerprint(0x1000 + static_cast<uint64_t>(phone % 20));  // 20 phone models
    p.set_first_seq(static_cast<uint32_t>(next() % 4096));
    p.set_last_seq((p.first_seq() + 3) % 4096);
  }
  return out;
}

void BM_ClusterObservations(benchmark::State& state) {
  const auto fleet = Fleet(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    ClusterEngine engine;
    for (const auto& p : fleet) engine.Add(p);
    benchmark::DoNotOptimize(engine.Finish());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ClusterObservations)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace airfleet::analytics
