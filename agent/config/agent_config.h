#pragma once

// The agent's YAML configuration file for `airfleet-agent run --config FILE`
// (deploy/agent/agent.yaml documents every key). Flags given on the command line override the
// file; main.cc applies them after LoadAgentConfig, so the precedence is flag > file > default.
//
// Errors name the file, the line and the key ("agent.yaml:12: capture.dwell: ...") and unknown
// keys are errors, not warnings: a misspelt key that silently does nothing is the worst kind of
// configuration bug. Same conventions as the collector's file (collector/config/).

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agent/cli/commands.h"

namespace airfleet::agent_config {

// What the file says beyond RunOptions: settings only provisioning uses (deploy/pi/provision.sh
// creates `capture.iface` as a monitor interface on this phy).
struct ProvisioningSettings {
  std::string phy;
};

// Reads `path` into `options` (fields the file does not mention keep their values).
absl::Status LoadAgentConfig(const std::string& path, cli::RunOptions* options,
                             ProvisioningSettings* provisioning = nullptr);
// The same from text; `name` is used in messages. Exposed for tests.
absl::Status ParseAgentConfig(const std::string& text, const std::string& name,
                              cli::RunOptions* options,
                              ProvisioningSettings* provisioning = nullptr);

// A one-line description of the settings, for `airfleet-agent config check`.
std::string DescribeRunOptions(const cli::RunOptions& options);

}  // namespace airfleet::agent_config
