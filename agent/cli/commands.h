#pragma once

// The agent's subcommands. main.cc only parses flags into these structs (CLI11 stays out of every
// other file, it costs ~6 s of compile time per translation unit).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/dissect/frame.h"
#include "agent/privacy/edge_privacy.h"

namespace airfleet::cli {

// --privacy* flags of `summarise` and `run` (README, "Privacy at the edge").
struct PrivacyFlags {
  std::string mode = "off";    // off | pseudonymise
  std::string ssids = "keep";  // keep | hash | drop
  std::string key_file;        // the key never comes from the command line itself
  bool keep_vendor = false;
  std::string rotate = "never";  // daily | weekly | never | duration
};
// Reads the key file (refusing group/world-accessible ones) and checks the combination.
absl::StatusOr<privacy::PrivacyOptions> PrivacyFromFlags(const PrivacyFlags& flags);

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
  PrivacyFlags privacy;
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
  // How often a health heartbeat goes to the collector (0 = off). The collector marks agents
  // offline after 60 s of silence by default, so keep this well below its threshold.
  int64_t heartbeat_ns = 10'000'000'000;
  // Replay: show import and drain progress on stderr even when it is not a terminal (on a
  // terminal it is always shown).
  bool progress = false;
  // Log lines as JSON objects (common/log.h) instead of "airfleet-agent: text".
  bool log_json = false;
  // Live capture.
  std::vector<std::string> channels;
  int64_t dwell_ns = 250'000'000;
  std::string bpf_filter;
  bool monitor_mode = true;
  PrivacyFlags privacy;
  // Prometheus /metrics over plain HTTP, "HOST:PORT" (port 0 picks a free one; the bound address
  // is logged); "" = off, the default.
  std::string metrics_listen;
  // Capture rings (agent/rings/, started remotely with `airfleetctl capture start`); "" =
  // SPOOL_DIR-rings.
  std::string rings_dir;
};
// Captures (or replays), summarises, spools and uploads until stopped (SIGINT/SIGTERM) or, with
// exit_when_drained, until a replay is complete and every batch is acknowledged.
int RunAgent(const RunOptions& options);

}  // namespace airfleet::cli
