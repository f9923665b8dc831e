// Cost of pseudonymising one sealed window (per device window: its MAC, one BSSID, two probed
// SSIDs and one probe observation with two destinations), to compare with the summariser's
// per-window budget. Run: build with -DAIRFLEET_BENCH=ON, then
// build/agent/privacy/edge_privacy_benchmark.
#include <benchmark/benchmark.h>

#include "agent/privacy/edge_privacy.h"

namespace airfleet::privacy {
namespace {

summarise::SealedWindow MakeWindow(int devices) {
  summarise::SealedWindow w;
  w.window_start_ns = 1'728'345'600'000'000'000;
  for (int i = 0; i < devices; ++i) {
    v1::DeviceWindow d;
    d.set_mac(0x020000000000ull + i);
    d.set_window_start_ns(w.window_start_ns);
    d.set_client_bssid(0x001122334455);
    d.add_probed_ssids("HomeNetwork");
    d.add_probed_ssids("eduroam");
    w.devices.push_back(d);
    v1::ProbeObservation p;
    p.set_mac(d.mac());
    p.set_window_start_ns(w.window_start_ns);
    p.set_ssid("HomeNetwork");
    p.add_destinations(0xffffffffffff);
    p.add_destinations(0x001122334455);
    w.probes.push_back(p);
  }
  return w;
}

void BM_PseudonymiseWindow(benchmark::State& state, SsidMode ssids) {
  PrivacyOptions o;
  o.mode = PrivacyMode::kPseudonymise;
  o.ssids = ssids;
  o.key = std::string(32, 'k');
  o.rotation_period_ns = 86'400'000'000'000;
  auto privacy = EdgePrivacy::Create(o);
  const summarise::SealedWindow input = MakeWindow(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    state.PauseTiming();
    summarise::SealedWindow w = input;
    state.ResumeTiming();
    (*privacy)->Apply(&w);
    benchmark::DoNotOptimize(w.devices.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));  // device windows
}
BENCHMARK_CAPTURE(BM_PseudonymiseWindow, ssids_keep, SsidMode::kKeep)->Arg(1000);
BENCHMARK_CAPTURE(BM_PseudonymiseWindow, ssids_hash, SsidMode::kHash)->Arg(1000);
BENCHMARK_CAPTURE(BM_PseudonymiseWindow, ssids_drop, SsidMode::kDrop)->Arg(1000);

}  // namespace
}  // namespace airfleet::privacy
