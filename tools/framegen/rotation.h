#pragma once

// A deterministic capture of phones that randomise their MAC, and the randomised-MAC clusters a
// correct collector must report for it (collector/analytics/clusters.h, default parameters:
// 3 MACs, 5 minute session gap, 6 dB signal tolerance).
//
// The cast (fixed, so each rule of the clustering is exercised on purpose):
//   near    model 1 at -40 dBm, 5 MACs rotating every 60 s            -> 1 cluster
//   far     model 1 (same fingerprint as near) at -72 dBm, 4 MACs,
//           rotating at other moments, in the same minutes           -> 1 cluster (signal)
//   napper  model 2 at -55 dBm, 3 MACs, 8 minutes of silence, 3 MACs -> 2 clusters (sessions)
//   pair    model 3 at -60 dBm, only 2 MACs                           -> no cluster (threshold)
//   walker  model 4, 4 MACs, signal falling 8 dB per MAC, sequence
//           numbers continuing across MAC changes                     -> 1 cluster (seq links)
//   laptops models 5-7 on global (vendor) MACs, probing throughout    -> never clustered
//   one access point beaconing.
// Every MAC probes in bursts of two (a wildcard probe and a directed one), every 15 s; signal
// jitters within +-2 dB. Except for the walker, a new MAC starts its sequence numbers in a region
// of its own, so continuity never links by accident.
//
// The truth is what the generator decided (which phone and session each MAC belongs to), never
// derived by parsing or clustering the frames. Same options, byte-identical output.

#include <cstdint>
#include <string>
#include <vector>

#include "common/mac.h"
#include "tools/framegen/scenario.h"

namespace airfleet::framegen {

struct RotationOptions {
  uint64_t seed = 7;
  int64_t start_ns = 1'700'000'040'000'000'000;  // a minute boundary
};

struct TruthCluster {
  std::string phone;      // who the generator made send these probes
  int session = 0;        // 0, 1, ... per phone
  std::vector<Mac> macs;  // in order of first probe
  uint64_t probes = 0;
  uint64_t wildcard_probes = 0;
  int64_t first_ns = 0, last_ns = 0;      // first and last probe
  std::vector<std::string> probed_ssids;  // directed, in order of first appearance
  int32_t signal_min = 0, signal_max = 0;
};

struct RotationTruth {
  std::vector<TruthCluster> clusters;   // groups with >= 3 MACs, by first_ns
  std::vector<TruthCluster> below_min;  // randomised groups with fewer MACs
  std::vector<Mac> global_macs;         // laptops: never in a cluster
};

struct RotationScenario {
  std::vector<GeneratedRecord> records;  // timestamp order
  RotationTruth truth;
};

RotationScenario GenerateRotationScenario(const RotationOptions& options);

// {"clusters": [{"phone", "session", "macs", "probes", "wildcard_probes", "first_seen",
// "last_seen", "probed_ssids", "signal_min", "signal_max"}], "below_min": [...],
// "global_macs": [...]}; MACs as colon hex, times in ns.
std::string RotationTruthToJson(const RotationTruth& truth);

}  // namespace airfleet::framegen
