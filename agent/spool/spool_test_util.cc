#include "agent/spool/spool_test_util.h"

#include <stdlib.h>

#include <cstdlib>
#include <stdexcept>

namespace airfleet::spool::testing {

std::string MakeTempDir(const std::string& tag) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string templ = std::string(base != nullptr ? base : "/tmp") + "/" + tag + ".XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) std::abort();
  return templ;
}

v1::DeviceWindow MakeWindow(uint64_t mac, int64_t window_start_ns) {
  // Values vary with the mac so compression sees realistic, not identical, records.
  const uint32_t k = static_cast<uint32_t>(mac * 2654435761u);
  v1::DeviceWindow w;
  w.set_mac(mac);
  w.set_window_start_ns(window_start_ns);
  w.set_window_ms(60000);
  w.set_first_offset_us(k % 60'000'000);
  w.set_last_offset_us(k % 60'000'000 + (k >> 8) % 1'000'000);
  w.set_frames(1 + k % 200);
  w.set_bytes(100 + k % 50000);
  w.set_retries(k % 7);
  w.add_subtype_keys(0x04);
  w.add_subtype_counts(1 + k % 5);
  w.add_subtype_keys(0x28);
  w.add_subtype_counts(k % 150);
  w.set_signal_min_dbm(-90 + static_cast<int>(k % 20));
  w.set_signal_max_dbm(-40 - static_cast<int>(k % 20));
  w.set_signal_sum_dbm(-60LL * (1 + k % 200));
  w.set_signal_count(1 + k % 200);
  w.add_channels_mhz(2412 + 5 * (k % 11));
  w.set_probe_requests(1 + k % 5);
  w.set_client_bssid(0x0011'2233'4400ULL + k % 16);
  w.set_encryption(8);
  w.set_probe_fingerprint(0x9e3779b97f4a7c15ULL * (k % 64));
  w.set_randomised((mac >> 41) & 1);
  w.set_data_frames(k % 150);
  return w;
}

std::vector<v1::DeviceWindow> MakeWindows(uint64_t first_mac, size_t count,
                                          int64_t window_start_ns) {
  std::vector<v1::DeviceWindow> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) out.push_back(MakeWindow(first_mac + i, window_start_ns));
  return out;
}

}  // namespace airfleet::spool::testing
