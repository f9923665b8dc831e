#include "collector/analytics/window_stats.h"

#include "absl/strings/str_cat.h"

namespace airfleet::collector::analytics {

int64_t FloorTo(int64_t t, int64_t interval_ns) {
  int64_t q = t / interval_ns;
  if (t % interval_ns < 0) --q;
  return q * interval_ns;
}

void SubtypeStatsBuilder::Add(const std::string& agent_id, const v1::DeviceWindow& w) {
  if (w.subtype_keys_size() != w.subtype_counts_size()) {
    ++malformed_;
    return;
  }
  const int64_t day = FloorTo(w.window_start_ns(), kDayNs);
  for (int i = 0; i < w.subtype_keys_size(); ++i) {
    counts_[{day, agent_id, w.subtype_keys(i)}] += w.subtype_counts(i);
  }
}

std::vector<v1::SubtypeCount> SubtypeStatsBuilder::Finish() const {
  std::vector<v1::SubtypeCount> out;
  out.reserve(counts_.size());
  for (const auto& [k, frames] : counts_) {
    v1::SubtypeCount& c = out.emplace_back();
    c.set_day_start_ns(std::get<0>(k));
    c.set_agent_id(std::get<1>(k));
    c.set_subtype_key(std::get<2>(k));
    c.set_frames(frames);
  }
  return out;
}

void TimelineBuilder::Add(const std::string& agent_id, const v1::DeviceWindow& w) {
  if (w.frames() == 0) return;
  const int64_t start = FloorTo(w.window_start_ns(), interval_ns_);
  devices_[{start, ""}].insert(w.mac());
  devices_[{start, agent_id}].insert(w.mac());
}

std::vector<v1::TimelinePoint> TimelineBuilder::Finish() const {
  std::vector<v1::TimelinePoint> out;
  out.reserve(devices_.size());
  for (const auto& [k, macs] : devices_) {
    v1::TimelinePoint& p = out.emplace_back();
    p.set_interval_start_ns(k.first);
    p.set_agent_id(k.second);
    p.set_devices(static_cast<uint32_t>(macs.size()));
  }
  return out;
}

std::string SubtypeName(uint32_t key) {
  const uint32_t type = (key >> 4) & 0x3, sub = key & 0xf;
  static const char* const kMgmt[16] = {"assoc-req", "assoc-resp", "reassoc-req",  "reassoc-resp",
                                        "probe-req", "probe-resp", "timing-adv",   nullptr,
                                        "beacon",    "atim",       "disassoc",     "auth",
                                        "deauth",    "action",     "action-noack", nullptr};
  static const char* const kCtrl[16] = {nullptr,
                                        nullptr,
                                        "trigger",
                                        "tack",
                                        "beamforming-poll",
                                        "vht-ndp-announce",
                                        "ctrl-frame-ext",
                                        "ctrl-wrapper",
                                        "block-ack-req",
                                        "block-ack",
                                        "ps-poll",
                                        "rts",
                                        "cts",
                                        "ack",
                                        "cf-end",
                                        "cf-end-ack"};
  static const char* const kData[16] = {
      "data",     "data-cf-ack",     "data-cf-poll",     "data-cf-ack-poll",
      "null",     "cf-ack",          "cf-poll",          "cf-ack-poll",
      "qos-data", "qos-data-cf-ack", "qos-data-cf-poll", "qos-data-cf-ack-poll",
      "qos-null", nullptr,           "qos-cf-poll",      "qos-cf-ack-poll"};
  static const char* const kTypes[4] = {"mgmt", "ctrl", "data", "ext"};
  const char* name = nullptr;
  if (type == 0) name = kMgmt[sub];
  if (type == 1) name = kCtrl[sub];
  if (type == 2) name = kData[sub];
  if (type == 3 && sub == 1) name = "s1g-beacon";
  if (name == nullptr) return absl::StrCat(kTypes[type], "/", sub);
  return absl::StrCat(kTypes[type], "/", name);
}

}  // namespace airfleet::collector::analytics
