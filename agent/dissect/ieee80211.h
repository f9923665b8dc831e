#pragma once

// The 802.11 MAC frame: header, address roles, management fixed parameters, data protection.
// Input is the frame without radio header and without FCS.

#include <cstddef>
#include <cstdint>

#include "agent/dissect/frame.h"

namespace airfleet::dissect {

// Fills the MAC fields of *out (frame_control ... protection, has_elements/elements) and returns
// the first anomaly. Does not touch out->radio, timestamps, or FCS fields.
Anomaly ParseMacFrame(const uint8_t* data, size_t len, Frame* out);

}  // namespace airfleet::dissect
