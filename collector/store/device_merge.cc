#include "collector/store/device_merge.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace airfleet::collector {
namespace {

// Protobuf wire format, just what DeviceInfo needs (proto3: zero scalars are omitted).
enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2 };

void PutVarint(uint64_t v, std::string* out) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}
void PutTag(uint32_t field, WireType type, std::string* out) {
  PutVarint((uint64_t{field} << 3) | type, out);
}
void PutUint(uint32_t field, uint64_t v, std::string* out) {
  if (v == 0) return;
  PutTag(field, kVarint, out);
  PutVarint(v, out);
}
// int64 fields encode negatives as 10-byte two's complement varints.
void PutInt64(uint32_t field, int64_t v, std::string* out) {
  PutUint(field, static_cast<uint64_t>(v), out);
}
void PutSint32(uint32_t field, int32_t v, std::string* out) {
  PutUint(field, (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31), out);
}
void PutBytes(uint32_t field, std::string_view v, std::string* out) {
  PutTag(field, kLengthDelimited, out);
  PutVarint(v.size(), out);
  out->append(v.data(), v.size());
}
size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

int32_t AverageSignal(const v1::DeviceWindow& w) {
  return static_cast<int32_t>(
      std::lround(static_cast<double>(w.signal_sum_dbm()) / w.signal_count()));
}

}  // namespace

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

namespace airfleet::collector {

void DeviceAccumulator::Reset() {
  empty_ = true;
  mac_ = 0;
  first_seen_ns_ = last_seen_ns_ = 0;
  frames_ = probe_requests_ = 0;
  randomised_ = false;
  ap_ssid_ = {};
  probed_ssids_.clear();
  signal_min_dbm_ = signal_max_dbm_ = 0;
  has_signal_ = false;
  sightings_.clear();
  channels_mhz_.clear();
  probe_fingerprint_ = 0;
}

void DeviceAccumulator::Add(std::string_view agent_id, const v1::DeviceWindow& w) {
  const int64_t first = w.window_start_ns() + int64_t{w.first_offset_us()} * 1000;
  const int64_t last = w.window_start_ns() + int64_t{w.last_offset_us()} * 1000;
  const bool has_signal = w.signal_count() > 0;
  const int32_t avg = has_signal ? AverageSignal(w) : 0;
  if (empty_) {  // DeviceDeltaFromWindow: copies, no de-duplication
    empty_ = false;
    mac_ = w.mac();
    first_seen_ns_ = first;
    last_seen_ns_ = last;
    frames_ = w.frames();
    probe_requests_ = w.probe_requests();
    randomised_ = w.randomised();
    ap_ssid_ = w.ap_ssid();
    for (int i = 0; i < w.probed_ssids_size() && i < kDeviceProbedSsidCap; ++i) {
      probed_ssids_.push_back(w.probed_ssids(i));
    }
    channels_mhz_.assign(w.channels_mhz().begin(), w.channels_mhz().end());
    probe_fingerprint_ = w.probe_fingerprint();
    if (has_signal) {
      has_signal_ = true;
      signal_min_dbm_ = w.signal_min_dbm();
      signal_max_dbm_ = w.signal_max_dbm();
    }
    sightings_.push_back({agent_id, last, avg, has_signal, w.frames()});
    return;
  }
  // AddWindowToDevice, field by field.
  const bool in_later = last >= last_seen_ns_;
  first_seen_ns_ = std::min(first_seen_ns_, first);
  last_seen_ns_ = std::max(last_seen_ns_, last);
  frames_ += w.frames();
  probe_requests_ += w.probe_requests();
  randomised_ = randomised_ || w.randomised();
  if (!w.ap_ssid().empty() && (in_later || ap_ssid_.empty())) ap_ssid_ = w.ap_ssid();
  if (w.probe_fingerprint() != 0 && (in_later || probe_fingerprint_ == 0)) {
    probe_fingerprint_ = w.probe_fingerprint();
  }
  for (int i = 0; i < w.probed_ssids_size() && i < kDeviceProbedSsidCap; ++i) {
    if (static_cast<int>(probed_ssids_.size()) >= kDeviceProbedSsidCap) break;
    std::string_view ssid = w.probed_ssids(i);
    if (std::find(probed_ssids_.begin(), probed_ssids_.end(), ssid) == probed_ssids_.end()) {
      probed_ssids_.push_back(ssid);
    }
  }
  if (has_signal) {
    if (!has_signal_) {
      signal_min_dbm_ = w.signal_min_dbm();
      signal_max_dbm_ = w.signal_max_dbm();
      has_signal_ = true;
    } else {
      signal_min_dbm_ = std::min(signal_min_dbm_, w.signal_min_dbm());
      signal_max_dbm_ = std::max(signal_max_dbm_, w.signal_max_dbm());
    }
  }
  for (uint32_t ch : w.channels_mhz()) {
    auto it = std::lower_bound(channels_mhz_.begin(), channels_mhz_.end(), ch);
    if (it == channels_mhz_.end() || *it != ch) channels_mhz_.insert(it, ch);
  }
  for (Sighting& t : sightings_) {
    if (t.agent_id != agent_id) continue;
    t.frames += w.frames();
    if (last >= t.last_seen_ns) {
      t.last_seen_ns = last;
      if (has_signal) {
        t.last_signal_dbm = avg;
        t.has_signal = true;
      }
    }
    return;
  }
  sightings_.push_back({agent_id, last, avg, has_signal, w.frames()});
}

void DeviceAccumulator::AppendSerialized(std::string* out) const {
  PutUint(1, mac_, out);
  PutInt64(2, first_seen_ns_, out);
  PutInt64(3, last_seen_ns_, out);
  PutUint(4, frames_, out);
  PutUint(5, probe_requests_, out);
  PutUint(6, randomised_ ? 1 : 0, out);
  if (!ap_ssid_.empty()) PutBytes(7, ap_ssid_, out);
  for (std::string_view ssid : probed_ssids_) PutBytes(8, ssid, out);
  PutSint32(9, signal_min_dbm_, out);
  PutSint32(10, signal_max_dbm_, out);
  PutUint(11, has_signal_ ? 1 : 0, out);
  std::string& sighting = scratch_;  // a member so its capacity is reused across devices
  for (const Sighting& t : sightings_) {
    sighting.clear();
    if (!t.agent_id.empty()) PutBytes(1, t.agent_id, &sighting);
    PutInt64(2, t.last_seen_ns, &sighting);
    PutSint32(3, t.last_signal_dbm, &sighting);
    PutUint(4, t.has_signal ? 1 : 0, &sighting);
    PutUint(5, t.frames, &sighting);
    PutBytes(12, sighting, out);
  }
  if (!channels_mhz_.empty()) {
    size_t bytes = 0;
    for (uint32_t ch : channels_mhz_) bytes += VarintSize(ch);
    PutTag(13, kLengthDelimited, out);
    PutVarint(bytes, out);
    for (uint32_t ch : channels_mhz_) PutVarint(ch, out);
  }
  if (probe_fingerprint_ != 0) {
    PutTag(14, kFixed64, out);
    char buf[8];
    for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(probe_fingerprint_ >> (8 * i));
    out->append(buf, 8);
  }
}

}  // namespace airfleet::collector
