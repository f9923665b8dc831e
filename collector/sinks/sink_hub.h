#pragma once

// All configured sinks of one collector: a SinkDelivery per sink, the outbox trimmed behind the
// slowest of them, and the quota that turns a slow or dead sink into backpressure on ingest
// (CommitQueueOptions::hold) instead of data loss (docs/sinks.md).

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "collector/sinks/delivery.h"

namespace airfleet::collector::sinks {

struct SinkHubOptions {
  // Above this many outbox bytes the collector stops acknowledging until sinks catch up.
  uint64_t outbox_quota_bytes = uint64_t{512} << 20;
  std::chrono::milliseconds trim_interval{1000};
  DeliveryOptions delivery;
};

class SinkHub {
 public:
  static absl::StatusOr<std::unique_ptr<SinkHub>> Create(Store* store,
                                                         std::vector<std::unique_ptr<Sink>> sinks,
                                                         MaterialiseContext context,
                                                         SinkHubOptions options);
  ~SinkHub();

  void Start();
  void Stop();  // idempotent

  // True while the outbox holds more than its quota (thread-safe, cheap).
  bool OverQuota();
  uint64_t quota_bytes() const { return options_.outbox_quota_bytes; }
  std::vector<SinkStatus> Status();
  // Deletes outbox entries every sink has delivered.
  absl::Status Trim();
  // Retention deleted dead letters (ExpireDeadLetters below, per sink name): keeps each sink's
  // dead_lettered count true.
  void ForgetDeadLetters(const std::map<std::string, uint64_t>& deleted);

 private:
  SinkHub(Store* store, SinkHubOptions options) : store_(store), options_(std::move(options)) {}
  void TrimLoop();

  Store* store_;
  SinkHubOptions options_;
  std::vector<std::unique_ptr<SinkDelivery>> deliveries_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread trimmer_;
};

// Deletes the dead letters of every sink (configured now or not) dropped before `cutoff_ns`, in
// one synced write. Returns how many were deleted, per sink name. Dead letters are reports of what
// a sink refused; the outbox entries they came from are not touched.
absl::StatusOr<std::map<std::string, uint64_t>> ExpireDeadLetters(Store& store, int64_t cutoff_ns);

// Dead letters of `sink` ("" = every sink), oldest first, at most `limit` (0 = all).
absl::StatusOr<std::vector<v1::DeadLetter>> ListDeadLetters(Store& store, std::string_view sink,
                                                            size_t limit);

}  // namespace airfleet::collector::sinks
