#include "agent/run/agent_runner.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agent/run/replay_position.h"

namespace airfleet::run {
namespace {

constexpr char kLiveMarkerKey[] = "live_alive_ns";
constexpr char kLiveSealedKey[] = "live_sealed_until_ns";
// Live appends store "live:<end of the last sealed window, ns>" as the spool's position, in the
// same atomic write as the windows, so a crash right after an append cannot leave an older
// sealed-until mark behind (which would over-state the loss).
constexpr char kLivePositionPrefix[] = "live:";
// How often an idle live capture refreshes its sign of life (the end of a crash-loss range).
constexpr int64_t kAliveRefreshNs = 10'000'000'000;

int64_t FloorDiv(int64_t a, int64_t b) { return (a >= 0 ? a : a - (b - 1)) / b * b; }

}  // namespace

dissect::DissectOptions OptionsForPacket(const dissect::DissectOptions& base,
                                         const capture::Packet& packet) {
  dissect::DissectOptions o = base;
  if (o.fcs == dissect::FcsMode::kAuto && packet.fcs_len >= 0) {
    o.fcs = packet.fcs_len == 4 ? dissect::FcsMode::kPresent : dissect::FcsMode::kAbsent;
  }
  return o;
}

absl::StatusOr<std::unique_ptr<AgentRunner>> AgentRunner::Create(RunnerOptions options,
                                                                 capture::PacketSource* source,
                                                                 spool::Spool* spool) {
  auto summariser = summarise::WindowSummariser::Create(options.summariser);
  if (!summariser.ok()) return summariser.status();
  auto privacy = privacy::EdgePrivacy::Create(options.privacy);
  if (!privacy.ok()) return privacy.status();
  if (!options.now_ns) {
    options.now_ns = [] {
      return static_cast<int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
    };
  }
  return std::unique_ptr<AgentRunner>(new AgentRunner(std::move(options), source, spool,
                                                      std::move(*summariser), std::move(*privacy)));
}

AgentRunner::AgentRunner(RunnerOptions options, capture::PacketSource* source, spool::Spool* spool,
                         std::unique_ptr<summarise::WindowSummariser> summariser,
                         std::unique_ptr<privacy::EdgePrivacy> privacy)
    : options_(std::move(options)),
      source_(source),
      spool_(spool),
      summariser_(std::move(summariser)),
      privacy_(std::move(privacy)) {
  // The raw key is not needed once EdgePrivacy holds its copy.
  options_.privacy.key.clear();
  if (options_.replay && options_.start_watermark_ns != 0) {
    // Windows sealed before the restart count as sealed again (replay_position.h).
    summariser_->AdvanceTo(options_.start_watermark_ns);
    summariser_->TakeSealed();
    watermark_ns_ = options_.start_watermark_ns;
  }
}

void AgentRunner::Track(const dissect::Frame& frame, uint64_t record_start) {
  watermark_ns_ = std::max(watermark_ns_, frame.timestamp_ns);
  if (!options_.replay) return;
  const int64_t start = FloorDiv(frame.timestamp_ns, summariser_->window_ns());
  open_first_record_.try_emplace(start, record_start);
}

std::string AgentRunner::PositionAfterSeal(uint64_t next_record, bool finished) {
  if (!options_.replay) return "";
  // Windows that start before the summariser's sealing limit are closed for good: mirror its rule
  // (window_summariser.h) to forget them.
  const int64_t grace_ns = options_.summariser.grace_ms * 1'000'000;
  const int64_t limit = FloorDiv(watermark_ns_ - grace_ns, summariser_->window_ns());
  if (finished || sealed_all_) {
    // Everything open was sealed (the end, or a reconfiguration): nothing to re-read.
    open_first_record_.clear();
  } else {
    open_first_record_.erase(open_first_record_.begin(), open_first_record_.lower_bound(limit));
  }
  uint64_t resume = next_record;
  for (const auto& [start, first] : open_first_record_) resume = std::min(resume, first);
  ReplayPosition p;
  p.file_identity = options_.file_identity;
  p.resume_offset = resume;
  p.watermark_ns = watermark_ns_;
  p.finished = finished;
  return EncodeReplayPosition(p);
}

v1::CaptureStats AgentRunner::CaptureStatsNow() const {
  v1::CaptureStats stats;
  const capture::CaptureCounters c = source_->Counters();
  auto* cap = &stats;
  cap->set_received(c.received);
  cap->set_dropped_kernel(c.dropped_kernel);
  cap->set_dropped_interface(c.dropped_interface);
  cap->set_frames_ok(counters_.frames_ok);
  for (size_t i = 1; i < counters_.anomalies.counts.size(); ++i) {
    if (counters_.anomalies.counts[i] == 0) continue;
    (*cap->mutable_anomalies())[std::string(
        dissect::AnomalyName(static_cast<dissect::Anomaly>(i)))] = counters_.anomalies.counts[i];
  }
  cap->set_devices_overflow(summariser_counters().devices_overflow);
  return stats;
}

v1::AgentHealth AgentRunner::Health() const {
  v1::AgentHealth h;
  h.set_time_ns(options_.now_ns());
  h.set_version(options_.version);
  *h.mutable_capture() = CaptureStatsNow();
  const spool::SpoolStats s = spool_->Stats();
  h.set_spool_batches(s.batches);
  h.set_spool_bytes(s.bytes);
  if (s.oldest_created_ns > 0) {
    h.set_oldest_unsent_age_ms((options_.now_ns() - s.oldest_created_ns) / 1'000'000);
  }
  return h;
}

absl::Status AgentRunner::SpoolSealed(uint64_t next_record, bool finished) {
  std::vector<summarise::SealedWindow> sealed = summariser_->TakeSealed();
  if (sealed.empty() && !finished) return absl::OkStatus();
  std::vector<v1::DeviceWindow> windows;
  std::vector<v1::ProbeObservation> probes;
  int64_t first_window = 0, last_window = 0;
  // Period start -> Batch.privacy of the summaries in this append.
  std::map<int64_t, v1::PrivacyInfo> privacy_by_period;
  for (auto& w : sealed) {
    if (privacy_->enabled()) {
      privacy_->Apply(&w);
      const v1::PrivacyInfo info = privacy_->InfoFor(w.window_start_ns);
      privacy_by_period.emplace(info.rotation_start_ns(), info);
    }
    if (first_window == 0) first_window = w.window_start_ns;
    last_window = w.window_start_ns;
    last_sealed_end_ns_ = w.window_start_ns + int64_t{w.window_ms} * 1'000'000;
    // Sealed early by a reconfiguration: the window's data ends now, not at its end.
    if (sealed_all_ && !options_.replay) {
      last_sealed_end_ns_ = std::min(last_sealed_end_ns_, options_.now_ns());
    }
    std::move(w.devices.begin(), w.devices.end(), std::back_inserter(windows));
    std::move(w.probes.begin(), w.probes.end(), std::back_inserter(probes));
  }
  const size_t summaries = windows.size();
  const v1::AgentHealth health = Health();
  spool::PrivacyForWindow label = nullptr;
  if (privacy_->enabled()) {
    label = [&](int64_t window_start_ns) -> const v1::PrivacyInfo* {
      return &privacy_by_period.at(privacy_->RotationStart(window_start_ns));
    };
  }
  auto appended =
      spool_->Append(std::move(windows), std::move(probes),
                     options_.replay ? PositionAfterSeal(next_record, finished)
                                     : absl::StrCat(kLivePositionPrefix, last_sealed_end_ns_),
                     &health, label);
  sealed_all_ = false;
  if (appended.ok()) {
    ++counters_.appends;
    counters_.summaries_spooled += summaries;
    if (disk_full_) {
      disk_full_ = false;
      if (options_.on_disk_writable) options_.on_disk_writable(counters_.summaries_lost_disk_full);
    }
    if (!options_.replay) RefreshLiveMarker();
    PublishSnapshot();
    return absl::OkStatus();
  }
  if (!absl::IsResourceExhausted(appended.status())) return appended.status();
  // Disk full: these summaries are gone; say so in the ledger (it is tiny, and the spool keeps
  // a reserve for it) and keep capturing.
  counters_.summaries_lost_disk_full += summaries;
  if (!disk_full_) {
    disk_full_ = true;
    if (options_.on_disk_full) {
      options_.on_disk_full(counters_.summaries_lost_disk_full, appended.status());
    }
  }
  v1::LossRecord loss;
  loss.set_summaries(summaries);
  loss.set_first_window_ns(first_window);
  loss.set_last_window_ns(last_window);
  loss.set_reason("disk_full");
  loss.set_recorded_ns(options_.now_ns());
  absl::Status recorded = spool_->RecordLoss(loss);
  if (!recorded.ok()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("spool disk full and the loss of ", summaries,
                     " summaries could not be recorded: ", recorded.message()));
  }
  return absl::OkStatus();
}

