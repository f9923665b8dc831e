#pragma once

// Uplink over one long-lived bidirectional gRPC stream (Ingest.Stream) with mutual TLS.
//
// Protocol (proto/airfleet/v1/ingest.proto): Hello{agent_id, stream_id, first_unacked_sequence},
// then Batch messages in sequence order; the collector answers Ack{stream_id, committed_sequence}
// and the uplink deletes every batch <= committed_sequence from the spool. After any failure the
// stream is reopened after an exponential, fully jittered backoff and every unacknowledged batch
// is sent again (the collector re-acks duplicates without storing them twice).
//
// Flow control: at most `window` batches are unacknowledged at a time, and one write is
// outstanding at a time (the next write starts when the previous one is done — gRPC's own flow
// control then paces us to the link).
//
// Threading: a supervisor thread owns the spool reads/acks and decides every write; the gRPC
// reactor callbacks only record events and wake it. The spool's append listener wakes it when new
// batches arrive (no polling). Credentials are re-read from disk at every connection attempt, so
// renewed certificates are picked up without a restart.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "agent/spool/spool.h"
#include "agent/uplink/backoff.h"
#include "agent/uplink/uplink.h"
#include "airfleet/v1/batch.pb.h"
#include "airfleet/v1/ingest.pb.h"

namespace airfleet::uplink {

struct GrpcUplinkOptions {
  // HOST:PORT of the collector.
  std::string collector;
  // PEM files: the fleet CA, this agent's certificate and key.
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  // Agent id for Hello (and for batches sealed without one). Empty: the CN of cert_file.
  std::string agent_id;
  std::string version = "airfleet-agent/0.1";
  // Most unacknowledged batches at once.
  size_t window = 64;
  // Batches read from the spool per read (bounded by the free window).
  size_t read_ahead = 16;
  BackoffPolicy backoff;
  // Default: std::random_device.
  std::function<uint64_t()> random64;
  // Keepalive pings detect a dead collector behind a NAT/firewall that drops silently. The
  // collector must allow pings this often (GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS
  // <= keepalive_time_ms) or it answers with GOAWAY "too_many_pings".
  int keepalive_time_ms = 60'000;
  int keepalive_timeout_ms = 20'000;
  bool gzip = true;
  // Time allowed for TCP connect + TLS handshake of one attempt (gRPC's minimum connect timeout).
  int connect_timeout_ms = 20'000;
  // A heartbeat (AgentHealth with periodic = true) goes out right after each connect and then
  // this often, outside the batch window; the collector marks an agent offline when it hears
  // nothing for its offline threshold (default 60 s), so keep this well below that. 0: only the
  // loss-ledger heartbeats.
  int heartbeat_interval_ms = 10'000;
  // Optional: adds what only the caller knows (capture counters) to a periodic heartbeat.
  std::function<void(v1::AgentHealth*)> fill_health;
  // Host readings for periodic heartbeats; defaults read /proc and /sys (agent/health).
  std::function<std::optional<uint64_t>()> read_rss_bytes;
  std::function<std::optional<int32_t>()> read_temperature_mc;
  // Remote control (proto/airfleet/v1/control.proto). Called on the supervisor thread for every
  // CollectorMessage carrying a config or a control request; the answer (ConfigResult or
  // ControlReply) is written on the same stream ahead of batches. Must not block for long (a
  // fetch reads one chunk). Unset: configs and requests are refused ("not supported").
  std::function<v1::AgentMessage(const v1::CollectorMessage&)> on_control;
  // The AgentConfig version this agent applied (Hello.applied_config_version), read per connect.
  std::function<uint64_t()> applied_config_version;
};

class GrpcUplink final : public Uplink {
 public:
  // `spool` must outlive the uplink. Installs the spool's append listener.
  GrpcUplink(GrpcUplinkOptions options, spool::Spool* spool);
  ~GrpcUplink() override;

  absl::Status Start() override;
  absl::Status DrainAndStop(absl::Time deadline) override;
  void Stop() override;
  UplinkState State() const override;

  // Blocks until `pred(State())` holds (true) or `timeout` passes (false). For tests and health
  // endpoints that want to wait for a transition without polling.
  bool WaitForState(const std::function<bool(const UplinkState&)>& pred, absl::Duration timeout);

  // The loss ledger as it is now has been written to a collector stream (always true while the
  // ledger is empty). A replay that lost everything (full disk, quota) has no batch to be
  // acknowledged, so "drained" must also wait for this, or the loss would never be reported.
  bool LedgerDelivered() const;

 private:
  class Session;

  // Identifies a state of the spool's loss ledger; a change means the collector must hear of it.
  struct LedgerMark {
    uint64_t records = 0, batches = 0, summaries = 0;
    bool known = false;
    bool operator!=(const LedgerMark& o) const {
      return known != o.known || records != o.records || batches != o.batches ||
             summaries != o.summaries;
    }
  };
  LedgerMark CurrentLedgerMark() const;
  // Health for a heartbeat: the loss ledger and spool depth; a periodic one adds the capture
  // counters, their rate since the previous periodic heartbeat, and the host readings. `due` is
  // the steady-clock instant the heartbeat was scheduled from: the rate's interval is the
  // schedule's own (never shorter than heartbeat_interval_ms), immune to wall-clock steps (a Pi
  // has no RTC: NTP steps the clock after boot) and to delays before this call.
  void FillHeartbeat(bool periodic, std::chrono::steady_clock::time_point due,
                     v1::AgentHealth* health);

  // on_control, or a refusal when there is none.
  v1::AgentMessage HandleControl(const v1::CollectorMessage& request);
  void Run();
  // One stream from connect to failure/stop. Returns true if the collector acknowledged anything
  // (the connection was healthy, so the backoff restarts from its initial delay).
  bool RunSession(std::unique_lock<std::mutex>& lock);
  bool Drained();
  bool LedgerDeliveredLocked() const;

  GrpcUplinkOptions options_;
  spool::Spool* const spool_;
  std::string agent_id_;
  Backoff backoff_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;
  bool stop_ = false;
  // Bumped by the spool's append listener; compared with the value seen at the last empty read.
  uint64_t append_generation_ = 0;
  // The ledger state last written to a stream as a heartbeat.
  LedgerMark delivered_ledger_mark_;
  UplinkState state_;
  std::thread thread_;
  // Supervisor thread only: the previous periodic heartbeat's packet count and due instant.
  uint64_t last_heartbeat_received_ = 0;
  std::optional<std::chrono::steady_clock::time_point> last_heartbeat_due_;
};

}  // namespace airfleet::uplink
