#include "collector/analytics/probe_stats.h"

#include <algorithm>

namespace airfleet::collector::analytics {

void ProbeStatsBuilder::Add(const v1::ProbeObservation& p) {
  if (p.count() == 0) return;
  Acc& a = by_mac_[p.mac()];
  const int64_t first = p.window_start_ns() + int64_t{p.first_offset_us()} * 1000;
  const int64_t last = p.window_start_ns() + int64_t{p.last_offset_us()} * 1000;
  if (a.probes == 0 || first < a.first_ns) a.first_ns = first;
  if (a.probes == 0 || last > a.last_ns) a.last_ns = last;
  a.probes += p.count();
  if (p.ssid().empty()) {
    a.wildcard += p.count();
  } else {
    a.ssids.insert(p.ssid());
  }
  if (p.signal_count() > 0) {
    a.signal_min = a.has_signal ? std::min(a.signal_min, p.signal_min_dbm()) : p.signal_min_dbm();
    a.signal_max = a.has_signal ? std::max(a.signal_max, p.signal_max_dbm()) : p.signal_max_dbm();
    a.has_signal = true;
    a.signal_sum += p.signal_sum_dbm();
    a.signal_count += p.signal_count();
  }
  a.destinations.insert(p.destinations().begin(), p.destinations().end());
}

std::vector<v1::ProbeStats> ProbeStatsBuilder::Finish() const {
  std::vector<v1::ProbeStats> out;
  out.reserve(by_mac_.size());
  for (const auto& [mac, a] : by_mac_) {
    v1::ProbeStats& s = out.emplace_back();
    s.set_mac(mac);
    s.set_probes(a.probes);
    s.set_wildcard_probes(a.wildcard);
    s.set_first_ns(a.first_ns);
    s.set_last_ns(a.last_ns);
    s.set_has_signal(a.has_signal);
    if (a.has_signal) {
      s.set_signal_min_dbm(a.signal_min);
      s.set_signal_max_dbm(a.signal_max);
      s.set_signal_avg_dbm(static_cast<double>(a.signal_sum) / static_cast<double>(a.signal_count));
    }
    for (const std::string& ssid : a.ssids) s.add_ssids(ssid);
    for (uint64_t d : a.destinations) s.add_destinations(d);
    s.set_randomised(((mac >> 40) & 0x02) != 0);
  }
  return out;
}

}  // namespace airfleet::collector::analytics
