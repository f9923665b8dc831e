#pragma once

// The agent's capture loop: packets -> dissector -> summariser -> spool. The uplink drains the
// spool on its own thread; this loop never waits for the network.
//
// Replay (a capture file): every Spool::Append stores, in the same atomic write, the replay
// position (replay_position.h) from which a restart rebuilds exactly the windows that were still
// open, so `run --pcap` killed at any point and restarted produces the same summaries as an
// uninterrupted run, and none twice. Interrupting a replay (stop flag) seals nothing: the open
// windows are rebuilt on the next start.
//
// Live capture: windows seal by wall clock (AdvanceTo(now - live_delay)). A sign-of-life marker in
// the spool metadata is refreshed at every append and every 10 s while idle, and cleared by a
// clean stop (which seals the open windows). If the previous live run died (kill -9, power loss)
// the marker is still there at the next start, and the loss of its open windows is recorded in
// the loss ledger ("crash_open_window", from the end of the last window that reached the spool
// to the last sign of life) — counted, never silent. The end of the last sealed window travels
// in the same atomic write as the windows (the spool position "live:<ns>"), so the range is
// exact at its start; AgentRunnerLiveTest kills a live child right after an append to check it.
//
// Disk full: an Append that fails with ResourceExhausted is counted as a loss (ledger reason
// "disk_full") and capture continues. `on_disk_full` hears of the first failure of a run of them
// (with the spool's reason) and `on_disk_writable` of the first success after one, so that the
// caller can log the transitions without a line per lost window.
//
// Threading: Run() on one thread; `stop` may be set from any thread (signal handler flag).

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "agent/capture/bpf_filter.h"
#include "agent/capture/packet_source.h"
#include "agent/dissect/dissector.h"
#include "agent/privacy/edge_privacy.h"
#include "agent/spool/spool.h"
#include "agent/summarise/window_summariser.h"

namespace airfleet::run {

// Per-packet dissector settings: the capture file's own FCS hint (pcap "P" bits, pcapng
// if_fcslen) refines FcsMode::kAuto for radio headers that do not say.
dissect::DissectOptions OptionsForPacket(const dissect::DissectOptions& base,
                                         const capture::Packet& packet);

struct RunnerOptions {
  summarise::SummariserOptions summariser;
  // Applied to every sealed window before it reaches the spool (agent/privacy/edge_privacy.h).
  privacy::PrivacyOptions privacy;
  dissect::DissectOptions dissect;
  // Replay: identity of the file (replay_position.h) and where reading starts.
  bool replay = true;
  std::string file_identity;
  uint64_t start_offset = 0;
  int64_t start_watermark_ns = 0;
  // Live: how far behind the wall clock windows are sealed (capture buffering).
  int64_t live_delay_ns = 1'000'000'000;
  // Wall clock, unix ns.
  std::function<int64_t()> now_ns;
  std::string version = "airfleet-agent/0.1";
  // Optional: the spool became full (summaries lost so far in this run, the spool's error) / took
  // an append again after being full.
  std::function<void(uint64_t lost_summaries, const absl::Status& why)> on_disk_full;
  std::function<void(uint64_t lost_summaries)> on_disk_writable;
  // Optional: receives a copy of the capture counters at most every 100 ms while packets flow,
  // every 100 ms while the source is idle, and at the end of Run, on Run's thread (the heartbeat
  // reads them from a health::CaptureBoard, and the agent pets the systemd watchdog here, so
  // this is the capture loop's sign of life). Copying per packet would cost more than the
  // dissection.
  std::function<void(const v1::CaptureStats&)> publish_capture;
  // Optional: every packet read, before the pushed filter and the dissector (capture rings).
  capture::PacketTap* tap = nullptr;
};

// Settings a running capture can change (remote configuration, agent/control/). Unset fields
// keep what the runner has.
struct RuntimeSettings {
  std::optional<uint32_t> window_ms;
  std::optional<privacy::PrivacyOptions> privacy;
  // Applied in the agent (capture/bpf_filter.h) on top of the source's own filter; "" removes.
  std::optional<std::string> bpf_filter;
};

// InvalidArgument when the runner would refuse `settings` (window length, privacy without key,
// a filter that compiles for none of the 802.11 linktypes). Reconfigure callers check first, so
// that an agent answers "refused" before it persists anything.
absl::Status CheckRuntimeSettings(const RuntimeSettings& settings,
                                  const summarise::SummariserOptions& base);

struct RunnerCounters {
  uint64_t packets = 0;
  uint64_t frames_ok = 0;
  uint64_t appends = 0;
  uint64_t summaries_spooled = 0;
  uint64_t summaries_lost_disk_full = 0;
  // Replay: bytes of the capture file consumed (the last packet's Packet::position).
  uint64_t bytes_read = 0;
  // Packets a pushed BPF filter (RuntimeSettings) left out.
  uint64_t filtered_out = 0;
  uint64_t reconfigurations = 0;
  dissect::AnomalyCounters anomalies;
};

// What other threads (the metrics endpoint) may read while Run() works: counters as of the last
// publication, which happens with the heartbeat's (publish_capture: at most every 100 ms while
// packets flow, when idle, at the end of Run) and at every spool append. Copies, so the capture
// loop counts in plain integers and pays one short lock per publication, not per frame.
struct RunnerSnapshot {
  RunnerCounters runner;
  summarise::SummariserCounters summariser;
  capture::CaptureCounters capture;
};

class AgentRunner {
 public:
  // `source` and `spool` must outlive the runner.
  static absl::StatusOr<std::unique_ptr<AgentRunner>> Create(RunnerOptions options,
                                                             capture::PacketSource* source,
                                                             spool::Spool* spool);

