#pragma once

// One dissected frame as one line of JSON, the `inspect --format ndjson` contract:
//   frame      1-based index of the record in the file
//   ts         capture time, unix ns
//   type, subtype   802.11 frame type and subtype (numbers)
//   ta ra sa da bssid   lower-case colon hex, present only when the frame has that address role
//   dbm        signal of the first antenna (dBm), when the radio header has one
//   freq_mhz   channel frequency from the radio header, when it has one
//   ssid_hex   raw SSID element bytes as lower-case hex ("" = wildcard), when the frame has one
//   seq        sequence number, when the frame has one
//   fcs        true when an FCS was present (and stripped)
//   protected  true when the Protected bit is set
//   anomaly    anomaly name (agent/dissect/anomaly.h), only when there is one
// Field names are stable: tests/conformance compares them with tshark.

#include <cstdint>
#include <string>

#include "agent/dissect/frame.h"

namespace airfleet::cli {

// Appends the JSON object (no trailing newline) to *out.
void AppendFrameJson(const dissect::Frame& frame, uint64_t index, std::string* out);

}  // namespace airfleet::cli
