#include "agent/cli/remote_control.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/capture/channel.h"
#include "common/log.h"

namespace airfleet::cli {
RemoteSettingsGlue::RemoteSettingsGlue(const RunOptions& options, bool replay,
                                       const v1::AgentConfig& pushed)
    : options_(options), replay_(replay) {
  local_.window_ms = static_cast<uint32_t>(options.window_ns / 1'000'000);
  local_.channels = options.channels;
  local_.dwell_ns = options.dwell_ns;
  local_.privacy_mode =
      options.privacy.mode == "pseudonymize" ? "pseudonymise" : options.privacy.mode;
  initial_ = control::Overlay(local_, pushed);
  current_ = initial_;
}

absl::StatusOr<privacy::PrivacyOptions> RemoteSettingsGlue::PrivacyFor(
    const std::string& mode) const {
  PrivacyFlags flags = options_.privacy;
  flags.mode = mode;
  // Hashing or dropping SSIDs needs pseudonymisation; "off" means off for SSIDs as well.
  if (mode == "off") flags.ssids = "keep";
  auto made = PrivacyFromFlags(flags);
  if (!made.ok() && mode != "off") {
    return absl::InvalidArgumentError(
        absl::StrCat("this agent cannot pseudonymise (keys are never sent; give the agent its own "
                     "privacy.key_file): ",
                     made.status().message()));
  }
  return made;
}

absl::Status RemoteSettingsGlue::Check(const v1::AgentConfig& config) const {
  const control::EffectiveSettings e = control::Overlay(local_, config);
  run::RuntimeSettings settings;
  settings.window_ms = e.window_ms;
  auto privacy_options = PrivacyFor(e.privacy_mode);
  if (!privacy_options.ok()) return privacy_options.status();
  settings.privacy = std::move(*privacy_options);
  settings.bpf_filter = e.pushed_bpf_filter;
  summarise::SummariserOptions base;
  base.max_devices_per_window = options_.max_devices;
  if (absl::Status s = run::CheckRuntimeSettings(settings, base); !s.ok()) {
    return s;
  }
  for (const std::string& spec : e.channels) {
    if (auto c = capture::ParseChannel(spec); !c.ok()) return c.status();
  }
  return absl::OkStatus();
}

std::string RemoteSettingsGlue::Apply(const v1::AgentConfig& config) {
  const control::EffectiveSettings next = control::Overlay(local_, config);
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> notes;
  run::RuntimeSettings settings;
  if (next.window_ms != current_.window_ms) settings.window_ms = next.window_ms;
  if (next.privacy_mode != current_.privacy_mode) {
    if (auto p = PrivacyFor(next.privacy_mode); p.ok()) settings.privacy = std::move(*p);
  }
  if (next.pushed_bpf_filter != current_.pushed_bpf_filter) {
    settings.bpf_filter = next.pushed_bpf_filter;
  }
  const bool runtime_change = settings.window_ms || settings.privacy || settings.bpf_filter;
  if (runtime_change) {
    if (runner_ != nullptr && !capture_ended_) {
      runner_->Reconfigure(std::move(settings));
    } else {
      notes.push_back("capture has ended; the settings apply at the next start");
    }
  }
  const bool plan_change = next.channels != current_.channels ||
                           next.dwell_ns != current_.dwell_ns ||
                           next.stagger_offset != current_.stagger_offset ||
                           next.clock_aligned != current_.clock_aligned;
  if (plan_change) {
    if (replay_) {
      notes.push_back("channel plan stored; it applies to live capture (this agent is replaying)");
    } else if (replan_) {
      if (std::string error = replan_(next); !error.empty()) notes.push_back(error);
    } else {
      notes.push_back("channel plan stored; this agent does not hop (no channels at start)");
    }
  }
  current_ = next;
  log::Info(absl::StrCat("remote configuration version ", config.version(), " applied: window ",
                         next.window_ms, " ms, privacy ", next.privacy_mode, ", channels [",
                         absl::StrJoin(next.channels, ","), "], pushed filter '",
                         next.pushed_bpf_filter, "'"));
  return notes.empty() ? "applied" : absl::StrCat("applied; ", absl::StrJoin(notes, "; "));
}

void RemoteSettingsGlue::Attach(
    run::AgentRunner* runner,
    std::function<std::string(const control::EffectiveSettings&)> replan) {
  std::lock_guard<std::mutex> lock(mu_);
  runner_ = runner;
  replan_ = std::move(replan);
}

void RemoteSettingsGlue::CaptureEnded() {
  std::lock_guard<std::mutex> lock(mu_);
  capture_ended_ = true;
}

}  // namespace airfleet::cli
