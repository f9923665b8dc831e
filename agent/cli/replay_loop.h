#pragma once

// The read-dissect loop shared by `inspect`, `summarise` and `run --pcap`: pulls packets from a
// capture file, dissects each, hands the frame to a callback, and turns the source's errors into
// a person-readable message plus an exit code.

#include <cstdint>
#include <functional>
#include <string>

#include "agent/capture/packet_source.h"
#include "agent/dissect/dissector.h"

namespace airfleet::cli {

struct ReplayResult {
  int exit_code = 0;    // exit_codes.h
  std::string message;  // for stderr when exit_code != 0
  uint64_t packets = 0;
  dissect::AnomalyCounters anomalies;
  capture::CaptureCounters counters;
};

// Dissects every packet of `source`; `on_frame(index, frame)` is called for each (index is
// 1-based). Stops early when on_frame returns false.
ReplayResult DissectAll(capture::PacketSource& source, const dissect::DissectOptions& options,
                        const std::function<bool(uint64_t, const dissect::Frame&)>& on_frame);

}  // namespace airfleet::cli
