#include "collector/sinks/materialise.h"

#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "common/status_macros.h"

namespace airfleet::collector::sinks {

absl::StatusOr<std::vector<Record>> Materialise(Store& store, const std::vector<OutboxItem>& items,
                                                const MaterialiseContext& context) {
  std::vector<WindowId> window_ids;
  std::vector<ProbeId> probe_ids;
  std::vector<uint64_t> macs;
  std::vector<std::string> agents;
  std::vector<AgentEventRecord> events;
  absl::flat_hash_set<std::tuple<std::string, uint64_t, int64_t>> seen_windows;
  absl::flat_hash_set<std::tuple<std::string, uint64_t, int64_t, std::string>> seen_probes;
  absl::flat_hash_set<uint64_t> seen_macs;
  absl::flat_hash_set<std::string> seen_agents;
  absl::flat_hash_set<std::string> seen_events;

  for (const OutboxItem& item : items) {
    const v1::OutboxEntry& e = item.entry;
    for (const v1::OutboxWindowRef& w : e.windows()) {
      if (seen_windows.emplace(e.agent_id(), w.mac(), w.window_start_ns()).second) {
        window_ids.push_back({e.agent_id(), w.mac(), w.window_start_ns()});
      }
      if (seen_macs.insert(w.mac()).second) macs.push_back(w.mac());
    }
    for (const v1::OutboxProbeRef& p : e.probes()) {
      if (seen_probes.emplace(e.agent_id(), p.mac(), p.window_start_ns(), p.ssid()).second) {
        probe_ids.push_back({e.agent_id(), p.mac(), p.window_start_ns(), p.ssid()});
      }
    }
    if (seen_agents.insert(e.agent_id()).second) agents.push_back(e.agent_id());
    for (const v1::LossRecord& loss : e.losses()) {
      AgentEventRecord event{e.agent_id(), loss.recorded_ns(), "loss", loss};
      if (seen_events.insert(RecordId(event)).second) events.push_back(std::move(event));
    }
  }

  auto location = [&](const std::string& agent) -> std::optional<GeoPoint> {
    return context.agent_location ? context.agent_location(agent) : std::nullopt;
  };
  std::vector<Record> out;
  AF_ASSIGN_OR_RETURN(auto windows, store.GetWindows(window_ids));
  for (size_t i = 0; i < windows.size(); ++i) {
    if (!windows[i]) continue;
    out.push_back(WindowRecord{window_ids[i].agent_id, std::move(*windows[i]),
                               location(window_ids[i].agent_id)});
  }
  AF_ASSIGN_OR_RETURN(auto probes, store.GetProbes(probe_ids));
  for (size_t i = 0; i < probes.size(); ++i) {
    if (!probes[i]) continue;
    out.push_back(
        ProbeRecord{probe_ids[i].agent_id, std::move(*probes[i]), location(probe_ids[i].agent_id)});
  }
  AF_ASSIGN_OR_RETURN(auto devices, store.GetDevices(macs));
  for (auto& device : devices) {
    if (!device) continue;
    if (context.enrich_device) context.enrich_device(&*device);
    out.push_back(DeviceRecord{std::move(*device)});
  }
  if (!agents.empty()) {
    AF_ASSIGN_OR_RETURN(std::vector<v1::AgentInfo> all, store.ListAgents());
    for (v1::AgentInfo& info : all) {
      if (seen_agents.contains(info.agent_id())) {
        std::optional<GeoPoint> where = location(info.agent_id());
        out.push_back(AgentRecord{std::move(info), where});
      }
    }
  }
  for (AgentEventRecord& event : events) out.push_back(std::move(event));
  return out;
}

}  // namespace airfleet::collector::sinks
