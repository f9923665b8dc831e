#pragma once

// `airfleet-agent run`'s glue between remote configuration (agent/control/) and the running
// capture: what a pushed AgentConfig means for this process (window length, privacy mode and
// filter go to the runner; a channel plan to the hopper, live only) and what it cannot do here.

#include <functional>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "agent/cli/commands.h"
#include "agent/control/remote_settings.h"
#include "agent/privacy/edge_privacy.h"
#include "agent/run/agent_runner.h"
#include "airfleet/v1/control.pb.h"

namespace airfleet::cli {

class RemoteSettingsGlue {
 public:
  // `pushed`: the persisted remote config this process starts with.
  RemoteSettingsGlue(const RunOptions& options, bool replay, const v1::AgentConfig& pushed);

  const control::EffectiveSettings& initial() const { return initial_; }
  // Privacy options for a mode with this agent's own key file and SSID settings. Keys are never
  // pushed: pseudonymise needs the agent's privacy.key_file.
  absl::StatusOr<privacy::PrivacyOptions> PrivacyFor(const std::string& mode) const;

  // ControlHooks::check / ::apply.
  absl::Status Check(const v1::AgentConfig& config) const;
  std::string Apply(const v1::AgentConfig& config);

  // The capture loop to reconfigure (null: none, e.g. a replay already imported) and the
  // channel plan's applier (live capture only; returns "" or what went wrong).
  void Attach(run::AgentRunner* runner,
              std::function<std::string(const control::EffectiveSettings&)> replan);
  // The capture loop has returned: later pushes are stored for the next start only.
  void CaptureEnded();

 private:
  const RunOptions options_;
  const bool replay_;
  control::LocalSettings local_;
  control::EffectiveSettings initial_;
  std::mutex mu_;
  control::EffectiveSettings current_;                                    // guarded by mu_
  run::AgentRunner* runner_ = nullptr;                                    // guarded by mu_
  std::function<std::string(const control::EffectiveSettings&)> replan_;  // guarded by mu_
  bool capture_ended_ = false;                                            // guarded by mu_
};

}  // namespace airfleet::cli
