#pragma once

// Aggregations over stored DeviceWindows: frame subtype counts per UTC day and agent
// (`airfleetctl stats subtypes`) and unique devices per interval (`airfleetctl timeline`).
// Pure: fed by a store scan in the Admin API, directly in tests.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "airfleet/v1/analytics.pb.h"
#include "airfleet/v1/summary.pb.h"

namespace airfleet::collector::analytics {

inline constexpr int64_t kDayNs = 86'400'000'000'000;

// Start of the interval holding t (floor, also for times before 1970).
int64_t FloorTo(int64_t t, int64_t interval_ns);

// Sums subtype_counts by (UTC day of window_start, agent, subtype key). A window whose
// subtype_keys and subtype_counts differ in length is counted in malformed() and skipped.
class SubtypeStatsBuilder {
 public:
  void Add(const std::string& agent_id, const v1::DeviceWindow& window);
  std::vector<v1::SubtypeCount> Finish() const;  // ordered by (day, agent, key)
  uint64_t malformed() const { return malformed_; }

 private:
  std::map<std::tuple<int64_t, std::string, uint32_t>, uint64_t> counts_;
  uint64_t malformed_ = 0;
};

// Distinct devices per interval, per agent and fleet-wide. A device counts in an interval when
// one of its windows starting in that interval has frames > 0 (it transmitted; receiving an ACK
// alone does not make a device present). Fleet-wide counts each MAC once however many agents
// heard it.
class TimelineBuilder {
 public:
  explicit TimelineBuilder(int64_t interval_ns) : interval_ns_(interval_ns) {}
  void Add(const std::string& agent_id, const v1::DeviceWindow& window);
  // Ordered by (interval, agent) with the fleet-wide point (agent "") first in each interval.
  std::vector<v1::TimelinePoint> Finish() const;

 private:
  int64_t interval_ns_;
  // (interval, agent) -> MACs; agent "" is the fleet.
  std::map<std::pair<int64_t, std::string>, std::set<uint64_t>> devices_;
};

// Human name of a subtype key (type << 4 | subtype), e.g. "mgmt/probe-req", "data/qos-data",
// "ctrl/ack"; unknown ones as "mgmt/13" style.
std::string SubtypeName(uint32_t key);

}  // namespace airfleet::collector::analytics
