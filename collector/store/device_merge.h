#pragma once

// The devices table holds one merged DeviceInfo per MAC: everything the fleet knows about that
// device. It is maintained without read-modify-write: each stored window contributes a delta
// (DeviceDeltaFromWindow) and deltas are folded with MergeDeviceInfo, which is associative, so
// RocksDB can apply them lazily as merge operands.
//
// Pure functions, no I/O.

#include <string_view>

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

// Folds `in` into `acc` (same MAC). Counters add, first/last seen take min/max, sets union,
// per-agent sightings merge by agent id; "latest" fields (AP SSID, fingerprint, a sighting's last
// signal) come from whichever side was seen later.
void MergeDeviceInfo(const v1::DeviceInfo& in, v1::DeviceInfo* acc);

}  // namespace airfleet::collector
