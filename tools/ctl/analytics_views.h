#pragma once

// Analytics answers -> printable tables (conventions of views.h), and the timeline's terminal
// chart. Pure.

#include <cstdint>
#include <ostream>
#include <string>

#include "airfleet/v1/analytics.pb.h"
#include "tools/ctl/output.h"

namespace airfleet::ctl {

// Columns: mac, vendor, known, name, randomised, probes, wildcard, first_probe, last_probe,
// signal_min, signal_avg (1 decimal), signal_max, ssid_count, ssids, destination_count,
// destinations.
Table ProbeStatsTable(const v1::ProbeStatsResponse& response);

// Columns: day (YYYY-MM-DD), agent, subtype (e.g. "mgmt/probe-req"), subtype_key, frames.
Table SubtypeTable(const v1::SubtypeStatsResponse& response);

// Columns: interval_start, agent ("fleet" for the fleet-wide row), devices.
Table TimelineTable(const v1::TimelineResponse& response);

// One line per interval of the fleet-wide series: "TIME  N  ████▍" with bars scaled so the
// largest count is `width` cells (eighth-block resolution); then one block per agent.
std::string TimelineChart(const v1::TimelineResponse& response, int width = 40);

// Columns: mac, fleet_frames, frames_sum, agents (list of "agent=frames").
Table FleetFramesTable(const v1::FleetFramesResponse& response);

}  // namespace airfleet::ctl
