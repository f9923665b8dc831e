#pragma once

// The collector's side of remote control: which agent streams are live, the configuration each
// agent should run (persisted in the store's meta table under "agentcfg/"), and operator
// commands relayed down a stream with their replies matched by request id.
//
// Configuration is desired state: the collector keeps it and pushes it on every Hello whose
// applied version differs, and at once to a connected agent when the operator changes it. So an
// agent that is offline when the operator pushes gets it when it comes back, and one that loses
// its state directory gets it again.
//
// Commands (capture rings) are not kept: they need a connected agent (UNAVAILABLE otherwise), and
// a command whose agent disconnects or does not answer in time fails (UNAVAILABLE /
// DEADLINE_EXCEEDED). The agent makes ring commands safe to repeat (start of a running ring with
// the same spec, stop of a stopped ring), so an operator may simply retry.
//
// Threading: every method is thread-safe. Senders are called with the hub's lock held; they must
// only queue (IngestStreamReactor's outbox) and never call back into the hub.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "airfleet/v1/control.pb.h"
#include "airfleet/v1/ingest.pb.h"
#include "collector/store/store.h"

namespace airfleet::collector {

class ControlHub {
 public:
  using Sender = std::function<void(v1::CollectorMessage)>;
  using ReplyCallback = std::function<void(absl::StatusOr<v1::ControlReply>)>;

  // `store` must outlive the hub. Loads the persisted desired configurations.
  static absl::StatusOr<std::unique_ptr<ControlHub>> Create(Store* store, NowNsFn now_ns);
  ~ControlHub();  // fails pending commands (UNAVAILABLE) and stops the timeout thread

  // ---- the stream side (IngestStreamReactor) ----
  // A stream for `agent_id` is established; later streams replace earlier ones. Returns a token
  // for Detach.
  uint64_t Attach(const std::string& agent_id, Sender sender);
  // The stream ended: commands waiting for it fail with UNAVAILABLE.
  void Detach(const std::string& agent_id, uint64_t token);
  // The agent's Hello said it runs `applied_version`: records it and, if the collector wants
  // another version, sends it on the agent's stream.
  void OnHello(const std::string& agent_id, uint64_t applied_version);
  void OnConfigResult(const std::string& agent_id, const v1::ConfigResult& result);
  void OnControlReply(const std::string& agent_id, const v1::ControlReply& reply);

  // ---- the operator side (Admin) ----
  // `known_agents`: every agent id the collector knows (for all_agents). InvalidArgument for a
  // bad or empty change; NotFound for an agent the collector has never heard of.
  absl::StatusOr<std::vector<v1::AgentConfigState>> SetConfig(
      const v1::SetAgentConfigRequest& request, const std::vector<std::string>& known_agents);
  std::vector<v1::AgentConfigState> GetConfig(const std::string& agent_id) const;
  // Fills AgentInfo's config fields.
  void Annotate(v1::AgentInfo* info) const;
  // Relays `request` to the agent; `done` runs exactly once, on an unspecified thread (the
  // agent's stream, the timeout thread, or this call when the agent is not connected).
  void Call(const std::string& agent_id, v1::ControlRequest request, absl::Duration timeout,
            ReplyCallback done);

 private:
  ControlHub(Store* store, NowNsFn now_ns);
  struct Agent {
    v1::AgentConfig desired;  // version 0: nothing pushed
    uint64_t applied_version = 0;
    std::string last_result;
    uint64_t stream_token = 0;  // 0: not connected
    Sender sender;
  };
  struct Pending {
    std::string agent_id;
    absl::Time deadline;
    ReplyCallback done;
  };
  v1::AgentConfigState StateOf(const std::string& agent_id, const Agent& agent) const;
  void ExpireLoop();

  Store* const store_;
  const NowNsFn now_ns_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  absl::flat_hash_map<std::string, Agent> agents_;  // guarded by mu_
  std::map<uint64_t, Pending> pending_;             // guarded by mu_, by request id
  uint64_t next_token_ = 1;                         // guarded by mu_
  uint64_t next_request_id_ = 1;                    // guarded by mu_
  bool stopping_ = false;                           // guarded by mu_
  std::thread expire_thread_;
};

}  // namespace airfleet::collector