void AgentRunner::CheckLiveCrashMarker() {
  auto alive = spool_->GetMetadata(kLiveMarkerKey);
  if (!alive.ok() || !alive->has_value() || (*alive)->empty()) return;
  int64_t alive_ns = 0, sealed_ns = 0;
  if (!absl::SimpleAtoi(**alive, &alive_ns)) return;
  // The run's start (metadata) or its last append (position), whichever is later.
  auto sealed = spool_->GetMetadata(kLiveSealedKey);
  if (sealed.ok() && sealed->has_value()) (void)absl::SimpleAtoi(**sealed, &sealed_ns);
  if (const std::string position = spool_->ReplayPosition();
      absl::StartsWith(position, kLivePositionPrefix)) {
    int64_t appended_ns = 0;
    if (absl::SimpleAtoi(position.substr(sizeof(kLivePositionPrefix) - 1), &appended_ns)) {
      sealed_ns = std::max(sealed_ns, appended_ns);
    }
  }
  v1::LossRecord loss;
  loss.set_reason("crash_open_window");
  loss.set_first_window_ns(sealed_ns);
  loss.set_last_window_ns(std::max(alive_ns, sealed_ns));
  loss.set_recorded_ns(options_.now_ns());
  (void)spool_->RecordLoss(loss);
}

