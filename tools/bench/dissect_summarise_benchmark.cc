// Dissect + summarise throughput (the agent's per-frame hot path, the budget's ">= 5 million
// frames/s per core"), and the summariser's memory per tracked device.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "agent/dissect/dissector.h"
#include "agent/summarise/window_summariser.h"
#include "tools/bench/corpus.h"

namespace airfleet::bench {
namespace {

const Corpus& CorpusFor(uint32_t snaplen) {
  static const Corpus full = BuildCorpus(500, 200'000);
  static const Corpus snapped = BuildCorpus(500, 200'000, 256);
  return snaplen == 0 ? full : snapped;
}

void BM_DissectSummarise(benchmark::State& state) {
  const Corpus& c = CorpusFor(static_cast<uint32_t>(state.range(1)));
  dissect::DissectOptions options;
  options.verify_fcs = state.range(0) != 0;
  auto summariser = summarise::WindowSummariser::Create({}).value();
  dissect::Frame f;
  int64_t shift = 0;  // each pass replays the corpus later in time, as live capture would
  size_t windows = 0;
  for (auto _ : state) {
    for (const CorpusRecord& r : c.records) {
      f.timestamp_ns = r.timestamp_ns + shift;
      f.original_len = r.original_len;
      dissect::Dissect(dissect::kLinktypeRadiotap, c.data.data() + r.offset, r.captured_len,
                       options, &f);
      summariser->Add(f);
    }
    windows += summariser->TakeSealed().size();
    shift += c.span_ns;
  }
  benchmark::DoNotOptimize(windows);
  if (summariser->counters().late_frames != 0) state.SkipWithError("late frames in replay");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.records.size()));
  state.counters["device_windows"] = static_cast<double>(summariser->counters().device_windows);
}
BENCHMARK(BM_DissectSummarise)
    ->ArgNames({"verify_fcs", "snaplen"})
    ->Args({1, 0})
    ->Args({0, 0})
    ->Args({1, 256})
    ->Unit(benchmark::kMillisecond);

// Summarise only (frames pre-dissected), to separate the two costs.
void BM_SummariseOnly(benchmark::State& state) {
  const Corpus& c = CorpusFor(0);
  dissect::DissectOptions options;
  options.verify_fcs = true;
  std::vector<dissect::Frame> frames(c.records.size());
  for (size_t i = 0; i < c.records.size(); ++i) {
    const CorpusRecord& r = c.records[i];
    frames[i].original_len = r.original_len;
    dissect::Dissect(dissect::kLinktypeRadiotap, c.data.data() + r.offset, r.captured_len,
                     options, &frames[i]);
    frames[i].timestamp_ns = r.timestamp_ns;
  }
  auto summariser = summarise::WindowSummariser::Create({}).value();
  int64_t shift = 0;
  for (auto _ : state) {
    for (dissect::Frame& f : frames) {
      f.timestamp_ns += shift;
      summariser->Add(f);
      f.timestamp_ns -= shift;
    }
    benchmark::DoNotOptimize(summariser->TakeSealed().size());
    shift += c.span_ns;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * frames.size()));
}
BENCHMARK(BM_SummariseOnly)->Unit(benchmark::kMillisecond);

size_t ResidentBytes() {
  long pages = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  std::fclose(f);
  return static_cast<size_t>(resident) * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// 10,000 devices in one window, each with a probe request (one directed SSID), a data frame
// and an ACK to it: bytes per tracked device, from the tables' footprint and from RSS.
void BM_SummariserMemory(benchmark::State& state) {
  const int devices = static_cast<int>(state.range(0));
  static const uint8_t kSsid[] = "CoffeeShop-Guest";
  size_t table_bytes = 0, rss_delta = 0;
  for (auto _ : state) {
    const size_t rss_before = ResidentBytes();
    summarise::SummariserOptions o;
    o.initial_devices = 16;  // let the tables grow to what the devices need
    auto s = summarise::WindowSummariser::Create(o).value();
    dissect::Frame f;
    f.has_mac_header = true;
    f.has_ta = f.has_ra = f.has_sa = f.has_bssid = true;
    f.radio.has_signal = f.radio.has_freq = true;
    f.radio.signal_dbm = -60;
    f.radio.freq_mhz = 2437;
    f.mac_frame_len = 120;
    for (int i = 0; i < devices; ++i) {
      const Mac mac = Mac::FromU64(0x020000000000ULL + static_cast<uint64_t>(i) * 7919);
      f.timestamp_ns = 1'000'000'000 + i;
      f.ta = f.sa = mac;
      f.type = dissect::kTypeManagement;
      f.subtype = dissect::kMgmtProbeRequest;
      f.has_elements = true;
      f.elements.has_ssid = true;
      f.elements.ssid = kSsid;
      f.elements.ssid_len = sizeof(kSsid) - 1;
      f.elements.fingerprint = 0x1234 + static_cast<uint64_t>(i % 50);
      s->Add(f);
      f.type = dissect::kTypeData;
      f.subtype = 8;
      f.has_elements = false;
      f.bssid = Mac::FromU64(0x001a2b000001);
      s->Add(f);
    }
    table_bytes = s->MemoryBytes();
    rss_delta = ResidentBytes() - rss_before;
    benchmark::DoNotOptimize(s->open_windows());
  }
  state.counters["table_bytes_per_device"] =
      static_cast<double>(table_bytes) / static_cast<double>(devices);
  state.counters["rss_bytes_per_device"] =
      static_cast<double>(rss_delta) / static_cast<double>(devices);
  state.counters["table_MiB"] = static_cast<double>(table_bytes) / (1024.0 * 1024.0);
}
BENCHMARK(BM_SummariserMemory)->Arg(10'000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace airfleet::bench
