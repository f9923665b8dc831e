#pragma once

// The agent's subcommands. main.cc only parses flags into these structs (CLI11 stays out of every
// other file, it costs ~6 s of compile time per translation unit).

#include <cstdint>
#include <string>
#include <vector>

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

namespace airfleet::cli {

struct RunOptions {
  // Exactly one of pcap / iface.
  std::string pcap;
  std::string iface;
  double replay_speed = 0;  // 0 = max
  dissect::FcsMode fcs = dissect::FcsMode::kAuto;
  bool verify_fcs = false;
  int64_t window_ns = 60'000'000'000;
  uint32_t max_devices = 50'000;
  std::string collector;
  std::string ca, cert, key;
  std::string spool_dir;
  uint64_t spool_quota_bytes = 256ull << 20;
  bool exit_when_drained = false;
  int64_t drain_timeout_ns = 0;  // 0 = wait as long as it takes
  // How often the uplink pings an idle or stalled connection; a collector that does not answer
  // within min(20 s, keepalive) is given up on and the stream reopened. The collector refuses
  // pings more often than every 10 s, so this must be >= 10 s.
  int64_t keepalive_ns = 60'000'000'000;
  // Live capture.
  std::vector<std::string> channels;
  int64_t dwell_ns = 250'000'000;
  std::string bpf_filter;
  bool monitor_mode = true;
};
// Captures (or replays), summarises, spools and uploads until stopped (SIGINT/SIGTERM) or, with
// exit_when_drained, until a replay is complete and every batch is acknowledged.
int RunAgent(const RunOptions& options);

}  // namespace airfleet::cli
