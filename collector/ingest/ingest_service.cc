#include "collector/ingest/ingest_service.h"

#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "collector/auth/peer_identity.h"

namespace airfleet::collector {

// One agent stream. Deletes itself in OnDone. Reactions never call into gRPC while holding mu_:
// Pump() decides under the lock and acts after releasing it.
//
// OnCommitted runs on the commit thread, outside gRPC's reactions, so nothing guarantees the
// reactor is alive there except that Pump never finishes the call while a commit is pending.
// The commit therefore stays pending until OnCommitted has made its last use of the reactor
// (its StartRead), and the count drops inside Pump's locked section (Pump(true)): dropping it
// earlier let a concurrent cancel finish the call and delete the reactor under OnCommitted.
class IngestStreamReactor : public grpc::ServerBidiReactor<v1::AgentMessage, v1::CollectorMessage> {
 public:
  IngestStreamReactor(IngestService* service, grpc::CallbackServerContext* context)
      : service_(service), peer_(context->peer()) {
    service_->counters_.streams_started++;
    PeerIdentity identity;
    grpc::Status status = RequireRole(context->auth_context().get(), kRoleAgent, &identity);
    if (!status.ok()) {
      service_->counters_.role_denied++;
      finished_ = true;
      Finish(status);
      return;
    }
    agent_id_ = identity.common_name;
    registered_ = true;
    service_->counters_.streams_active++;
    service_->registry_->OnConnect(agent_id_, peer_);
    StartRead(&in_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the agent closed its side, or the call died
      RequestFinish(grpc::Status::OK);
      return;
    }
    switch (in_.kind_case()) {
      case v1::AgentMessage::kHello:
        HandleHello();
        return;
      case v1::AgentMessage::kBatch:
        HandleBatch();
        return;
      case v1::AgentMessage::kHeartbeat:
        service_->registry_->OnHealth(agent_id_, in_.heartbeat());
        StartRead(&in_);
        return;
      case v1::AgentMessage::kConfigResult:
        if (service_->control_) service_->control_->OnConfigResult(agent_id_, in_.config_result());
        StartRead(&in_);
        return;
      case v1::AgentMessage::kControlReply:
        if (service_->control_) service_->control_->OnControlReply(agent_id_, in_.control_reply());
        StartRead(&in_);
        return;
      default:  // a newer agent's message kind: ignore, keep reading
        StartRead(&in_);
        return;
    }
  }

