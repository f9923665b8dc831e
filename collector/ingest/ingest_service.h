#pragma once

// The Ingest gRPC service (callback API): one bidi stream per agent, batches up, acks down.
//
// Per stream: the peer must hold an `agent` certificate; its CN is the agent id, and a Hello or
// Batch claiming another id ends the stream with PERMISSION_DENIED. A batch is handed to the
// CommitQueue and the next message is not read until it is durable; then Ack{stream, mark} is
// sent (duplicates are acked again with the current mark). After a Hello, the stream's current
// mark is acked at once so an agent reconnecting after a collector crash can drop what is stored.
//
// Threading: gRPC runs reactions on its own threads; the commit callback arrives on the
// CommitQueue's thread. Each stream's state is guarded by its own mutex.

#include <atomic>
#include <cstdint>
#include <functional>

#include "airfleet/v1/ingest.grpc.pb.h"
#include "collector/control/control_hub.h"
#include "collector/ingest/agent_registry.h"
#include "collector/ingest/commit_queue.h"
#include "collector/store/store.h"

namespace airfleet::collector {

struct IngestCounters {
  std::atomic<uint64_t> streams_started{0};
  std::atomic<uint64_t> streams_active{0};
  std::atomic<uint64_t> batches_committed{0};
  std::atomic<uint64_t> summaries_committed{0};
  std::atomic<uint64_t> duplicates{0};
  std::atomic<uint64_t> skipped_sequences{0};
  std::atomic<uint64_t> identity_mismatches{0};
  std::atomic<uint64_t> role_denied{0};
  std::atomic<uint64_t> commit_errors{0};
};

class IngestService final : public v1::Ingest::CallbackService {
 public:
  // All pointers must outlive the service (and the server it is registered with).
  IngestService(Store* store, CommitQueue* queue, AgentRegistry* registry);

  grpc::ServerBidiReactor<v1::AgentMessage, v1::CollectorMessage>* Stream(
      grpc::CallbackServerContext* context) override;

  const IngestCounters& counters() const { return counters_; }

  // Called with Batch.privacy of every pseudonymised batch before it is committed, so the
  // known-device registry can match its pseudonyms (collector/enrich/known_devices.h) by the
  // time the batch is queryable. Set before serving.
  void SetPrivacyListener(std::function<void(const v1::PrivacyInfo&)> listener) {
    on_privacy_ = std::move(listener);
  }
  // Remote control (collector/control/control_hub.h): streams attach after their Hello, config
  // results and command replies go to the hub. Optional; set before serving.
  void SetControlHub(ControlHub* hub) { control_ = hub; }

 private:
  friend class IngestStreamReactor;
  Store* store_;
  CommitQueue* queue_;
  AgentRegistry* registry_;
  IngestCounters counters_;
  std::function<void(const v1::PrivacyInfo&)> on_privacy_;
  ControlHub* control_ = nullptr;
};

}  // namespace airfleet::collector
