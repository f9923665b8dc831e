#pragma once

// Information elements (tag, length, value) of a management frame body.

#include <cstddef>
#include <cstdint>

#include "agent/dissect/frame.h"

namespace airfleet::dissect {

// Parses every element in [data, data+len) into *out (reset first), computing the fingerprint.
// Elements before an overrun are kept; returns kElementOverrun / kElementMalformed or kNone.
Anomaly ParseElements(const uint8_t* data, size_t len, Elements* out);

}  // namespace airfleet::dissect
