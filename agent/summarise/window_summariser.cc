#include "agent/summarise/window_summariser.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

namespace airfleet::summarise {
namespace {

enum class Disposition { kAttribute, kBadFcs, kUnattributed };

bool FcsMatches(const dissect::Frame& f) {
  const uint8_t* p = f.mac_frame;
  const uint32_t n = f.mac_frame_len;
  const uint32_t want = uint32_t{p[n]} | uint32_t{p[n + 1]} << 8 | uint32_t{p[n + 2]} << 16 |
                        uint32_t{p[n + 3]} << 24;
  return static_cast<uint32_t>(crc32(crc32(0L, Z_NULL, 0), p, n)) == want;
}

Disposition Classify(const dissect::Frame& f) {
  using dissect::Anomaly;
  switch (f.anomaly) {
    case Anomaly::kNone:
    case Anomaly::kBodyTruncated:
    case Anomaly::kElementOverrun:
    case Anomaly::kElementMalformed:
      break;
    case Anomaly::kBadFcs:
      return Disposition::kBadFcs;
    case Anomaly::kRadiotapUnknownField:
      // The dissector records only the first anomaly, so this one may hide a bad FCS: the frame
      // (and the FCS after it, still in the caller's buffer) is checked here.
      if (f.has_fcs && f.mac_frame != nullptr && !FcsMatches(f)) return Disposition::kBadFcs;
      break;
    default:  // truncated MAC header or FCS, reserved type, broken radio header, ...
      return Disposition::kUnattributed;
  }
  return f.has_mac_header ? Disposition::kAttribute : Disposition::kUnattributed;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

uint64_t ProbeHash(uint64_t mac, const uint8_t* ssid, size_t len) {
  uint64_t h = Mix64(mac ^ (static_cast<uint64_t>(len) << 48));
  for (size_t i = 0; i < len; i += 8) {
    uint64_t w = 0;
    std::memcpy(&w, ssid + i, std::min<size_t>(8, len - i));
    h = Mix64(h ^ w) + 0x9e3779b97f4a7c15ULL;
  }
  return h;
}

}  // namespace

absl::StatusOr<std::unique_ptr<WindowSummariser>> WindowSummariser::Create(
    const SummariserOptions& options) {
  if (options.window_ms <= 0 || options.window_ms > 4'294'967) {
    return absl::InvalidArgumentError("window_ms must be in [1, 4294967], got " +
                                      std::to_string(options.window_ms));
  }
  if (options.max_devices_per_window == 0) {
    return absl::InvalidArgumentError("max_devices_per_window must be positive");
  }
  if (options.max_probed_ssids > 254) {
    return absl::InvalidArgumentError("max_probed_ssids must be at most 254");
  }
  if (options.grace_ms < 0) return absl::InvalidArgumentError("grace_ms must not be negative");
  return std::unique_ptr<WindowSummariser>(
      new WindowSummariser(options, options.grace_ms * 1'000'000));
}

WindowSummariser::WindowSummariser(const SummariserOptions& options, int64_t grace_ns)
    : options_(options), window_ns_(options.window_ms * 1'000'000), grace_ns_(grace_ns) {}

int64_t WindowSummariser::AlignDown(int64_t ts) const {
  return FloorDiv(ts, window_ns_) * window_ns_;
}

void WindowSummariser::RaiseWatermark(int64_t ts) {
  if (any_time_ && ts <= watermark_ns_) return;
  any_time_ = true;
  watermark_ns_ = ts;
  // The sealing limit only moves when ts - grace crosses the next window boundary; skip the
  // division on every other frame.
  if (any_sealed_ && ts - grace_ns_ < sealed_before_ns_ + window_ns_) return;
  SealBefore(AlignDown(ts - grace_ns_));
}

void WindowSummariser::SealBefore(int64_t limit_ns) {
  while (!open_.empty() && open_.front()->start_ns < limit_ns) {
    if (current_ == open_.front().get()) current_ = nullptr;
    Seal(open_.front().get());
    pool_.push_back(std::move(open_.front()));
    open_.erase(open_.begin());
  }
  if (!any_sealed_ || limit_ns > sealed_before_ns_) sealed_before_ns_ = limit_ns;
  any_sealed_ = true;
}

void WindowSummariser::AdvanceTo(int64_t now_ns) { RaiseWatermark(now_ns); }

void WindowSummariser::Flush() {
  if (!any_time_) return;
  int64_t limit = AlignDown(watermark_ns_) + window_ns_;
  if (!open_.empty()) limit = std::max(limit, open_.back()->start_ns + window_ns_);
  SealBefore(limit);
}

WindowSummariser::Window* WindowSummariser::OpenWindow(int64_t start_ns) {
  auto it = open_.begin();
  while (it != open_.end() && (*it)->start_ns < start_ns) ++it;
  if (it != open_.end() && (*it)->start_ns == start_ns) return it->get();
  std::unique_ptr<Window> w;
  if (!pool_.empty()) {
    w = std::move(pool_.back());
    pool_.pop_back();
    w->devices.clear();
    w->device_index.Clear();
    w->probes.clear();
    w->probe_index.Clear();
    w->overflow_hashes.clear();
    w->overflow_index.Clear();
    w->spill.clear();
    w->spill_index.Clear();
  } else {
    w = std::make_unique<Window>();
    w->device_index.Reserve(std::min(options_.initial_devices, options_.max_devices_per_window));
  }
  w->start_ns = start_ns;
  return open_.insert(it, std::move(w))->get();
}

DeviceState* WindowSummariser::FindOrAddDevice(Window* w, uint64_t mac) {
  const uint64_t h = Mix64(mac);
  const uint32_t pos =
      w->device_index.Find(h, [&](uint32_t p) { return w->devices[p].mac == mac; });
  if (pos != SlotIndex::kEmpty) return &w->devices[pos];
  if (w->devices.size() >= options_.max_devices_per_window) return nullptr;
  DeviceState& d = w->devices.emplace_back();
  d.mac = mac;
  w->device_index.Insert(h, static_cast<uint32_t>(w->devices.size() - 1));
  return &d;
}

void WindowSummariser::AddProbeRequest(Window* w, const dissect::Frame& f, DeviceState* d) {
  const uint8_t* ssid = nullptr;
  uint8_t len = 0;
  if (f.has_elements && f.elements.has_ssid && f.elements.ssid != nullptr) {
    ssid = f.elements.ssid;
    len = f.elements.ssid_len > kMaxSsidLen ? uint8_t{kMaxSsidLen} : f.elements.ssid_len;
  }
  const uint64_t mac = d->mac;
  const uint64_t h = ProbeHash(mac, ssid, len);
  const uint32_t pos = w->probe_index.Find(h, [&](uint32_t p) {
    const ProbeState& s = w->probes[p];
    return s.mac == mac && s.ssid_len == len && (len == 0 || std::memcmp(s.ssid, ssid, len) == 0);
  });
  if (pos != SlotIndex::kEmpty) {
    AddProbe(f, &w->probes[pos]);
    return;
  }
  uint8_t ordinal = kWildcardOrdinal;
  if (len > 0) {
    if (d->num_probed_ssids >= options_.max_probed_ssids) {
      const uint32_t seen =
          w->overflow_index.Find(h, [&](uint32_t p) { return w->overflow_hashes[p] == h; });
      if (seen == SlotIndex::kEmpty) {
        ++d->probed_overflow;
        if (w->overflow_hashes.size() < options_.max_devices_per_window) {
          w->overflow_hashes.push_back(h);
          w->overflow_index.Insert(h, static_cast<uint32_t>(w->overflow_hashes.size() - 1));
        }
      }
      return;
    }
    ordinal = d->num_probed_ssids++;
  }
  ProbeState& p = w->probes.emplace_back();  // value-initialised
  p.mac = mac;
  p.ssid_len = len;
  if (len > 0) std::memcpy(p.ssid, ssid, len);
  p.ordinal = ordinal;
  AddProbe(f, &p);
  w->probe_index.Insert(h, static_cast<uint32_t>(w->probes.size() - 1));
}

void WindowSummariser::SpillSubtype(Window* w, uint64_t mac, const dissect::Frame& f) {
  const uint64_t key = mac << 8 | static_cast<uint64_t>((f.type & 3) << 4 | (f.subtype & 0xf));
  const uint64_t h = Mix64(key);
  const uint32_t pos = w->spill_index.Find(h, [&](uint32_t p) { return w->spill[p].key == key; });
  if (pos != SlotIndex::kEmpty) {
    ++w->spill[pos].count;
    return;
  }
  w->spill.push_back({key, 1});
  w->spill_index.Insert(h, static_cast<uint32_t>(w->spill.size() - 1));
}

void WindowSummariser::Add(const dissect::Frame& f) {
  ++counters_.frames_in;
  RaiseWatermark(f.timestamp_ns);
  switch (Classify(f)) {
    case Disposition::kBadFcs:
      ++counters_.bad_fcs;
      return;
    case Disposition::kUnattributed:
      ++counters_.unattributed;
      return;
    case Disposition::kAttribute:
      break;
  }
  const Mac* device = f.Transmitter();
  const bool received_only = device == nullptr;
  if (received_only) {
    if (f.type == dissect::kTypeControl && f.has_ra && !f.has_ta && !f.has_sa && !f.ra.IsGroup()) {
      device = &f.ra;
    } else {
      ++counters_.unattributed;
      return;
    }
  }
  // Nearly every frame falls into the window of the previous one.
  Window* w = current_;
  if (w == nullptr || f.timestamp_ns < w->start_ns || f.timestamp_ns - w->start_ns >= window_ns_) {
    const int64_t start = AlignDown(f.timestamp_ns);
    if (any_sealed_ && start < sealed_before_ns_) {
      ++counters_.late_frames;
      return;
    }
    w = current_ = OpenWindow(start);
  }
  DeviceState* d = FindOrAddDevice(w, device->ToU64());
  if (d == nullptr) {
    ++counters_.devices_overflow;
    return;
  }
  ++counters_.frames_attributed;
  if (received_only) {
    ++d->received_only;
    return;
  }
  if (!AddTransmitted(f, d)) SpillSubtype(w, d->mac, f);
  if (f.type == dissect::kTypeManagement && f.subtype == dissect::kMgmtProbeRequest) {
    AddProbeRequest(w, f, d);
  }
}

void WindowSummariser::Seal(Window* w) {
  SealedWindow out;
  out.window_start_ns = w->start_ns;
  out.window_ms = static_cast<uint32_t>(options_.window_ms);

  // Probes by (MAC, SSID): the ProbeObservation order, and per device its directed SSIDs.
  auto& probe_order = probe_order_;
  probe_order.resize(w->probes.size());
  for (uint32_t i = 0; i < probe_order.size(); ++i) probe_order[i] = i;
  std::sort(probe_order.begin(), probe_order.end(), [w](uint32_t a, uint32_t b) {
    const ProbeState& x = w->probes[a];
    const ProbeState& y = w->probes[b];
    if (x.mac != y.mac) return x.mac < y.mac;
    return x.ssid_view() < y.ssid_view();
  });
  out.probes.resize(probe_order.size());
  for (size_t i = 0; i < probe_order.size(); ++i) {
    ToProto(w->probes[probe_order[i]], w->start_ns, &out.probes[i]);
  }
  // Spilled subtype counts by (MAC, key).
  auto& spill_order = spill_order_;
  spill_order.resize(w->spill.size());
  for (uint32_t i = 0; i < spill_order.size(); ++i) spill_order[i] = i;
  std::sort(spill_order.begin(), spill_order.end(),
            [w](uint32_t a, uint32_t b) { return w->spill[a].key < w->spill[b].key; });

  order_.resize(w->devices.size());
  for (uint32_t i = 0; i < order_.size(); ++i) order_[i] = i;
  std::sort(order_.begin(), order_.end(),
            [w](uint32_t a, uint32_t b) { return w->devices[a].mac < w->devices[b].mac; });
  out.devices.resize(order_.size());
  std::array<const ProbeState*, 256> by_ordinal{};
  uint32_t extra[64];
  size_t j = 0, k = 0;  // walk probe_order and spill_order, both sorted by MAC
  for (size_t i = 0; i < order_.size(); ++i) {
    const DeviceState& d = w->devices[order_[i]];
    bool has_extra = false;
    while (k < spill_order.size() && (w->spill[spill_order[k]].key >> 8) < d.mac) ++k;
    for (; k < spill_order.size() && (w->spill[spill_order[k]].key >> 8) == d.mac; ++k) {
      if (!has_extra) std::fill(std::begin(extra), std::end(extra), 0u);
      has_extra = true;
      extra[w->spill[spill_order[k]].key & 0x3f] += w->spill[spill_order[k]].count;
    }
    v1::DeviceWindow* dw = &out.devices[i];
    ToProto(d, w->start_ns, out.window_ms, has_extra ? extra : nullptr, dw);
    while (j < probe_order.size() && w->probes[probe_order[j]].mac < d.mac) ++j;
    std::fill(by_ordinal.begin(), by_ordinal.begin() + d.num_probed_ssids, nullptr);
    for (; j < probe_order.size() && w->probes[probe_order[j]].mac == d.mac; ++j) {
      const ProbeState& p = w->probes[probe_order[j]];
      if (p.ordinal != kWildcardOrdinal) by_ordinal[p.ordinal] = &p;
    }
    for (int o = 0; o < d.num_probed_ssids; ++o) {
      if (by_ordinal[o] != nullptr) {
        dw->add_probed_ssids(reinterpret_cast<const char*>(by_ordinal[o]->ssid),
                             by_ordinal[o]->ssid_len);
      }
    }
  }
  counters_.windows_sealed++;
  counters_.device_windows += out.devices.size();
  counters_.probe_observations += out.probes.size();
  sealed_.push_back(std::move(out));
}

std::vector<SealedWindow> WindowSummariser::TakeSealed() {
  std::vector<SealedWindow> out;
  out.swap(sealed_);
  return out;
}

size_t WindowSummariser::MemoryBytes() const {
  size_t n =
      (order_.capacity() + probe_order_.capacity() + spill_order_.capacity()) * sizeof(uint32_t);
  auto add = [&n](const std::unique_ptr<Window>& w) {
    n += sizeof(Window) + w->devices.bytes() + w->probes.bytes() +
         w->overflow_hashes.capacity() * sizeof(uint64_t) +
         w->spill.capacity() * sizeof(SubtypeSpill) + w->device_index.bytes() +
         w->probe_index.bytes() + w->overflow_index.bytes() + w->spill_index.bytes();
  };
  for (const auto& w : open_) add(w);
  for (const auto& w : pool_) add(w);
  return n;
}

}  // namespace airfleet::summarise
