#include "collector/testing/bench_load.h"

#include <sys/resource.h>

namespace airfleet::collector::testing {

v1::Batch BenchBatch(const std::string& agent_id, uint64_t stream_id, int windows,
                     int64_t window_start_ns, std::mt19937_64& rng) {
  v1::Batch b;
  b.set_agent_id(agent_id);
  b.set_stream_id(stream_id);
  for (int i = 0; i < windows; ++i) {
    v1::DeviceWindow* w = b.add_windows();
    w->set_mac(0x020000000000 + rng() % kBenchDevicePool);
    w->set_window_start_ns(window_start_ns);
    w->set_window_ms(60000);
    w->set_first_offset_us(static_cast<uint32_t>(rng() % 30'000'000));
    w->set_last_offset_us(w->first_offset_us() + 20'000'000);
    w->set_frames(static_cast<uint32_t>(1 + rng() % 40));
    w->set_bytes(w->frames() * 120);
    w->add_subtype_keys(0x04);
    w->add_subtype_counts(w->frames());
    w->set_signal_min_dbm(-80);
    w->set_signal_max_dbm(-40);
    w->set_signal_sum_dbm(-60 * int64_t{w->frames()});
    w->set_signal_count(w->frames());
    w->add_channels_mhz(2437);
    w->set_probe_requests(w->frames());
    w->set_randomised(true);
    w->set_probe_fingerprint(rng());
  }
  return b;
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace airfleet::collector::testing
