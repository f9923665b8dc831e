#pragma once

// Pure rules for the configuration an operator pushes to agents (proto/airfleet/v1/control.proto):
// merging a change into the previous push, the stagger offsets of a fleet-wide channel plan, and
// the checks the collector can make before anything is sent (the agent checks the rest: channel
// names against its radio, the BPF filter against libpcap, the privacy key it holds).

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "airfleet/v1/control.pb.h"

namespace airfleet::collector {

// `update`'s set fields over `previous` (or `update` alone when `replace`). The version and
// set_ns are the caller's to assign.
v1::AgentConfig MergeAgentConfig(const v1::AgentConfig& previous, const v1::AgentConfig& update,
                                 bool replace);

// InvalidArgument for a window outside 1 s .. 1 h or not a whole number of seconds' divisor of a
// day, a dwell under 50 ms with more than one channel, an unknown privacy mode.
absl::Status CheckAgentConfig(const v1::AgentConfig& config);

// True if the config sets nothing (a push that would change nothing is refused).
bool IsEmptyAgentConfig(const v1::AgentConfig& config);

// Stagger offsets for a fleet-wide plan: agents sorted by id get 0, 1, 2, ... (mod the number of
// channels is the agent's to take), so that agents next to each other in the operator's naming
// (site-a-01, site-a-02, ...) are on different channels at the same moment.
std::vector<std::pair<std::string, uint32_t>> StaggerOffsets(std::vector<std::string> agent_ids);

}  // namespace airfleet::collector
