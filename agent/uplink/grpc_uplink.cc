#include "agent/uplink/grpc_uplink.h"

#include <fstream>
#include <random>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/health/host_readings.h"
#include "agent/uplink/cert_identity.h"
#include "agent/uplink/error_text.h"
#include "airfleet/v1/ingest.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace airfleet::uplink {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", what, " ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

// One Ingest.Stream call. Callbacks run on gRPC threads and only touch shared fields under the
// uplink's mutex; the supervisor thread issues every Start* call except the read re-arm.
//
// The supervisor starts writes from outside the reactions, so the call carries a hold: without
// it gRPC may finish the call and free it (it does so before OnDone runs) between the
// supervisor's last look at the state and its StartWrite, which is a use after free (seen under
// UBSan as "invalid vptr" in StartWrite when a collector restarted mid-stream). The supervisor
// releases the hold once it will start nothing more (ReleaseHold) and only then waits for OnDone.
class GrpcUplink::Session final
    : public grpc::ClientBidiReactor<v1::AgentMessage, v1::CollectorMessage> {
 public:
  Session(std::mutex* mu, std::condition_variable* cv, uint64_t stream_id)
      : mu_(mu), cv_(cv), stream_id_(stream_id) {}

  grpc::ClientContext* context() { return &context_; }
  v1::AgentMessage* outgoing() { return &outgoing_; }

  void Begin() {
    StartWrite(&outgoing_);
    StartRead(&incoming_);
    AddHold();
    StartCall();
  }

  // After this the supervisor must not call Start* again; OnDone can now follow.
  void ReleaseHold() {
    if (!held_) return;
    held_ = false;
    RemoveHold();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(*mu_);
    write_pending = false;
    if (ok) {
      hello_written = true;
      if (writing_heartbeat) heartbeat_delivered = true;
      writing_heartbeat = false;
    } else {
      broken = true;
    }
    cv_->notify_all();
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // The stream is ending; OnDone follows with the status once the hold is released.
      std::lock_guard<std::mutex> lock(*mu_);
      read_ended = true;
      cv_->notify_all();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(*mu_);
      if (incoming_.has_ack()) {
        const v1::Ack& ack = incoming_.ack();
        if (ack.stream_id() == stream_id_) {
          if (ack.committed_sequence() > ack_received) ack_received = ack.committed_sequence();
        } else {
          foreign_acks++;
        }
      } else if (incoming_.has_config() || incoming_.has_control()) {
        inbox.push_back(incoming_);
      }
      cv_->notify_all();
    }
    StartRead(&incoming_);
  }

  void OnDone(const grpc::Status& status) override {
    std::lock_guard<std::mutex> lock(*mu_);
    final_status = status;
    done = true;
    cv_->notify_all();
  }

  // Guarded by the uplink's mutex.
  bool write_pending = true;  // the Hello
  bool hello_written = false;
  bool writing_heartbeat = false;    // the pending write carries the loss ledger
  bool heartbeat_delivered = false;  // ...and it went out; the supervisor records which mark
  bool broken = false;
  bool read_ended = false;
  bool done = false;
  uint64_t ack_received = 0;
  uint64_t foreign_acks = 0;
  // Configs and control requests read and not yet handled by the supervisor.
  std::deque<v1::CollectorMessage> inbox;
  grpc::Status final_status;

 private:
  std::mutex* const mu_;
  std::condition_variable* const cv_;
  const uint64_t stream_id_;
  bool held_ = true;  // supervisor thread only
  grpc::ClientContext context_;
  v1::AgentMessage outgoing_;
  v1::CollectorMessage incoming_;
};

GrpcUplink::GrpcUplink(GrpcUplinkOptions options, spool::Spool* spool)
    : options_(std::move(options)),
      spool_(spool),
      backoff_(
          options_.backoff, options_.random64 ? options_.random64 : [] {
            std::random_device rd;
            return (static_cast<uint64_t>(rd()) << 32) ^ rd();
          }) {
  spool_->SetAppendListener([this] {
    std::lock_guard<std::mutex> lock(mu_);
    ++append_generation_;
    cv_.notify_all();
  });
}

