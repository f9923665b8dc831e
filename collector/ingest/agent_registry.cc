#include "collector/ingest/agent_registry.h"

#include <algorithm>

namespace airfleet::collector {

AgentRegistry::Live& AgentRegistry::Touch(const std::string& agent_id) {
  Live& live = agents_[agent_id];
  live.info.set_agent_id(agent_id);
  const int64_t now = now_ns_();
  if (live.info.first_seen_ns() == 0) live.info.set_first_seen_ns(now);
  live.info.set_last_seen_ns(now);
  return live;
}

void AgentRegistry::OnConnect(const std::string& agent_id, const std::string& peer) {
  std::lock_guard<std::mutex> lock(mu_);
  Live& live = Touch(agent_id);
  live.streams += 1;
  live.info.set_peer_address(peer);
}

void AgentRegistry::OnDisconnect(const std::string& agent_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Live& live = Touch(agent_id);
  live.streams = std::max(0, live.streams - 1);
}

void AgentRegistry::OnHello(const std::string& agent_id, const v1::Hello& hello) {
  std::lock_guard<std::mutex> lock(mu_);
  Live& live = Touch(agent_id);
  if (!hello.version().empty()) live.info.set_version(hello.version());
  live.info.set_stream_id(hello.stream_id());
}

namespace {

// Health arrives in heartbeats (spool and loss ledger only) and in batches (also capture
// counters), and re-sent batches carry old health: keep the newest report, and keep the capture
// counters of an earlier one when the newer report has none.
void MergeHealth(const v1::AgentHealth& incoming, v1::AgentInfo* info) {
  if (info->has_last_health() && incoming.time_ns() < info->last_health().time_ns()) return;
  v1::CaptureStats capture;
  const bool keep_capture = !incoming.has_capture() && info->last_health().has_capture();
  if (keep_capture) capture = info->last_health().capture();
  *info->mutable_last_health() = incoming;
  if (keep_capture) *info->mutable_last_health()->mutable_capture() = std::move(capture);
}

}  // namespace

void AgentRegistry::OnHealth(const std::string& agent_id, const v1::AgentHealth& health) {
  std::lock_guard<std::mutex> lock(mu_);
  Live& live = Touch(agent_id);
  MergeHealth(health, &live.info);
  if (!health.version().empty()) live.info.set_version(health.version());
  // Measured on periodic heartbeats only: they are sent the moment they are made, where a batch's
  // health may have waited in the spool for hours.
  if (health.periodic() && health.time_ns() > 0) {
    live.info.set_clock_offset_ms((health.time_ns() - now_ns_()) / 1'000'000);
    live.info.set_has_clock_offset(true);
  }
}

void AgentRegistry::OnBatch(const std::string& agent_id, const v1::Batch& batch,
                            uint64_t committed_sequence) {
  std::lock_guard<std::mutex> lock(mu_);
  Live& live = Touch(agent_id);
  live.info.set_stream_id(batch.stream_id());
  live.info.set_committed_sequence(committed_sequence);
  if (batch.has_health()) MergeHealth(batch.health(), &live.info);
}

bool AgentRegistry::IsConnected(const std::string& agent_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = agents_.find(agent_id);
  return it != agents_.end() && it->second.streams > 0;
}

size_t AgentRegistry::ConnectedCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t connected = 0;
  for (const auto& [id, live] : agents_) connected += live.streams > 0 ? 1 : 0;
  return connected;
}

std::vector<v1::AgentInfo> AgentRegistry::Overlay(std::vector<v1::AgentInfo> persisted) const {
  std::lock_guard<std::mutex> lock(mu_);
  absl::flat_hash_map<std::string, size_t> index;
  for (size_t i = 0; i < persisted.size(); ++i) index[persisted[i].agent_id()] = i;
  for (const auto& [id, live] : agents_) {
    auto it = index.find(id);
    if (it == index.end()) {
      persisted.push_back(live.info);
      persisted.back().set_connected(live.streams > 0);
      continue;
    }
    v1::AgentInfo& info = persisted[it->second];
    info.set_connected(live.streams > 0);
    if (live.info.has_clock_offset()) {
      info.set_clock_offset_ms(live.info.clock_offset_ms());
      info.set_has_clock_offset(true);
    }
    if (!live.info.peer_address().empty()) info.set_peer_address(live.info.peer_address());
    if (!live.info.version().empty()) info.set_version(live.info.version());
    info.set_last_seen_ns(std::max(info.last_seen_ns(), live.info.last_seen_ns()));
    if (live.info.has_last_health() &&
        live.info.last_health().time_ns() >= info.last_health().time_ns()) {
      *info.mutable_last_health() = live.info.last_health();
    }
  }
  const int64_t now = now_ns_();
  for (v1::AgentInfo& info : persisted) {
    AgentStatusVerdict verdict = ClassifyAgent(info, info.connected(), now, status_policy_);
    info.set_status(verdict.status);
    info.set_status_reason(std::move(verdict.reason));
  }
  std::sort(persisted.begin(), persisted.end(), [](const v1::AgentInfo& a, const v1::AgentInfo& b) {
    return a.agent_id() < b.agent_id();
  });
  return persisted;
}

}  // namespace airfleet::collector
