#pragma once

// Deliberately broken radiotap (DLT 127) packets, one per thing a parser must survive, each with
// the anomaly name (agent/dissect/anomaly.h) that IEEE 802.11 / radiotap.org say it has. Written
// from the specs, not from the dissector, so tests can hold the dissector to them.

#include <string>
#include <vector>

#include "tools/framegen/frame_builder.h"

namespace airfleet::framegen {

struct EdgeCase {
  std::string name;
  std::string expected_anomaly;  // stable snake_case anomaly name
  Bytes bytes;
};

std::vector<EdgeCase> EdgeCases();

}  // namespace airfleet::framegen
