#pragma once

// The agent's subcommands. main.cc only parses flags into these structs (CLI11 stays out of every
// other file, it costs ~6 s of compile time per translation unit).

#include <cstdint>
#include <string>

#include "agent/dissect/frame.h"

namespace airfleet::cli {

struct InspectOptions {
  std::string pcap;
  dissect::FcsMode fcs = dissect::FcsMode::kAuto;
  bool verify_fcs = false;
  std::string format = "ndjson";
};
// Prints one JSON object per frame (see frame_json.h). Returns an exit code (exit_codes.h).
int RunInspect(const InspectOptions& options);

struct SummariseOptions {
  std::string pcap;
  dissect::FcsMode fcs = dissect::FcsMode::kAuto;
  bool verify_fcs = false;
  int64_t window_ns = 60'000'000'000;
  uint32_t max_devices = 50'000;
  uint32_t max_probed_ssids = 16;
  std::string format = "ndjson";
  bool probes = false;  // also print probe observations
};
// Prints one JSON object per device window (common/window_json.h), in window then MAC order.
int RunSummarise(const SummariseOptions& options);

}  // namespace airfleet::cli
