// Records per second through CaptureFileReader, from memory and from a real file on disk.

#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "agent/capture/capture_file_reader.h"
#include "agent/capture/pcap_builder.h"

namespace airfleet::capture {
namespace {

constexpr int kRecords = 100'000;

const std::vector<uint8_t>& PcapBytes() {
  static const auto* bytes = [] {
    std::vector<testing::TestRecord> recs(kRecords);
    for (int i = 0; i < kRecords; ++i) {
      recs[i].ts_sec = 1'700'000'000 + i / 1000;
      recs[i].ts_frac = static_cast<uint32_t>(i % 1000) * 1000;
      recs[i].data = testing::Payload(200 + i % 100, static_cast<uint8_t>(i));
    }
    return new std::vector<uint8_t>(testing::BuildPcap(false, true, 0, 127, recs).bytes);
  }();
  return *bytes;
}

const std::vector<uint8_t>& PcapngBytes() {
  static const auto* bytes = [] {
    testing::PcapngBuilder b;
    b.Shb(false).Idb(127, 0).Idb(105, 0);
    for (int i = 0; i < kRecords; ++i) {
      b.Epb(i % 2, 1'700'000'000'000'000ull + i, testing::Payload(200 + i % 100, uint8_t(i)));
    }
    return new std::vector<uint8_t>(b.bytes());
  }();
  return *bytes;
}

void ReadAll(benchmark::State& state, CaptureFileReader& r) {
  Packet p;
  uint64_t n = 0;
  while (true) {
    auto got = r.Next(&p);
    if (!got.ok() || !*got) break;
    benchmark::DoNotOptimize(p.data[0]);
    ++n;
  }
  if (n != kRecords) state.SkipWithError("wrong record count");
}

void BM_PcapFromMemory(benchmark::State& state) {
  const auto& bytes = PcapBytes();
  for (auto _ : state) {
    auto r = CaptureFileReader::FromInput(
        std::make_unique<MemoryByteInput>(std::span<const uint8_t>(bytes)), "mem");
    ReadAll(state, **r);
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_PcapFromMemory)->Unit(benchmark::kMillisecond);

void BM_PcapngFromMemory(benchmark::State& state) {
  const auto& bytes = PcapngBytes();
  for (auto _ : state) {
    auto r = CaptureFileReader::FromInput(
        std::make_unique<MemoryByteInput>(std::span<const uint8_t>(bytes)), "mem");
    ReadAll(state, **r);
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_PcapngFromMemory)->Unit(benchmark::kMillisecond);

void BM_PcapngFromFile(benchmark::State& state) {
  const auto& bytes = PcapngBytes();
  std::string path = (std::filesystem::temp_directory_path() /
                      ("capture_bench_" + std::to_string(getpid()) + ".pcapng"))
                         .string();
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  for (auto _ : state) {
    auto r = CaptureFileReader::Open(path);
    ReadAll(state, **r);
  }
  std::filesystem::remove(path);
  state.SetItemsProcessed(state.iterations() * kRecords);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_PcapngFromFile)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace airfleet::capture