GrpcUplink::~GrpcUplink() {
  Stop();
  spool_->SetAppendListener(nullptr);
}

absl::Status GrpcUplink::Start() {
  if (options_.window == 0) return absl::InvalidArgumentError("uplink window must be >= 1");
  agent_id_ = options_.agent_id;
  if (agent_id_.empty()) {
    auto cn = CommonNameFromCertificateFile(options_.cert_file);
    if (!cn.ok()) return cn.status();
    agent_id_ = *cn;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) return absl::FailedPreconditionError("uplink already started");
  started_ = true;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void GrpcUplink::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

bool GrpcUplink::Drained() {
  // Caller holds mu_. Spool locks nest inside ours (the spool calls its listener unlocked).
  return state_.in_flight == 0 && spool_->Stats().batches == 0 && LedgerDeliveredLocked();
}

bool GrpcUplink::LedgerDeliveredLocked() const {
  return !(CurrentLedgerMark() != delivered_ledger_mark_);
}

bool GrpcUplink::LedgerDelivered() const {
  std::lock_guard<std::mutex> lock(mu_);
  return LedgerDeliveredLocked();
}

absl::Status GrpcUplink::DrainAndStop(absl::Time deadline) {
  bool drained = false;
  {
    std::unique_lock<std::mutex> lock(mu_);
    const auto until = absl::ToChronoTime(deadline);
    drained = cv_.wait_until(lock, until, [&] { return Drained(); });
  }
  const UplinkState state = State();
  Stop();
  if (drained) return absl::OkStatus();
  const spool::SpoolStats stats = spool_->Stats();
  return absl::DeadlineExceededError(absl::StrCat(
      "spool not drained before the deadline: ", stats.batches, " batches (", stats.summaries,
      " summaries) still waiting",
      state.last_error.empty() ? "" : absl::StrCat("; last error: ", state.last_error)));
}

UplinkState GrpcUplink::State() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

bool GrpcUplink::WaitForState(const std::function<bool(const UplinkState&)>& pred,
                              absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [&] { return pred(state_); });
}

GrpcUplink::LedgerMark GrpcUplink::CurrentLedgerMark() const {
  LedgerMark mark;
  mark.known = true;
  for (const v1::LossRecord& loss : spool_->Losses()) {
    ++mark.records;
    mark.batches += loss.batches();
    mark.summaries += loss.summaries();
  }
  // An empty ledger needs no heartbeat: treat it like "already sent".
  if (mark.records == 0) return LedgerMark{};
  return mark;
}

void GrpcUplink::FillHeartbeat(bool periodic, std::chrono::steady_clock::time_point due,
                               v1::AgentHealth* health) {
  health->Clear();
  const int64_t now_ns = absl::ToUnixNanos(absl::Now());
  health->set_time_ns(now_ns);
  health->set_version(options_.version);
  if (periodic) {
    health->set_periodic(true);
    if (options_.fill_health) options_.fill_health(health);
    const uint64_t received = health->capture().received();
    if (last_heartbeat_due_ && due > *last_heartbeat_due_ && received >= last_heartbeat_received_) {
      const std::chrono::duration<double> interval = due - *last_heartbeat_due_;
      health->set_frames_per_second(static_cast<double>(received - last_heartbeat_received_) /
                                    interval.count());
    }
    last_heartbeat_received_ = received;
    last_heartbeat_due_ = due;
    const auto rss =
        options_.read_rss_bytes ? options_.read_rss_bytes() : health::ReadResidentBytes();
    if (rss) health->set_rss_bytes(*rss);
    const auto temperature = options_.read_temperature_mc ? options_.read_temperature_mc()
                                                          : health::ReadTemperatureMilliCelsius();
    if (temperature) health->set_temperature_millicelsius(*temperature);
  }
  for (const v1::LossRecord& loss : spool_->Losses()) *health->add_losses() = loss;
  const spool::SpoolStats stats = spool_->Stats();
  health->set_spool_batches(stats.batches);
  health->set_spool_bytes(stats.bytes);
  if (stats.oldest_created_ns > 0) {
    health->set_oldest_unsent_age_ms((now_ns - stats.oldest_created_ns) / 1'000'000);
  }
}