void AgentRunner::RefreshLiveMarker() {
  last_alive_refresh_ns_ = options_.now_ns();
  (void)spool_->PutMetadata(kLiveMarkerKey, absl::StrCat(last_alive_refresh_ns_));
}

void AgentRunner::PublishSnapshot() {
  RunnerSnapshot next;
  next.runner = counters_;
  next.summariser = summariser_counters();
  // On this thread: a live source's counters come from pcap_stats on the capture handle.
  next.capture = source_->Counters();
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  snapshot_ = next;
}

RunnerSnapshot AgentRunner::Snapshot() const {
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  return snapshot_;
}

absl::Status AgentRunner::Run(const std::atomic<bool>& stop) {
  // Publish on every way out, errors included, so the endpoint shows where the run ended.
  struct PublishAtEnd {
    AgentRunner* runner;
    ~PublishAtEnd() { runner->Publish(); }
  } publish_at_end{this};
  PublishSnapshot();
  if (!options_.replay) {
    CheckLiveCrashMarker();
    // Nothing before this start belongs to this run's windows.
    last_sealed_end_ns_ = options_.now_ns();
    (void)spool_->PutMetadata(kLiveSealedKey, absl::StrCat(last_sealed_end_ns_));
    RefreshLiveMarker();
  }
  capture::Packet packet;
  dissect::Frame frame;
  uint64_t record_start = options_.start_offset;
  absl::Status source_status;
  bool ended = false;
  while (!stop.load(std::memory_order_relaxed)) {
    if (settings_pending_.load(std::memory_order_relaxed)) {
      if (absl::Status s = ApplyPendingSettings(record_start); !s.ok()) return s;
    }
    absl::StatusOr<bool> got = source_->Next(&packet);
    if (!got.ok()) {
      source_status = got.status();
      ended = absl::IsDataLoss(source_status);  // cut short: flush what it held
      break;
    }
    if (!*got) {
      if (source_->AtEnd()) {
        ended = true;
        break;
      }
      Publish();
      source_->WaitForPacket(100'000'000);
      if (!options_.replay) {
        if (options_.now_ns() - last_alive_refresh_ns_ >= kAliveRefreshNs) RefreshLiveMarker();
        summariser_->AdvanceTo(options_.now_ns() - options_.live_delay_ns);
        if (absl::Status s = SpoolSealed(0, false); !s.ok()) return s;
      }
      continue;
    }
    // The clock is read every 64 packets only: a copy every 100 ms keeps heartbeats and the
    // watchdog fed at any packet rate for ~0.3 ns per packet.
    if ((++counters_.packets & 63) == 0) {
      const int64_t now = absl::GetCurrentTimeNanos();
      if (now - last_publish_ns_ >= 100'000'000) {
        last_publish_ns_ = now;
        Publish();
      }
    }
    if (options_.tap != nullptr) options_.tap->OnPacket(packet);
    if (filter_ && !filter_->Matches(packet, &filter_error_)) {
      ++counters_.filtered_out;
      record_start = packet.position;
      counters_.bytes_read = packet.position;
      continue;
    }
    frame.timestamp_ns = packet.timestamp_ns;
    frame.original_len = packet.original_len;
    dissect::Dissect(packet.linktype, packet.data, packet.captured_len,
                     OptionsForPacket(options_.dissect, packet), &frame);
    counters_.anomalies.Add(frame.anomaly);
    if (frame.anomaly == dissect::Anomaly::kNone) ++counters_.frames_ok;
    Track(frame, record_start);
    summariser_->Add(frame);
    record_start = packet.position;
    counters_.bytes_read = packet.position;
    if (absl::Status s = SpoolSealed(record_start, false); !s.ok()) return s;
  }
  if (ended || !options_.replay) {
    // End of a replay, or a clean stop of live capture: seal what is open.
    summariser_->Flush();
    if (absl::Status s = SpoolSealed(record_start, options_.replay && ended); !s.ok()) return s;
    if (!options_.replay) (void)spool_->PutMetadata(kLiveMarkerKey, "");
  }
  if (absl::Status s = spool_->Sync(); !s.ok()) return s;
  return source_status;
}

