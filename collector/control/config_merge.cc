#include "collector/control/config_merge.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace airfleet::collector {

v1::AgentConfig MergeAgentConfig(const v1::AgentConfig& previous, const v1::AgentConfig& update,
                                 bool replace) {
  v1::AgentConfig merged = replace ? v1::AgentConfig() : previous;
  if (update.has_window_ms()) merged.set_window_ms(update.window_ms());
  if (update.has_channel_plan() && update.channel_plan().channels_size() > 0) {
    *merged.mutable_channel_plan() = update.channel_plan();
  }
  if (update.has_privacy_mode()) merged.set_privacy_mode(update.privacy_mode());
  if (update.has_bpf_filter()) merged.set_bpf_filter(update.bpf_filter());
  return merged;
}

absl::Status CheckAgentConfig(const v1::AgentConfig& config) {
  if (config.has_window_ms()) {
    const uint32_t ms = config.window_ms();
    // Windows are aligned to the epoch; a length that divides a day keeps them aligned to days,
    // which the stores' day partitions (Cassandra device_windows) rely on.
    if (ms < 1'000 || ms > 3'600'000 || 86'400'000 % ms != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("window ", ms,
                       " ms: a window must be 1 s to 1 h and divide a day evenly (10 s, 60 s, "
                       "5 min, ...)"));
    }
  }
  if (config.has_channel_plan()) {
    const v1::ChannelPlan& plan = config.channel_plan();
    if (plan.channels_size() > 1 && plan.dwell_ms() < 50) {
      return absl::InvalidArgumentError(
          absl::StrCat("dwell ", plan.dwell_ms(),
                       " ms: hopping needs at least 50 ms per channel (a retune takes ~10 ms)"));
    }
    for (const std::string& c : plan.channels()) {
      if (c.empty() || c.size() > 16) {
        return absl::InvalidArgumentError(absl::StrCat("channel '", c, "' is not a channel"));
      }
    }
  }
  if (config.has_privacy_mode() && config.privacy_mode() != "off" &&
      config.privacy_mode() != "pseudonymise") {
    return absl::InvalidArgumentError(
        absl::StrCat("privacy mode '", config.privacy_mode(), "': expected off or pseudonymise"));
  }
  if (config.has_bpf_filter() && config.bpf_filter().size() > 4096) {
    return absl::InvalidArgumentError("BPF filter longer than 4096 characters");
  }
  return absl::OkStatus();
}

bool IsEmptyAgentConfig(const v1::AgentConfig& config) {
  return !config.has_window_ms() && config.channel_plan().channels_size() == 0 &&
         !config.has_privacy_mode() && !config.has_bpf_filter();
}

std::vector<std::pair<std::string, uint32_t>> StaggerOffsets(std::vector<std::string> agent_ids) {
  std::sort(agent_ids.begin(), agent_ids.end());
  agent_ids.erase(std::unique(agent_ids.begin(), agent_ids.end()), agent_ids.end());
  std::vector<std::pair<std::string, uint32_t>> out;
  out.reserve(agent_ids.size());
  for (size_t i = 0; i < agent_ids.size(); ++i) {
    out.emplace_back(std::move(agent_ids[i]), static_cast<uint32_t>(i));
  }
  return out;
}

}  // namespace airfleet::collector