v1::AgentMessage GrpcUplink::HandleControl(const v1::CollectorMessage& request) {
  if (options_.on_control) return options_.on_control(request);
  v1::AgentMessage reply;
  if (request.has_config()) {
    reply.mutable_config_result()->set_version(request.config().version());
    reply.mutable_config_result()->set_message("this agent does not take remote configuration");
  } else {
    reply.mutable_control_reply()->set_request_id(request.control().request_id());
    reply.mutable_control_reply()->set_code(static_cast<int>(absl::StatusCode::kUnimplemented));
    reply.mutable_control_reply()->set_message("this agent does not take remote commands");
  }
  return reply;
}

void GrpcUplink::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    const bool healthy = RunSession(lock);
    if (stop_) break;
    if (healthy) backoff_.Reset();
    const int64_t delay_ns = backoff_.NextDelayNs();
    state_.next_retry_delay_ns = delay_ns;
    cv_.wait_for(lock, std::chrono::nanoseconds(delay_ns), [&] { return stop_; });
  }
  state_.connected = false;
}

bool GrpcUplink::RunSession(std::unique_lock<std::mutex>& lock) {
  ErrorContext error_context{options_.collector, options_.ca_file, options_.cert_file};
  lock.unlock();
  // Read credentials afresh so renewed certificates are used on the next attempt.
  std::string failure;
  grpc::SslCredentialsOptions ssl;
  for (auto [path, what, out] :
       {std::tuple{&options_.ca_file, "fleet CA certificate", &ssl.pem_root_certs},
        std::tuple{&options_.cert_file, "agent certificate", &ssl.pem_cert_chain},
        std::tuple{&options_.key_file, "agent key", &ssl.pem_private_key}}) {
    auto contents = ReadFile(*path, what);
    if (!contents.ok()) {
      failure = std::string(contents.status().message());
      break;
    }
    *out = std::move(*contents);
  }
  const uint64_t stream_id = spool_->stream_id();
  const uint64_t first_unacked = spool_->Stats().first_sequence;
  lock.lock();
  if (!failure.empty()) {
    state_.last_error = failure;
    return false;
  }

  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, options_.keepalive_time_ms);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, options_.keepalive_timeout_ms);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // Our own backoff decides when to retry (each session has a fresh channel, and a failed
  // connect fails the call), so the channel's reconnect backoff never stacks on top of it.
  // GRPC_ARG_MIN_RECONNECT_BACKOFF_MS must NOT be lowered for that: gRPC also uses it as the
  // minimum time allowed for TCP connect + TLS handshake. At 100 ms (as it once was here) any
  // link with a round trip above ~50 ms (a Pi on a WAN or cellular uplink) could never finish a
  // handshake, and the agent retried forever (tests/e2e/test_latency.py found it).
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, options_.connect_timeout_ms);
  auto channel = grpc::CreateCustomChannel(options_.collector, grpc::SslCredentials(ssl), args);
  auto stub = v1::Ingest::NewStub(channel);

  auto session = std::make_unique<Session>(&mu_, &cv_, stream_id);
  if (options_.gzip) session->context()->set_compression_algorithm(GRPC_COMPRESS_GZIP);
  v1::Hello* hello = session->outgoing()->mutable_hello();
  hello->set_agent_id(agent_id_);
  hello->set_stream_id(stream_id);
  hello->set_version(options_.version);
  hello->set_first_unacked_sequence(first_unacked);
  if (options_.applied_config_version) {
    lock.unlock();
    const uint64_t applied = options_.applied_config_version();
    lock.lock();
    hello->set_applied_config_version(applied);
  }
  stub->async()->Stream(session->context(), session.get());
  session->Begin();
  ++state_.streams_started;

  // Sequences written on this stream and not yet acknowledged, oldest first.
  std::deque<uint64_t> in_flight;
  std::deque<spool::SpooledBatch> ready;
  uint64_t next_to_read = first_unacked;
  uint64_t applied_ack = 0;
  uint64_t generation_at_empty_read = append_generation_ - 1;  // read at least once
  bool cancelled = false;
  bool acked_any = false;
  LedgerMark sent_ledger_mark;  // nothing sent on this stream yet
  // Answers to configs and control requests, written before anything else.
  std::deque<v1::AgentMessage> replies;
  std::string cancel_reason;
  // The first periodic heartbeat follows the Hello at once: the collector learns this agent's
  // health and clock without waiting a whole interval.
  const bool heartbeats = options_.heartbeat_interval_ms > 0;
  const auto heartbeat_interval = std::chrono::milliseconds(options_.heartbeat_interval_ms);
  auto next_heartbeat = std::chrono::steady_clock::now();

  auto cancel = [&](std::string why) {
    if (!why.empty() && cancel_reason.empty()) cancel_reason = std::move(why);
    if (!cancelled) session->context()->TryCancel();
    cancelled = true;
  };

  while (true) {
    bool counted_window_wait = false;
    const auto wake = [&] {
      const bool more = !ready.empty() || generation_at_empty_read != append_generation_;
      const bool writable =
          !session->write_pending && session->hello_written && !session->broken && !cancelled;
      if (writable && more && in_flight.size() >= options_.window && !counted_window_wait) {
        // Parked by our own window (not by gRPC flow control): count it once per wait.
        counted_window_wait = true;
        ++state_.window_full_waits;
        cv_.notify_all();
      }
      const bool ending = session->done || session->read_ended || session->broken || cancelled;
      const bool heartbeat_due =
          heartbeats && writable && std::chrono::steady_clock::now() >= next_heartbeat;
      return stop_ || ending || session->ack_received > applied_ack ||
             session->heartbeat_delivered || heartbeat_due || !session->inbox.empty() ||
             (writable && !replies.empty()) ||
             (writable && in_flight.size() < options_.window && more);
    };
    // Sleep until something happens or the next heartbeat is due. A heartbeat that is due while
    // a write is in flight waits for OnWriteDone's wake-up (no deadline, so no spinning).
    if (heartbeats && std::chrono::steady_clock::now() < next_heartbeat) {
      cv_.wait_until(lock, next_heartbeat, wake);
    } else {
      cv_.wait(lock, wake);
    }
    const bool connected = session->hello_written && !session->done && !session->broken;
    if (connected != state_.connected) {
      state_.connected = connected;
      if (connected) state_.next_retry_delay_ns = 0;
      cv_.notify_all();
    }

    if (session->heartbeat_delivered) {
      session->heartbeat_delivered = false;
      delivered_ledger_mark_ = sent_ledger_mark;
      cv_.notify_all();  // DrainAndStop may be waiting for the ledger
    }
    if (stop_) {
      // End gracefully when nothing is being written: a half-close makes the collector read
      // everything already written (the loss-ledger heartbeat of a drained replay in
      // particular) before the stream ends, where a cancel could discard it in transit.
      // Cancel only if the collector does not finish promptly.
      if (!session->write_pending && session->hello_written) session->StartWritesDone();
      session->ReleaseHold();
      cv_.wait_for(lock, std::chrono::seconds(2), [&] { return session->done; });
      if (!session->done) cancel("");
      cv_.wait(lock, [&] { return session->done; });
      break;
    }

    if (session->ack_received > applied_ack) {
      const uint64_t ack = session->ack_received;
      lock.unlock();
      absl::Status acked = spool_->Acknowledge(ack);
      lock.lock();
      if (!acked.ok()) {
        cancel(absl::StrCat("collector ", options_.collector, " acknowledged sequence ", ack,
                            " which this agent never sent (", acked.message(), ")"));
        continue;
      }
      applied_ack = ack;
      acked_any = true;
      state_.last_error.clear();
      if (ack > state_.acked_sequence) state_.acked_sequence = ack;
      while (!in_flight.empty() && in_flight.front() <= ack) in_flight.pop_front();
      state_.in_flight = in_flight.size();
      cv_.notify_all();  // DrainAndStop may be waiting
      continue;
    }

    if (session->done || session->read_ended || session->broken || cancelled) {
      // The stream is over (or we gave up on it): start nothing more, let gRPC finish it.
      // A failed write means the transport is gone; the collector ending the stream (read_ended)
      // is left to finish on its own so its status, not ours, is what gets reported.
      if (session->broken && !session->done) cancel("");
      session->ReleaseHold();
      cv_.wait(lock, [&] { return session->done; });
      break;
    }
    if (!session->inbox.empty()) {
      v1::CollectorMessage request = std::move(session->inbox.front());
      session->inbox.pop_front();
      lock.unlock();
      v1::AgentMessage reply = HandleControl(request);
      lock.lock();
      replies.push_back(std::move(reply));
      continue;
    }
    if (session->write_pending || !session->hello_written) continue;
    if (!replies.empty()) {
      *session->outgoing() = std::move(replies.front());
      replies.pop_front();
      session->write_pending = true;
      session->StartWrite(session->outgoing());
      continue;
    }
    // The loss ledger travels with batches, but the drops made by the last append (and any loss
    // recorded outside an append) would otherwise reach the collector only with a later batch,
    // or never at the end of a replay: send it as a heartbeat whenever it changed. Heartbeats
    // are not batches: a full window does not hold them back.
    const auto now = std::chrono::steady_clock::now();
    const bool heartbeat_due = heartbeats && now >= next_heartbeat;
    if (const LedgerMark mark = CurrentLedgerMark(); mark != sent_ledger_mark || heartbeat_due) {
      if (heartbeat_due) next_heartbeat = now + heartbeat_interval;
      lock.unlock();
      FillHeartbeat(heartbeat_due, now, session->outgoing()->mutable_heartbeat());
      lock.lock();
      sent_ledger_mark = mark;
      session->write_pending = true;
      session->writing_heartbeat = true;
      session->StartWrite(session->outgoing());
      continue;
    }
    if (in_flight.size() >= options_.window) continue;
    if (ready.empty()) {
      const uint64_t generation = append_generation_;
      const size_t want = std::min(options_.read_ahead, options_.window - in_flight.size());
      lock.unlock();
      auto peeked = spool_->Peek(next_to_read, want);
      lock.lock();
      if (!peeked.ok()) {
        cancel(absl::StrCat("cannot read the spool: ", peeked.status().message()));
        continue;
      }
      if (peeked->empty()) {
        generation_at_empty_read = generation;
        continue;
      }
      next_to_read = peeked->back().sequence + 1;
      for (auto& b : *peeked) ready.push_back(std::move(b));
    }
    spool::SpooledBatch next = std::move(ready.front());
    ready.pop_front();
    lock.unlock();
    v1::Batch* batch = session->outgoing()->mutable_batch();
    const bool parsed = batch->ParseFromString(next.data);
    if (parsed && batch->agent_id().empty()) batch->set_agent_id(agent_id_);
    lock.lock();
    if (!parsed) {
      cancel(absl::StrCat("spool batch ", next.sequence, " is unreadable"));
      continue;
    }
    in_flight.push_back(next.sequence);
    state_.in_flight = in_flight.size();
    ++state_.batches_sent;
    cv_.notify_all();
    session->write_pending = true;
    session->StartWrite(session->outgoing());
  }

  state_.connected = false;
  state_.in_flight = 0;
  if (!cancel_reason.empty()) {
    state_.last_error = cancel_reason;
  } else if (!session->final_status.ok() && !stop_) {
    state_.last_error = DescribeStreamFailure(session->final_status, error_context);
  } else if (session->final_status.ok() && !stop_) {
    state_.last_error = absl::StrCat("collector ", options_.collector, " closed the stream");
  }
  cv_.notify_all();
  return acked_any;
}

}  // namespace airfleet::uplink
