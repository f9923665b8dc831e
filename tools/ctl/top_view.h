#pragma once

// `airfleetctl top`: one screen of the fleet, rendered from two Admin answers. Pure (the caller
// fetches, times and clears the terminal), so the layout and the rates are unit-tested.
//
// Layout: a summary line (agents by status, fleet frames/s, backlog), the agents (status, rates,
// backlog, drops, why), and the devices heard strongest recently (the cross-sensor view).
// Summaries/s per agent are the change in the collector's stored count between this snapshot and
// the previous one, so the first screen shows them as "-".

#include <cstddef>
#include <cstdint>
#include <string>

#include "airfleet/v1/ingest.pb.h"

namespace airfleet::ctl {

struct TopSnapshot {
  int64_t taken_ns = 0;  // operator's clock, for the rates
  v1::ListAgentsResponse agents;
  v1::ListDevicesResponse devices;  // recently seen devices, any order
};

struct TopOptions {
  size_t max_devices = 10;
  std::string devices_window = "5m";  // shown in the devices heading
};

// `previous` may be null (first screen).
std::string RenderTop(const TopSnapshot& current, const TopSnapshot* previous, int64_t now_ns,
                      const TopOptions& options);

}  // namespace airfleet::ctl
