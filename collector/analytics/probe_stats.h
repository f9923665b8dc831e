#pragma once

// Per-device probe statistics (`airfleetctl probes`) folded from stored ProbeObservations.
// Pure: the Admin API feeds it from a store scan, tests feed it directly.
//
// Rules: probes = sum of counts; wildcard = counts of empty-SSID observations; first/last =
// earliest window_start + first_offset / latest window_start + last_offset; signal min/max over
// observations with a signal, average = sum(signal_sum) / sum(signal_count); SSIDs = distinct
// non-empty SSIDs; destinations = distinct addr1 values (each observation keeps at most 8, so this
// is a lower bound for devices that probe many destinations).

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "airfleet/v1/analytics.pb.h"
#include "airfleet/v1/summary.pb.h"

namespace airfleet::collector::analytics {

class ProbeStatsBuilder {
 public:
  void Add(const v1::ProbeObservation& probe);
  // One entry per MAC, ascending; enrichment fields (vendor, known, name) are left empty.
  std::vector<v1::ProbeStats> Finish() const;

 private:
  struct Acc {
    uint64_t probes = 0, wildcard = 0;
    int64_t first_ns = 0, last_ns = 0;
    bool has_signal = false;
    int32_t signal_min = 0, signal_max = 0;
    int64_t signal_sum = 0;
    uint64_t signal_count = 0;
    std::set<std::string> ssids;
    std::set<uint64_t> destinations;
  };
  std::map<uint64_t, Acc> by_mac_;
};

}  // namespace airfleet::collector::analytics