summarise::SummariserCounters AgentRunner::summariser_counters() const {
  summarise::SummariserCounters total = retired_summariser_counters_;
  total += summariser_->counters();
  return total;
}

absl::Status CheckRuntimeSettings(const RuntimeSettings& settings,
                                  const summarise::SummariserOptions& base) {
  if (settings.window_ms) {
    summarise::SummariserOptions next = base;
    next.window_ms = *settings.window_ms;
    if (auto created = summarise::WindowSummariser::Create(next); !created.ok()) {
      return created.status();
    }
  }
  if (settings.privacy) {
    if (auto created = privacy::EdgePrivacy::Create(*settings.privacy); !created.ok()) {
      return created.status();
    }
  }
  if (settings.bpf_filter && !settings.bpf_filter->empty()) {
    return capture::BpfFilter::Check(*settings.bpf_filter);
  }
  return absl::OkStatus();
}

void AgentRunner::Reconfigure(RuntimeSettings settings) {
  std::lock_guard<std::mutex> lock(settings_mu_);
  if (settings.window_ms) pending_settings_.window_ms = settings.window_ms;
  if (settings.privacy) pending_settings_.privacy = std::move(settings.privacy);
  if (settings.bpf_filter) pending_settings_.bpf_filter = std::move(settings.bpf_filter);
  settings_pending_.store(true);
}

absl::Status AgentRunner::ApplyPendingSettings(uint64_t next_record) {
  RuntimeSettings s;
  {
    std::lock_guard<std::mutex> lock(settings_mu_);
    s = std::move(pending_settings_);
    pending_settings_ = RuntimeSettings();
    settings_pending_.store(false);
  }
  const bool new_window = s.window_ms && *s.window_ms != options_.summariser.window_ms;
  if (new_window || s.privacy) {
    // Seal what is open under the old settings, so that no window mixes two lengths or two
    // privacy modes.
    summariser_->Flush();
    sealed_all_ = true;
    if (absl::Status st = SpoolSealed(next_record, false); !st.ok()) return st;
    sealed_all_ = false;
    if (new_window) {
      summarise::SummariserOptions next = options_.summariser;
      next.window_ms = *s.window_ms;
      // Checked by CheckRuntimeSettings before the agent accepted it.
      if (auto created = summarise::WindowSummariser::Create(next); created.ok()) {
        retired_summariser_counters_ += summariser_->counters();
        summariser_ = std::move(*created);
        options_.summariser = next;
        // Frames older than the flushed windows are late, as they would have been.
        summariser_->AdvanceTo(watermark_ns_);
        summariser_->TakeSealed();
      }
    }
    if (s.privacy) {
      if (auto created = privacy::EdgePrivacy::Create(*s.privacy); created.ok()) {
        privacy_ = std::move(*created);
      }
    }
  }
  if (s.bpf_filter) {
    filter_.reset();
    // Checked by CheckRuntimeSettings; compiled per linktype as packets meet it.
    if (!s.bpf_filter->empty()) filter_ = std::make_unique<capture::BpfFilter>(*s.bpf_filter);
  }
  ++counters_.reconfigurations;
  Publish();
  return absl::OkStatus();
}

}  // namespace airfleet::run
