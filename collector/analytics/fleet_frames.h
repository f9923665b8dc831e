#pragma once

// Fleet-wide frame totals without double counting (issue 4, "the same frame heard twice is not
// counted twice").
//
// Agents do not report frames one by one, only per device per window: frames, the first/last
// frame time (offsets) and the sequence numbers of the first and last frame that had one. So the
// rule works per (device, window) on the agents' windows:
//
//   Two agents' windows of one device "heard the same frames" when
//     * their time spans [first_offset, last_offset] intersect (the same frame is heard at the
//       same moment; agents' clocks are assumed NTP-synced, skew far below a frame gap), and
//     * their sequence ranges intersect, read as arcs on the 12-bit sequence circle (a range may
//       wrap past 4095), or either window carries no sequence number (control frames only: we
//       cannot tell them apart, so we do not add).
//   "Heard the same frames" is closed transitively (connected components). Each component
//   contributes the MAX of its agents' frame counts; components add up.
//
// Consequences: two sensors side by side (same frames) count once; sensors hearing a device at
// different times, or disjoint parts of its sequence space, add up; two sensors each hearing a
// different part of an overlapping burst count as the larger part (a lower bound; the naive sum
// is the upper bound, also reported).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "airfleet/v1/analytics.pb.h"
#include "airfleet/v1/summary.pb.h"

namespace airfleet::collector::analytics {

// Whether two windows of the same device and window start heard the same frames (rule above).
bool SameFrames(const v1::DeviceWindow& a, const v1::DeviceWindow& b);

// Fleet-wide frames of one device in one window, from every agent's window of it.
uint64_t FleetFramesOfWindow(const std::vector<const v1::DeviceWindow*>& agent_windows);

// Accumulates per device: feed windows in any order.
class FleetFramesBuilder {
 public:
  void Add(const std::string& agent_id, const v1::DeviceWindow& window);
  std::vector<v1::DeviceFleetFrames> Finish() const;  // by MAC

 private:
  // (mac, window_start) -> the agents' windows
  std::map<std::pair<uint64_t, int64_t>, std::vector<v1::DeviceWindow>> windows_;
  std::map<uint64_t, std::map<std::string, uint64_t>> per_agent_;
};

}  // namespace airfleet::collector::analytics
