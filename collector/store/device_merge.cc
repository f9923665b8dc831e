#include "collector/store/device_merge.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace airfleet::collector {

v1::DeviceInfo DeviceDeltaFromWindow(std::string_view agent_id, const v1::DeviceWindow& w) {
  v1::DeviceInfo d;
  d.set_mac(w.mac());
  const int64_t first = w.window_start_ns() + int64_t{w.first_offset_us()} * 1000;
  const int64_t last = w.window_start_ns() + int64_t{w.last_offset_us()} * 1000;
  d.set_first_seen_ns(first);
  d.set_last_seen_ns(last);
  d.set_frames(w.frames());
  d.set_probe_requests(w.probe_requests());
  d.set_randomised(w.randomised());
  d.set_ap_ssid(w.ap_ssid());
  for (int i = 0; i < w.probed_ssids_size() && i < kDeviceProbedSsidCap; ++i) {
    d.add_probed_ssids(w.probed_ssids(i));
  }
  d.mutable_channels_mhz()->CopyFrom(w.channels_mhz());
  d.set_probe_fingerprint(w.probe_fingerprint());
  v1::Sighting* s = d.add_sightings();
  s->set_agent_id(agent_id.data(), agent_id.size());
  s->set_last_seen_ns(last);
  s->set_frames(w.frames());
  if (w.signal_count() > 0) {
    d.set_has_signal(true);
    d.set_signal_min_dbm(w.signal_min_dbm());
    d.set_signal_max_dbm(w.signal_max_dbm());
    s->set_has_signal(true);
    // The window's average is the best "last signal" a summary can give.
    s->set_last_signal_dbm(static_cast<int32_t>(
        std::lround(static_cast<double>(w.signal_sum_dbm()) / w.signal_count())));
  }
  return d;
}

void AddWindowToDevice(std::string_view agent_id, const v1::DeviceWindow& w, v1::DeviceInfo* acc) {
  if (acc->mac() == 0 && acc->first_seen_ns() == 0 && acc->sightings_size() == 0) {
    *acc = DeviceDeltaFromWindow(agent_id, w);
    return;
  }
  const int64_t first = w.window_start_ns() + int64_t{w.first_offset_us()} * 1000;
  const int64_t last = w.window_start_ns() + int64_t{w.last_offset_us()} * 1000;
  const bool in_later = last >= acc->last_seen_ns();
  acc->set_first_seen_ns(std::min(acc->first_seen_ns(), first));
  acc->set_last_seen_ns(std::max(acc->last_seen_ns(), last));
  acc->set_frames(acc->frames() + w.frames());
  acc->set_probe_requests(acc->probe_requests() + w.probe_requests());
  acc->set_randomised(acc->randomised() || w.randomised());
  if (!w.ap_ssid().empty() && (in_later || acc->ap_ssid().empty())) acc->set_ap_ssid(w.ap_ssid());
  if (w.probe_fingerprint() != 0 && (in_later || acc->probe_fingerprint() == 0)) {
    acc->set_probe_fingerprint(w.probe_fingerprint());
  }
  for (int i = 0; i < w.probed_ssids_size() && i < kDeviceProbedSsidCap; ++i) {
    if (acc->probed_ssids_size() >= kDeviceProbedSsidCap) break;
    const std::string& ssid = w.probed_ssids(i);
    if (std::find(acc->probed_ssids().begin(), acc->probed_ssids().end(), ssid) ==
        acc->probed_ssids().end()) {
      acc->add_probed_ssids(ssid);
    }
  }
  const bool has_signal = w.signal_count() > 0;
  int32_t avg = 0;
  if (has_signal) {
    avg = static_cast<int32_t>(
        std::lround(static_cast<double>(w.signal_sum_dbm()) / w.signal_count()));
    if (!acc->has_signal()) {
      acc->set_signal_min_dbm(w.signal_min_dbm());
      acc->set_signal_max_dbm(w.signal_max_dbm());
      acc->set_has_signal(true);
    } else {
      acc->set_signal_min_dbm(std::min(acc->signal_min_dbm(), w.signal_min_dbm()));
      acc->set_signal_max_dbm(std::max(acc->signal_max_dbm(), w.signal_max_dbm()));
    }
  }
  for (uint32_t ch : w.channels_mhz()) {
    auto* channels = acc->mutable_channels_mhz();
    const auto index = std::lower_bound(channels->begin(), channels->end(), ch) - channels->begin();
    if (index == channels->size() || channels->Get(index) != ch) {
      channels->Add(ch);  // append (may reallocate), then rotate into place: sets are tiny
      std::rotate(channels->begin() + index, channels->end() - 1, channels->end());
    }
  }
  v1::Sighting* target = nullptr;
  for (v1::Sighting& t : *acc->mutable_sightings()) {
    if (t.agent_id() == agent_id) {
      target = &t;
      break;
    }
  }
  if (target == nullptr) {
    target = acc->add_sightings();
    target->set_agent_id(agent_id.data(), agent_id.size());
    target->set_last_seen_ns(last);
    target->set_frames(w.frames());
    if (has_signal) {
      target->set_has_signal(true);
      target->set_last_signal_dbm(avg);
    }
    return;
  }
  target->set_frames(target->frames() + w.frames());
  if (last >= target->last_seen_ns()) {
    target->set_last_seen_ns(last);
    if (has_signal) {
      target->set_last_signal_dbm(avg);
      target->set_has_signal(true);
    }
  }
}

