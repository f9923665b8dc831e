// RingManager::OnPacket on the capture thread: the cost with no running ring (the common case:
// rings are started by an operator for a while), with one ring that writes every packet, and with
// one ring whose BPF filter rejects or keeps the packet. Files go to $AIRFLEET_RING_BENCH_DIR
// (default: the system temp dir); size rotation at 64 MiB keeps the disk use bounded.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "agent/rings/ring_manager.h"
#include "tools/framegen/frame_builder.h"

namespace airfleet::rings {
namespace {

framegen::Bytes Probe() {
  framegen::PacketSpec p;
  p.radiotap = framegen::RadiotapSpec{};
  p.radiotap->freq_mhz = 2437;
  p.radiotap->signal_dbm = -60;
  p.mac = framegen::ProbeRequest(Mac::FromU64(0x02aabbccddee), framegen::Bytes(120, 0xdd));
  return framegen::BuildPacket(p);
}

// rings: 0 or 1; filter: 0 none, 1 rejects every packet (beacons only), 2 keeps every packet.
void BM_OnPacket(benchmark::State& state) {
  const char* env = std::getenv("AIRFLEET_RING_BENCH_DIR");
  const std::filesystem::path dir =
      std::filesystem::path(env != nullptr ? env : std::filesystem::temp_directory_path()) /
      ("ring_bench_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto manager = RingManager::Open(dir.string());
  if (!manager.ok()) {
    state.SkipWithError(manager.status().ToString().c_str());
    return;
  }
  if (state.range(0) == 1) {
    RingSpec spec;
    spec.name = "bench";
    spec.rotate_bytes = 64 << 20;
    spec.keep_files = 1;
    if (state.range(1) == 1) spec.bpf_filter = "wlan type mgt subtype beacon";
    if (state.range(1) == 2) spec.bpf_filter = "wlan type mgt subtype probe-req";
    if (!(*manager)->Start(spec).ok()) state.SkipWithError("start failed");
  }
  const framegen::Bytes frame = Probe();
  capture::Packet packet;
  packet.linktype = 127;
  packet.captured_len = packet.original_len = static_cast<uint32_t>(frame.size());
  packet.data = frame.data();
  int64_t ts = 1'700'000'000'000'000'000;
  for (auto _ : state) {
    packet.timestamp_ns = ts;
    ts += 1000;
    (*manager)->OnPacket(packet);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  if (state.range(0) == 1) {
    const RingInfo info = (*manager)->List().at(0);
    state.counters["written"] = static_cast<double>(info.packets_written);
    state.counters["errors"] = static_cast<double>(info.write_errors);
  }
  manager->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_OnPacket)
    ->ArgNames({"rings", "filter"})
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Args({1, 2});

}  // namespace
}  // namespace airfleet::rings
