#pragma once

// Live state of agents (connected streams, peer address, version, latest health), kept in memory
// beside the store's persisted agent records. Admin's ListAgents overlays this on the store.
//
// Threading: all methods are thread-safe.

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "airfleet/v1/ingest.pb.h"
#include "collector/ingest/agent_status.h"
#include "collector/store/store.h"

namespace airfleet::collector {

class AgentRegistry {
 public:
  explicit AgentRegistry(NowNsFn now_ns, AgentStatusPolicy status_policy = {})
      : now_ns_(std::move(now_ns)), status_policy_(status_policy) {}

  void OnConnect(const std::string& agent_id, const std::string& peer);
  void OnDisconnect(const std::string& agent_id);
  void OnHello(const std::string& agent_id, const v1::Hello& hello);
  void OnHealth(const std::string& agent_id, const v1::AgentHealth& health);
  void OnBatch(const std::string& agent_id, const v1::Batch& batch, uint64_t committed_sequence);

  // `persisted` (from the store) with live fields applied; agents only known live are appended.
  // Every agent gets its status as of now (agent_status.h).
  std::vector<v1::AgentInfo> Overlay(std::vector<v1::AgentInfo> persisted) const;

  bool IsConnected(const std::string& agent_id) const;
  // Agents with at least one open stream now (for metrics).
  size_t ConnectedCount() const;

 private:
  struct Live {
    int streams = 0;
    v1::AgentInfo info;  // peer_address, version, last_seen_ns, last_health, stream fields
  };
  Live& Touch(const std::string& agent_id);  // requires mu_

  NowNsFn now_ns_;
  const AgentStatusPolicy status_policy_;
  mutable std::mutex mu_;
  absl::flat_hash_map<std::string, Live> agents_;  // guarded by mu_
};

}  // namespace airfleet::collector
