#pragma once

// Radio headers in front of an 802.11 frame: radiotap (DLT 127), PPI (DLT 192), Prism (DLT 119)
// and AVS (DLT 163). Each parser fills *radio and sets *header_len to the offset where the 802.11
// frame starts. They never read outside [data, data + len) and return the first anomaly found
// (kNone when clean). When a field is malformed but the header length is trustworthy, the parser
// still sets *header_len so the 802.11 frame can be dissected.

#include <cstddef>
#include <cstdint>

#include "agent/dissect/frame.h"

namespace airfleet::dissect {

Anomaly ParseRadiotap(const uint8_t* data, size_t len, RadioInfo* radio, size_t* header_len);
Anomaly ParsePpi(const uint8_t* data, size_t len, RadioInfo* radio, size_t* header_len);
// DLT 119 captures may carry an AVS header instead (Wireshark checks the AVS magic); this handles
// both.
Anomaly ParsePrism(const uint8_t* data, size_t len, RadioInfo* radio, size_t* header_len);
Anomaly ParseAvs(const uint8_t* data, size_t len, RadioInfo* radio, size_t* header_len);

}  // namespace airfleet::dissect
