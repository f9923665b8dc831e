#include "agent/uplink/testing/fake_collector.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "airfleet/v1/ingest.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace airfleet::uplink::testing {

class FakeCollector::Service final : public v1::Ingest::Service {
 public:
  explicit Service(FakeCollector* owner) : owner_(owner) {}

  grpc::Status Stream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::CollectorMessage, v1::AgentMessage>* stream) override {
    FakeCollector& c = *owner_;
    uint64_t received_max = 0;  // highest sequence seen on this stream
    uint64_t ack_written = 0;
    uint64_t unacked = 0;  // batches received since the last ack written
    bool reader_done = false;
    uint64_t stream_id = 0;  // from this stream's Hello
    std::thread writer([&] {
      std::unique_lock<std::mutex> lock(c.mu_);
      while (true) {
        c.cv_.wait(lock,
                   [&] { return reader_done || (!c.stalled_ && received_max > ack_written); });
        if (reader_done) return;
        const uint64_t ack = received_max;
        v1::CollectorMessage m;
        m.mutable_ack()->set_stream_id(stream_id);
        m.mutable_ack()->set_committed_sequence(ack);
        ack_written = ack;
        unacked = 0;
        lock.unlock();
        const bool ok = stream->Write(m);
        lock.lock();
        if (!ok) return;
      }
    });
    v1::AgentMessage msg;
    while (stream->Read(&msg)) {
      std::lock_guard<std::mutex> lock(c.mu_);
      if (msg.has_hello()) {
        ++c.hellos_;
        c.last_agent_id_ = msg.hello().agent_id();
        stream_id = msg.hello().stream_id();
      } else if (msg.has_batch()) {
        const v1::Batch& b = msg.batch();
        ++c.batch_messages_;
        if (c.received_[b.sequence()]++ == 0) c.summaries_ += b.windows_size() + b.probes_size();
        if (b.sequence() > received_max) received_max = b.sequence();
        ++unacked;
        if (unacked > c.max_unacked_) c.max_unacked_ = unacked;
      } else if (msg.has_heartbeat()) {
        uint64_t lost = 0;
        for (const auto& loss : msg.heartbeat().losses()) lost += loss.summaries();
        c.heartbeat_lost_summaries_ = lost;
        if (msg.heartbeat().periodic()) {
          ++c.periodic_heartbeats_;
          c.last_periodic_heartbeat_ = msg.heartbeat();
        }
      }
      c.cv_.notify_all();
    }
    {
      std::lock_guard<std::mutex> lock(c.mu_);
      reader_done = true;
      c.cv_.notify_all();
    }
    writer.join();
    return grpc::Status::OK;
  }

 private:
  FakeCollector* const owner_;
};

FakeCollector::FakeCollector(FakeCollectorOptions options) : options_(std::move(options)) {}

FakeCollector::~FakeCollector() {
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now());
    server_->Wait();
  }
}

absl::StatusOr<std::unique_ptr<FakeCollector>> FakeCollector::Start(FakeCollectorOptions options) {
  std::unique_ptr<FakeCollector> c(new FakeCollector(std::move(options)));
  c->port_ = c->options_.port;
  absl::Status s = c->Listen();
  if (!s.ok()) return s;
  return c;
}

absl::Status FakeCollector::Listen() {
  service_ = std::make_unique<Service>(this);
  grpc::SslServerCredentialsOptions ssl(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  ssl.pem_root_certs = options_.ca_pem;
  ssl.pem_key_cert_pairs.push_back({options_.key_pem, options_.cert_pem});
  grpc::ServerBuilder builder;
  int selected = 0;
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", port_), grpc::SslServerCredentials(ssl),
                           &selected);
  // Agents ping every keepalive_time_ms; allow it rather than answering "too_many_pings".
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  if (!server_ || selected == 0) {
    return absl::UnavailableError(absl::StrCat("fake collector cannot listen on port ", port_));
  }
  port_ = selected;
  return absl::OkStatus();
}

absl::Status FakeCollector::Restart() {
  server_->Shutdown(std::chrono::system_clock::now());
  server_->Wait();
  server_.reset();
  return Listen();
}

void FakeCollector::StallAcks(bool stalled) {
  std::lock_guard<std::mutex> lock(mu_);
  stalled_ = stalled;
  cv_.notify_all();
}

bool FakeCollector::WaitFor(const std::function<bool()>& pred, absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout), pred);
}

uint64_t FakeCollector::DistinctBatches() {
  std::lock_guard<std::mutex> lock(mu_);
  return received_.size();
}
uint64_t FakeCollector::BatchMessages() {
  std::lock_guard<std::mutex> lock(mu_);
  return batch_messages_;
}
uint64_t FakeCollector::Summaries() {
  std::lock_guard<std::mutex> lock(mu_);
  return summaries_;
}
uint64_t FakeCollector::HeartbeatLostSummaries() {
  std::lock_guard<std::mutex> lock(mu_);
  return heartbeat_lost_summaries_;
}
uint64_t FakeCollector::PeriodicHeartbeats() {
  std::lock_guard<std::mutex> lock(mu_);
  return periodic_heartbeats_;
}
v1::AgentHealth FakeCollector::LastPeriodicHeartbeat() {
  std::lock_guard<std::mutex> lock(mu_);
  return last_periodic_heartbeat_;
}
uint64_t FakeCollector::Hellos() {
  std::lock_guard<std::mutex> lock(mu_);
  return hellos_;
}
std::map<uint64_t, int> FakeCollector::ReceivedSequences() {
  std::lock_guard<std::mutex> lock(mu_);
  return received_;
}
uint64_t FakeCollector::MaxUnackedSeen() {
  std::lock_guard<std::mutex> lock(mu_);
  return max_unacked_;
}
std::string FakeCollector::LastAgentId() {
  std::lock_guard<std::mutex> lock(mu_);
  return last_agent_id_;
}

}  // namespace airfleet::uplink::testing
