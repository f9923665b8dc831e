#pragma once

// The collector's Prometheus metrics (README "Monitoring"): every family reads counters the
// collector keeps anyway (IngestCounters, CommitQueueStats, OutboxStats, SinkStatus, the agent
// registry) when /metrics is scraped, so ingest pays nothing for them.

#include <functional>

#include "collector/ingest/agent_registry.h"
#include "collector/ingest/commit_queue.h"
#include "collector/ingest/ingest_service.h"
#include "collector/sinks/sink_hub.h"
#include "collector/store/store.h"
#include "common/metrics/registry.h"

namespace airfleet::collector {

struct CollectorMetricSources {
  const IngestCounters* ingest = nullptr;
  const CommitQueue* queue = nullptr;
  const AgentRegistry* agents = nullptr;
  Store* store = nullptr;
  sinks::SinkHub* sink_hub = nullptr;  // null: no sinks, no sink families
  bool outbox = false;                 // the store keeps an outbox (sinks configured)
};

// Registers the collector's families. Every pointer must outlive scraping (stop the HTTP server
// before the collector's parts go away).
void RegisterCollectorMetrics(const CollectorMetricSources& sources, metrics::Registry* registry);

}  // namespace airfleet::collector
