#pragma once

// A minimal Ingest server for uplink tests and the drain benchmark: mTLS on 127.0.0.1, records
// every batch it receives (including duplicates), acknowledges the highest sequence received on
// a stream, and can be told to stall acknowledgements or restart. Not the real collector: it
// stores nothing durably and trusts the stream's order.
//
// Threading: all methods are thread-safe. Each stream is served by a gRPC thread (sync API) plus a
// small writer thread for acks, so acks can be released while the reader waits for data.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "airfleet/v1/batch.pb.h"

namespace grpc {
class Server;
}

namespace airfleet::uplink::testing {

struct FakeCollectorOptions {
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
  // 0: pick a free port.
  int port = 0;
};

class FakeCollector {
 public:
  static absl::StatusOr<std::unique_ptr<FakeCollector>> Start(FakeCollectorOptions options);
  ~FakeCollector();

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  // Stops the server, ending every stream, and starts a new one on the same port. What was
  // received so far is kept.
  absl::Status Restart();
  // While stalled, batches are recorded but not acknowledged; un-stalling acks what arrived.
  void StallAcks(bool stalled);

  // Waits (without polling) until `pred` holds or the deadline passes; `pred` runs under the
  // collector's lock and may call the *Locked accessors below.
  bool WaitFor(const std::function<bool()>& pred, absl::Duration timeout);

  uint64_t DistinctBatchesLocked() const { return received_.size(); }
  uint64_t DistinctBatches();
  uint64_t BatchMessages();
  uint64_t Summaries();  // over distinct batches
  uint64_t Hellos();
  // Summaries in the loss ledger of the last heartbeat received (0 before any).
  uint64_t HeartbeatLostSummaries();
  // Periodic heartbeats received so far, and the last one.
  uint64_t PeriodicHeartbeats();
  uint64_t PeriodicHeartbeatsLocked() const { return periodic_heartbeats_; }
  v1::AgentHealth LastPeriodicHeartbeat();
  // Received count per sequence (duplicates > 1).
  std::map<uint64_t, int> ReceivedSequences();
  // Largest number of batches seen on one stream beyond the last ack written on it: a lower
  // bound of the client's in-flight count, so it must never exceed the client's window.
  uint64_t MaxUnackedSeen();
  std::string LastAgentId();

 private:
  class Service;
  explicit FakeCollector(FakeCollectorOptions options);
  absl::Status Listen();

  FakeCollectorOptions options_;
  int port_ = 0;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stalled_ = false;
  std::map<uint64_t, int> received_;
  uint64_t batch_messages_ = 0;
  uint64_t summaries_ = 0;
  uint64_t hellos_ = 0;
  uint64_t heartbeat_lost_summaries_ = 0;
  uint64_t periodic_heartbeats_ = 0;
  v1::AgentHealth last_periodic_heartbeat_;
  uint64_t max_unacked_ = 0;
  std::string last_agent_id_;
};

}  // namespace airfleet::uplink::testing
