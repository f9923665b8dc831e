#pragma once

// Pure merge functions for summaries that describe the same thing twice: two partial summaries of
// one (device, agent, window) — an agent restarted mid-window and sealed a second partial — or two
// aggregated probe observations of one (device, agent, window, SSID).
//
// The merge is associative and commutative for all counters and sets, so the order the partials
// arrive in does not matter; for "latest" fields (AP SSID, client BSSID, last sequence number) the
// partial whose last frame is later wins. No I/O, no allocation beyond the output message.

#include "airfleet/v1/summary.pb.h"

namespace airfleet::collector {

// A merged window keeps at most this many distinct probed SSIDs (an agent keeps fewer, so two
// partials within the agent's cap never overflow); extra distinct SSIDs raise the overflow count.
inline constexpr int kMergedProbedSsidCap = 32;
// Matches the agent's cap on distinct probe destinations (summary.proto).
inline constexpr int kProbeDestinationCap = 8;

// Folds `in` into `acc`. Both must describe the same mac and window_start_ns (not checked: the
// store's key guarantees it).
void MergeDeviceWindow(const v1::DeviceWindow& in, v1::DeviceWindow* acc);

// Folds `in` into `acc`; same mac, window and SSID.
void MergeProbeObservation(const v1::ProbeObservation& in, v1::ProbeObservation* acc);

}  // namespace airfleet::collector
