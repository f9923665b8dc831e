#include "agent/run/agent_metrics.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "agent/dissect/anomaly.h"

namespace airfleet::run {
namespace {

using metrics::MetricType;
using metrics::Sample;

double D(uint64_t v) { return static_cast<double>(v); }

// Losses summed per reason from the cumulative ledger.
std::vector<Sample> LossesByReason(const spool::Spool* spool, bool summaries) {
  std::map<std::string, uint64_t> totals;
  for (const v1::LossRecord& loss : spool->Losses()) {
    totals[loss.reason()] += summaries ? loss.summaries() : loss.batches();
  }
  std::vector<Sample> out;
  for (const auto& [reason, total] : totals) out.push_back({{{"reason", reason}}, D(total)});
  return out;
}

}  // namespace

void RegisterAgentMetrics(AgentMetricSources src, metrics::Registry* r) {
  auto runner = std::make_shared<std::function<RunnerSnapshot()>>(std::move(src.runner));
  auto read = [runner]() -> RunnerSnapshot { return *runner ? (*runner)() : RunnerSnapshot{}; };
  // A counter from the runner's snapshot.
  auto counter = [&](std::string name, std::string help,
                     std::function<uint64_t(const RunnerSnapshot&)> field) {
    r->AddCounter(std::move(name), std::move(help),
                  [read, field = std::move(field)] { return D(field(read())); });
  };
  counter("airfleet_agent_packets_total", "Packets read from the capture source.",
          [](const RunnerSnapshot& s) { return s.runner.packets; });
  counter("airfleet_agent_capture_dropped_kernel_total",
          "Live capture: packets the kernel/libpcap ring dropped for want of space (ps_drop).",
          [](const RunnerSnapshot& s) { return s.capture.dropped_kernel; });
  counter("airfleet_agent_capture_dropped_interface_total",
          "Live capture: packets the driver or interface dropped (ps_ifdrop).",
          [](const RunnerSnapshot& s) { return s.capture.dropped_interface; });
  counter("airfleet_agent_capture_truncated_records_total",
          "Packets captured shorter than they were on the air (snap length).",
          [](const RunnerSnapshot& s) { return s.capture.truncated_records; });
  counter("airfleet_agent_frames_dissected_total", "Frames the dissector parsed without anomaly.",
          [](const RunnerSnapshot& s) { return s.runner.frames_ok; });
  r->AddFamily(
      "airfleet_agent_frame_anomalies_total",
      "Frames the dissector could not parse fully, by anomaly (agent/dissect/anomaly.h).",
      MetricType::kCounter, [read] {
        const RunnerSnapshot s = read();
        std::vector<Sample> out;
        const auto& counts = s.runner.anomalies.counts;
        for (size_t i = 1; i < counts.size(); ++i) {
          if (counts[i] == 0) continue;
          out.push_back(
              {{{"anomaly", std::string(dissect::AnomalyName(static_cast<dissect::Anomaly>(i)))}},
               D(counts[i])});
        }
        return out;
      });
  counter("airfleet_agent_late_frames_total",
          "Frames whose window was already sealed (counted, not summarised).",
          [](const RunnerSnapshot& s) { return s.summariser.late_frames; });
  counter("airfleet_agent_devices_overflow_total",
          "Frames of devices beyond the per-window device limit.",
          [](const RunnerSnapshot& s) { return s.summariser.devices_overflow; });
  counter("airfleet_agent_windows_sealed_total", "Windows sealed by the summariser.",
          [](const RunnerSnapshot& s) { return s.summariser.windows_sealed; });
  counter("airfleet_agent_summaries_spooled_total",
          "Device-window summaries appended to the spool.",
          [](const RunnerSnapshot& s) { return s.runner.summaries_spooled; });
  counter("airfleet_agent_summaries_lost_disk_full_total",
          "Device-window summaries lost because the spool's disk was full (also in the ledger).",
          [](const RunnerSnapshot& s) { return s.runner.summaries_lost_disk_full; });

  const spool::Spool* spool = src.spool;
  r->AddGauge("airfleet_agent_spool_batches", "Batches in the spool waiting for acknowledgement.",
              [spool] { return D(spool->Stats().batches); });
  r->AddGauge("airfleet_agent_spool_bytes", "Serialized bytes of the batches in the spool.",
              [spool] { return D(spool->Stats().bytes); });
  r->AddGauge("airfleet_agent_spool_quota_bytes",
              "Spool size above which the oldest batches are dropped (and recorded).",
              [quota = src.spool_quota_bytes] { return D(quota); });
  r->AddGauge("airfleet_agent_spool_oldest_unsent_age_seconds",
              "Age of the oldest batch not yet acknowledged (0 when the spool is empty).",
              [spool, now = src.now_ns] {
                const int64_t oldest = spool->Stats().oldest_created_ns;
                return oldest > 0 ? static_cast<double>(now() - oldest) / 1e9 : 0.0;
              });
  r->AddGauge("airfleet_agent_spool_next_sequence", "Sequence the next batch will get.",
              [spool] { return D(spool->Stats().next_sequence); });
  r->AddFamily("airfleet_agent_lost_batches_total",
               "Batches in the loss ledger (dropped and reported to the collector), by reason.",
               MetricType::kCounter, [spool] { return LossesByReason(spool, false); });
  r->AddFamily("airfleet_agent_lost_summaries_total",
               "Device-window summaries in the loss ledger, by reason.", MetricType::kCounter,
               [spool] { return LossesByReason(spool, true); });

  const uplink::Uplink* up = src.uplink;
  r->AddGauge("airfleet_agent_uplink_connected", "1 while the stream to the collector is up.",
              [up] { return up->State().connected ? 1.0 : 0.0; });
  r->AddGauge("airfleet_agent_uplink_acked_sequence",
              "Highest sequence the collector acknowledged in this process (0 = none).",
              [up] { return D(up->State().acked_sequence); });
  r->AddGauge("airfleet_agent_uplink_in_flight",
              "Batches written on the current stream and not yet acknowledged.",
              [up] { return D(up->State().in_flight); });
  r->AddCounter("airfleet_agent_uplink_batches_sent_total",
                "Batch messages written since start (re-sends after a reconnect count again).",
                [up] { return D(up->State().batches_sent); });
  r->AddCounter("airfleet_agent_uplink_streams_started_total",
                "Streams opened to the collector since start (1 + reconnects).",
                [up] { return D(up->State().streams_started); });
}

}  // namespace airfleet::run