void MergeDeviceInfo(const v1::DeviceInfo& in, v1::DeviceInfo* acc) {
  if (acc->mac() == 0 && acc->first_seen_ns() == 0 && acc->sightings_size() == 0) {
    *acc = in;
    return;
  }
  const bool in_later = in.last_seen_ns() >= acc->last_seen_ns();
  acc->set_first_seen_ns(std::min(acc->first_seen_ns(), in.first_seen_ns()));
  acc->set_last_seen_ns(std::max(acc->last_seen_ns(), in.last_seen_ns()));
  acc->set_frames(acc->frames() + in.frames());
  acc->set_probe_requests(acc->probe_requests() + in.probe_requests());
  acc->set_randomised(acc->randomised() || in.randomised());
  if (!in.ap_ssid().empty() && (in_later || acc->ap_ssid().empty())) {
    acc->set_ap_ssid(in.ap_ssid());
  }
  if (in.probe_fingerprint() != 0 && (in_later || acc->probe_fingerprint() == 0)) {
    acc->set_probe_fingerprint(in.probe_fingerprint());
  }
  for (const std::string& ssid : in.probed_ssids()) {
    if (acc->probed_ssids_size() >= kDeviceProbedSsidCap) break;
    if (std::find(acc->probed_ssids().begin(), acc->probed_ssids().end(), ssid) ==
        acc->probed_ssids().end()) {
      acc->add_probed_ssids(ssid);
    }
  }
  if (in.has_signal()) {
    if (!acc->has_signal()) {
      acc->set_signal_min_dbm(in.signal_min_dbm());
      acc->set_signal_max_dbm(in.signal_max_dbm());
      acc->set_has_signal(true);
    } else {
      acc->set_signal_min_dbm(std::min(acc->signal_min_dbm(), in.signal_min_dbm()));
      acc->set_signal_max_dbm(std::max(acc->signal_max_dbm(), in.signal_max_dbm()));
    }
  }
  if (in.channels_mhz_size() > 0) {
    std::vector<uint32_t> merged;
    std::set_union(acc->channels_mhz().begin(), acc->channels_mhz().end(),
                   in.channels_mhz().begin(), in.channels_mhz().end(), std::back_inserter(merged));
    merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
    acc->mutable_channels_mhz()->Assign(merged.begin(), merged.end());
  }
  for (const v1::Sighting& s : in.sightings()) {
    v1::Sighting* target = nullptr;
    for (v1::Sighting& t : *acc->mutable_sightings()) {
      if (t.agent_id() == s.agent_id()) {
        target = &t;
        break;
      }
    }
    if (target == nullptr) {
      *acc->add_sightings() = s;
      continue;
    }
    target->set_frames(target->frames() + s.frames());
    if (s.last_seen_ns() >= target->last_seen_ns()) {
      target->set_last_seen_ns(s.last_seen_ns());
      if (s.has_signal()) {
        target->set_last_signal_dbm(s.last_signal_dbm());
        target->set_has_signal(true);
      }
    }
  }
}

}  // namespace airfleet::collector
