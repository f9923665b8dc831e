#pragma once

// Capture-ring commands relayed by the collector (ControlRequest -> rings::RingManager ->
// ControlReply). Pure translation between the wire messages and the ring manager; the manager
// owns every rule (names, filters, rotation, which files may be read).

#include "agent/rings/ring_manager.h"
#include "airfleet/v1/control.pb.h"

namespace airfleet::control {

// The reply to a ring_* or fetch_chunk request (request_id is the caller's to copy). An empty
// file_pattern or keep_files in a RingStart means the ring's defaults.
v1::ControlReply HandleRingCommand(rings::RingManager* rings, const v1::ControlRequest& request);

}  // namespace airfleet::control