  void OnWriteDone(bool ok) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      writing_ = false;
      if (!ok) {
        outbox_.clear();
        if (!finish_status_)
          finish_status_ = grpc::Status(grpc::StatusCode::CANCELLED, "write failed");
      }
    }
    Pump();
  }

  void OnCancel() override {
    RequestFinish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
  }

  void OnDone() override {
    // Before the reactor goes: the hub must not queue on it any more.
    if (control_token_ != 0) service_->control_->Detach(agent_id_, control_token_);
    if (registered_) {
      service_->counters_.streams_active--;
      service_->registry_->OnDisconnect(agent_id_);
    }
    delete this;
  }

 private:
  bool ClaimMatches(const std::string& claimed, const char* what) {
    if (claimed.empty() || claimed == agent_id_) return true;
    service_->counters_.identity_mismatches++;
    RequestFinish(grpc::Status(
        grpc::StatusCode::PERMISSION_DENIED,
        absl::StrCat(what, " claims agent id ", claimed, " but the certificate says ", agent_id_)));
    return false;
  }

  void HandleHello() {
    const v1::Hello& hello = in_.hello();
    if (!ClaimMatches(hello.agent_id(), "hello")) return;
    service_->registry_->OnHello(agent_id_, hello);
    if (service_->control_) {
      // Attached here rather than in the constructor: by the first read the call is bound, so
      // an operator's push from another thread may start a write at once.
      if (control_token_ == 0) {
        control_token_ = service_->control_->Attach(
            agent_id_, [this](v1::CollectorMessage message) { Enqueue(std::move(message)); });
      }
      service_->control_->OnHello(agent_id_, hello.applied_config_version());
    }
    service_->store_->RecordAgentSession(agent_id_, peer_, hello.version()).IgnoreError();
    absl::StatusOr<StreamState> state = service_->store_->GetStream(agent_id_, hello.stream_id());
    if (state.ok() && state->batches > 0) {
      EnqueueAck(hello.stream_id(), state->committed_sequence);
    }
    StartRead(&in_);
  }

  void HandleBatch() {
    const v1::Batch& batch = in_.batch();
    if (!ClaimMatches(batch.agent_id(), "batch")) return;
    if (batch.has_privacy() && service_->on_privacy_) service_->on_privacy_(batch.privacy());
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++commits_pending_;
    }
    service_->queue_->Submit(agent_id_, &batch,
                             [this](absl::StatusOr<CommitResult> result) { OnCommitted(result); });
  }

  // On the commit thread.
  void OnCommitted(const absl::StatusOr<CommitResult>& result) {
    const v1::Batch& batch = in_.batch();
    bool read_next = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!result.ok()) {
        service_->counters_.commit_errors++;
        // UNAVAILABLE: the agent keeps the batch in its spool and retries later.
        if (!finish_status_) {
          finish_status_ =
              grpc::Status(grpc::StatusCode::UNAVAILABLE,
                           absl::StrCat("store commit failed: ", result.status().message()));
        }
      } else {
        if (result->duplicate) {
          service_->counters_.duplicates++;
        } else {
          service_->counters_.batches_committed++;
          service_->counters_.summaries_committed += batch.windows_size();
          service_->counters_.skipped_sequences += result->skipped;
        }
        v1::CollectorMessage ack;
        ack.mutable_ack()->set_stream_id(batch.stream_id());
        ack.mutable_ack()->set_committed_sequence(result->committed_sequence);
        outbox_.push_back(std::move(ack));
        read_next = !finish_status_.has_value();
      }
    }
    if (result.ok()) service_->registry_->OnBatch(agent_id_, batch, result->committed_sequence);
    // Read before pumping so in_ is not reused by a read while we still look at it above.
    if (read_next) StartRead(&in_);
    Pump(/*commit_done=*/true);
  }

  void EnqueueAck(uint64_t stream_id, uint64_t sequence) {
    v1::CollectorMessage ack;
    ack.mutable_ack()->set_stream_id(stream_id);
    ack.mutable_ack()->set_committed_sequence(sequence);
    Enqueue(std::move(ack));
  }

  void Enqueue(v1::CollectorMessage message) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finished_) return;
      outbox_.push_back(std::move(message));
    }
    Pump();
  }

  void RequestFinish(grpc::Status status) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!finish_status_) finish_status_ = std::move(status);
    }
    Pump();
  }

  // Starts the next write, or finishes once nothing is in flight.
  // commit_done: the caller is OnCommitted, whose commit stops being pending here.
  void Pump(bool commit_done = false) {
    bool write = false;
    std::optional<grpc::Status> finish;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (commit_done) --commits_pending_;
      if (finished_ || writing_) return;
      if (!outbox_.empty()) {
        out_ = std::move(outbox_.front());
        outbox_.pop_front();
        writing_ = true;
        write = true;
      } else if (finish_status_ && commits_pending_ == 0) {
        finished_ = true;
        finish = *finish_status_;
      }
    }
    if (write) StartWrite(&out_);
    if (finish) Finish(*finish);
  }

  IngestService* service_;
  const std::string peer_;
  std::string agent_id_;
  bool registered_ = false;
  uint64_t control_token_ = 0;  // the ControlHub attachment (0: none)
  v1::AgentMessage in_;         // reused per read; stable while its batch is being committed

  std::mutex mu_;
  v1::CollectorMessage out_;                   // the message being written
  std::deque<v1::CollectorMessage> outbox_;    // guarded by mu_
  bool writing_ = false;                       // guarded by mu_
  int commits_pending_ = 0;                    // guarded by mu_
  bool finished_ = false;                      // guarded by mu_
  std::optional<grpc::Status> finish_status_;  // guarded by mu_
};

IngestService::IngestService(Store* store, CommitQueue* queue, AgentRegistry* registry)
    : store_(store), queue_(queue), registry_(registry) {}

grpc::ServerBidiReactor<v1::AgentMessage, v1::CollectorMessage>* IngestService::Stream(
    grpc::CallbackServerContext* context) {
  return new IngestStreamReactor(this, context);
}

}  // namespace airfleet::collector
