#pragma once

// The agent's Prometheus metrics (README "Monitoring"), read at scrape time from what the agent
// counts anyway: the runner's published snapshot (agent_runner.h RunnerSnapshot), the spool's
// stats and loss ledger, and the uplink's state. Nothing here runs per frame.

#include <cstdint>
#include <functional>

#include "agent/run/agent_runner.h"
#include "agent/spool/spool.h"
#include "agent/uplink/uplink.h"
#include "common/metrics/registry.h"

namespace airfleet::run {

struct AgentMetricSources {
  // The runner's counters; unset while there is no runner (a replay that was already complete).
  std::function<RunnerSnapshot()> runner;
  const spool::Spool* spool = nullptr;
  const uplink::Uplink* uplink = nullptr;
  uint64_t spool_quota_bytes = 0;
  std::function<int64_t()> now_ns;  // wall clock, unix ns (for the age of the oldest batch)
};

// Every pointer must outlive scraping: stop the HTTP server before they go away.
void RegisterAgentMetrics(AgentMetricSources sources, metrics::Registry* registry);

}  // namespace airfleet::run