  // Runs until the source ends (replay: flushes and records `finished`), the source fails, or
  // `stop` becomes true. A file cut short is flushed like a clean end and returned as DataLoss
  // (its message says where) after everything it held was spooled.
  absl::Status Run(const std::atomic<bool>& stop);

  const RunnerCounters& counters() const { return counters_; }
  const summarise::WindowSummariser& summariser() const { return *summariser_; }
  // Across reconfigurations (each new window length starts a new summariser).
  summarise::SummariserCounters summariser_counters() const;
  // Thread-safe. Takes effect at the capture loop's next turn: windows open then are sealed as
  // they are (partial windows; the collector merges partial windows of the same start), so no
  // frame is counted twice or lost, and a replay's resume position moves past them. Settings
  // must have passed CheckRuntimeSettings. Later requests before that turn merge over earlier.
  void Reconfigure(RuntimeSettings settings);
  const privacy::PrivacyCounters& privacy_counters() const { return privacy_->counters(); }
  // Thread-safe (see RunnerSnapshot).
  RunnerSnapshot Snapshot() const;

 private:
  AgentRunner(RunnerOptions options, capture::PacketSource* source, spool::Spool* spool,
              std::unique_ptr<summarise::WindowSummariser> summariser,
              std::unique_ptr<privacy::EdgePrivacy> privacy);

  void Track(const dissect::Frame& frame, uint64_t record_start);
  // Appends whatever the summariser has sealed; `finished` marks the end of a replay.
  absl::Status SpoolSealed(uint64_t next_record, bool finished);
  std::string PositionAfterSeal(uint64_t next_record, bool finished);
  v1::AgentHealth Health() const;
  v1::CaptureStats CaptureStatsNow() const;
  void PublishCapture() {
    if (options_.publish_capture) options_.publish_capture(CaptureStatsNow());
  }
  void CheckLiveCrashMarker();
  void RefreshLiveMarker();
  // Both copies (heartbeat and snapshot) / the snapshot alone.
  void Publish() {
    PublishCapture();
    PublishSnapshot();
  }
  void PublishSnapshot();
  // On Run's thread: applies a pending Reconfigure.
  absl::Status ApplyPendingSettings(uint64_t next_record);

  RunnerOptions options_;
  capture::PacketSource* source_;
  spool::Spool* spool_;
  std::unique_ptr<summarise::WindowSummariser> summariser_;
  std::unique_ptr<privacy::EdgePrivacy> privacy_;
  RunnerCounters counters_;
  int64_t last_publish_ns_ = 0;
  int64_t last_alive_refresh_ns_ = 0;  // live: when the sign-of-life marker was last written  //
                                       // monotonic enough: only differences of ~100 ms matter
  bool disk_full_ = false;             // the last append failed for want of space
  // Window start -> offset of its first record (replay), for windows that may still be open.
  std::map<int64_t, uint64_t> open_first_record_;
  int64_t watermark_ns_ = 0;
  int64_t last_sealed_end_ns_ = 0;
  mutable std::mutex snapshot_mu_;
  RunnerSnapshot snapshot_;                                    // guarded by snapshot_mu_
  summarise::SummariserCounters retired_summariser_counters_;  // summarisers replaced so far
  std::unique_ptr<capture::BpfFilter> filter_;                 // a pushed filter, or none
  std::string filter_error_;  // the filter did not compile for a linktype met (matches nothing)
  // Set by Reconfigure, cleared by the capture loop.
  std::atomic<bool> settings_pending_{false};
  std::mutex settings_mu_;
  RuntimeSettings pending_settings_;  // guarded by settings_mu_
  // The next append must not point a replay's resume position back into windows that were
  // sealed early by a reconfiguration.
  bool sealed_all_ = false;
};

}  // namespace airfleet::run
