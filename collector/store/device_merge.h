#pragma once

// The devices table holds one merged DeviceInfo per MAC: everything the fleet knows about that
// device. It is maintained without read-modify-write: each stored window contributes a delta
// (DeviceDeltaFromWindow) and deltas are folded with MergeDeviceInfo, which is associative, so
// RocksDB can apply them lazily as merge operands.
//
// Pure functions, no I/O.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "airfleet/v1/ingest.pb.h"
#include "airfleet/v1/summary.pb.h"

namespace airfleet::collector {

// Distinct probed SSIDs kept per device (more are dropped: the windows keep the detail).
inline constexpr int kDeviceProbedSsidCap = 32;

// What one window of `agent_id` says about its device.
v1::DeviceInfo DeviceDeltaFromWindow(std::string_view agent_id, const v1::DeviceWindow& window);

// Same result as MergeDeviceInfo(DeviceDeltaFromWindow(agent_id, window), acc) without building
// the delta message: the commit path calls this once per stored window.
void AddWindowToDevice(std::string_view agent_id, const v1::DeviceWindow& window,
                       v1::DeviceInfo* acc);

// The commit path's device delta without protobuf messages: folds the windows of one MAC (in
// commit order) exactly as DeviceDeltaFromWindow + AddWindowToDevice would, then writes the
// DeviceInfo wire format directly. The proto version allocated a message, a Sighting and their
// strings per device per group commit and was the largest cost of ingest after RocksDB itself.
//
// Lifetime: strings are held as views into the windows and agent ids passed to Add(); they must
// stay alive until AppendSerialized() returned. Reset() keeps capacity so one accumulator serves
// a whole group commit without allocating. Not thread-safe.
class DeviceAccumulator {
 public:
  // Starts a new device; the next Add() behaves like DeviceDeltaFromWindow.
  void Reset();
  // Same as AddWindowToDevice(agent_id, window, &delta).
  void Add(std::string_view agent_id, const v1::DeviceWindow& window);
  // Appends the serialized DeviceInfo (parses to the message AddWindowToDevice would build).
  void AppendSerialized(std::string* out) const;

 private:
  struct Sighting {
    std::string_view agent_id;
    int64_t last_seen_ns = 0;
    int32_t last_signal_dbm = 0;
    bool has_signal = false;
    uint64_t frames = 0;
  };

  bool empty_ = true;
  uint64_t mac_ = 0;
  int64_t first_seen_ns_ = 0;
  int64_t last_seen_ns_ = 0;
  uint64_t frames_ = 0;
  uint64_t probe_requests_ = 0;
  bool randomised_ = false;
  std::string_view ap_ssid_;
  std::vector<std::string_view> probed_ssids_;
  int32_t signal_min_dbm_ = 0;
  int32_t signal_max_dbm_ = 0;
  bool has_signal_ = false;
  std::vector<Sighting> sightings_;
  std::vector<uint32_t> channels_mhz_;
  uint64_t probe_fingerprint_ = 0;
  mutable std::string scratch_;  // one encoded Sighting at a time
};

// Folds `in` into `acc` (same MAC). Counters add, first/last seen take min/max, sets union,
// per-agent sightings merge by agent id; "latest" fields (AP SSID, fingerprint, a sighting's last
// signal) come from whichever side was seen later.
void MergeDeviceInfo(const v1::DeviceInfo& in, v1::DeviceInfo* acc);

}  // namespace airfleet::collector
