#include "collector/server/collector_metrics.h"

#include <atomic>
#include <string>
#include <vector>

namespace airfleet::collector {
namespace {

using metrics::MetricType;
using metrics::Sample;

// One sample per sink, labelled sink="<name>", from a field of its SinkStatus.
void AddSinkFamily(metrics::Registry* registry, sinks::SinkHub* hub, std::string name,
                   std::string help, MetricType type,
                   std::function<double(const sinks::SinkStatus&)> field) {
  registry->AddFamily(std::move(name), std::move(help), type, [hub, field = std::move(field)] {
    std::vector<Sample> samples;
    if (hub == nullptr) return samples;
    for (const sinks::SinkStatus& s : hub->Status()) {
      samples.push_back({{{"sink", s.name}}, field(s)});
    }
    return samples;
  });
}

}  // namespace

void RegisterCollectorMetrics(const CollectorMetricSources& src, metrics::Registry* r) {
  const IngestCounters* in = src.ingest;
  auto counter = [r](std::string name, std::string help, const std::atomic<uint64_t>* value) {
    r->AddCounter(std::move(name), std::move(help),
                  [value] { return static_cast<double>(value->load(std::memory_order_relaxed)); });
  };
  r->AddGauge("airfleet_collector_agents_connected", "Agents with an open Ingest stream now.",
              [agents = src.agents] { return static_cast<double>(agents->ConnectedCount()); });
  r->AddGauge("airfleet_ingest_streams_active", "Ingest streams open now.", [in] {
    return static_cast<double>(in->streams_active.load(std::memory_order_relaxed));
  });
  counter("airfleet_ingest_streams_started_total", "Ingest streams opened since start.",
          &in->streams_started);
  counter("airfleet_ingest_batches_committed_total",
          "Batches committed to the store (synced) and acknowledged, duplicates excluded.",
          &in->batches_committed);
  counter("airfleet_ingest_summaries_committed_total",
          "Device-window summaries in the committed batches.", &in->summaries_committed);
  counter("airfleet_ingest_duplicate_batches_total",
          "Batches at or below their stream's committed sequence: acknowledged again, not stored.",
          &in->duplicates);
  counter("airfleet_ingest_skipped_sequences_total",
          "Sequence numbers skipped by gaps (batches the agent dropped and reports in its loss "
          "ledger).",
          &in->skipped_sequences);
  counter("airfleet_ingest_identity_mismatches_total",
          "Batches rejected because their agent id differs from the client certificate's.",
          &in->identity_mismatches);
  counter("airfleet_ingest_role_denied_total",
          "Ingest streams refused because the client certificate is not an agent's.",
          &in->role_denied);
  counter("airfleet_ingest_commit_errors_total",
          "Store commits that failed (the batches were not acknowledged).", &in->commit_errors);

  const CommitQueue* queue = src.queue;
  r->AddCounter("airfleet_commit_groups_total", "Group commits (one synced write each).",
                [queue] { return static_cast<double>(queue->stats().groups); });
  r->AddCounter("airfleet_commit_held_polls_total",
                "Times a commit group waited because the outbox was over its quota "
                "(backpressure from slow sinks).",
                [queue] { return static_cast<double>(queue->stats().held_polls); });

  if (src.outbox) {
    Store* store = src.store;
    r->AddGauge("airfleet_outbox_entries", "Committed batches waiting in the sinks' outbox.",
                [store] { return static_cast<double>(store->GetOutboxStats().entries); });
    r->AddGauge("airfleet_outbox_bytes", "Bytes (keys and values as written) in the outbox.",
                [store] { return static_cast<double>(store->GetOutboxStats().bytes); });
  }
  if (sinks::SinkHub* hub = src.sink_hub) {
    r->AddGauge("airfleet_outbox_quota_bytes",
                "Outbox size above which the collector stops acknowledging.",
                [hub] { return static_cast<double>(hub->quota_bytes()); });
    r->AddGauge("airfleet_outbox_over_quota",
                "1 while the outbox is over its quota and ingest is held.",
                [hub] { return hub->OverQuota() ? 1.0 : 0.0; });
  }
  sinks::SinkHub* hub = src.sink_hub;
  if (hub == nullptr) return;  // no sinks configured: no sink families
  AddSinkFamily(r, hub, "airfleet_sink_open", "1 when the sink opened (its engine answered).",
                MetricType::kGauge, [](const sinks::SinkStatus& s) { return s.open ? 1.0 : 0.0; });
  AddSinkFamily(r, hub, "airfleet_sink_written_total", "Records the sink accepted since start.",
                MetricType::kCounter,
                [](const sinks::SinkStatus& s) { return static_cast<double>(s.written); });
  AddSinkFamily(r, hub, "airfleet_sink_retried_total",
                "Record writes the sink answered with RETRY since start (each attempt counts).",
                MetricType::kCounter,
                [](const sinks::SinkStatus& s) { return static_cast<double>(s.retried); });
  AddSinkFamily(r, hub, "airfleet_sink_dead_letters",
                "Records the sink refused (DROP), held in the dead-letter store.",
                MetricType::kGauge,
                [](const sinks::SinkStatus& s) { return static_cast<double>(s.dead_lettered); });
  AddSinkFamily(r, hub, "airfleet_sink_pending_entries",
                "Outbox entries after the sink's cursor (not yet delivered).", MetricType::kGauge,
                [](const sinks::SinkStatus& s) { return static_cast<double>(s.pending_entries); });
  AddSinkFamily(r, hub, "airfleet_sink_lag_seconds",
                "Age of the oldest entry the sink has not delivered (0 when caught up).",
                MetricType::kGauge,
                [](const sinks::SinkStatus& s) { return static_cast<double>(s.lag_ms) / 1000.0; });
}

}  // namespace airfleet::collector
