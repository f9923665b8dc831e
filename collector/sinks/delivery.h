#pragma once

// Feeds one Sink from the store's outbox (docs/sinks.md).
//
// Each round reads up to `max_entries` outbox entries after the sink's cursor, materialises their
// records, and writes them. Records answered kRetry are written again, alone, after a capped
// exponential backoff with full jitter, until each is kOk or kDrop; kDrop records go to the
// dead-letter store with the engine's reason. Only then does the cursor move past the round's
// entries (persisted, synced), so a crash or restart repeats at most one round, and idempotent
// writes make the repeat harmless. The cursor lives in the store's meta table under
// "sink/<name>/cursor"; dead letters under "sink/<name>/dead/<seq>/<record id>".
//
// Threading: Start() runs rounds on an own thread until Stop(). status() from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "collector/sinks/materialise.h"
#include "collector/sinks/sink.h"
#include "collector/store/store.h"

namespace airfleet::collector::sinks {

struct DeliveryOptions {
  size_t max_entries = 64;  // outbox entries per round
  std::chrono::milliseconds idle_poll{200};
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{30'000};
  NowNsFn now_ns;  // required
};

struct SinkStatus {
  std::string name;
  bool open = false;    // Open() succeeded
  uint64_t cursor = 0;  // last outbox sequence fully delivered
  // Since this process started:
  uint64_t written = 0;
  uint64_t retried = 0;  // record writes answered kRetry (each attempt counts)
  // Held in the dead-letter store (persistent):
  uint64_t dead_lettered = 0;
  uint64_t pending_entries = 0;  // outbox entries after the cursor
  int64_t lag_ms = 0;            // age of the oldest undelivered entry (0 when caught up)
  std::string last_error;
};

class SinkDelivery {
 public:
  // `store` must outlive this. Reads the persisted cursor; a sink never seen before starts at
  // the oldest entry still in the outbox.
  static absl::StatusOr<std::unique_ptr<SinkDelivery>> Create(Store* store,
                                                              std::unique_ptr<Sink> sink,
                                                              MaterialiseContext context,
                                                              DeliveryOptions options);
  ~SinkDelivery();

  void Start();
  // Interrupts backoff and returns after the current write. Idempotent.
  void Stop();

  // One round on the caller's thread (tests, and Start's loop): true if it moved the cursor.
  // Returns early (false) when stopped during backoff.
  absl::StatusOr<bool> RunOnce();

  const std::string& name() const { return name_; }
  uint64_t cursor() const { return cursor_.load(); }
  SinkStatus status();
  // Retention deleted `n` of this sink's dead letters: keeps the dead_lettered count true.
  void ForgetDeadLetters(uint64_t n);

 private:
  SinkDelivery(Store* store, std::unique_ptr<Sink> sink, MaterialiseContext context,
               DeliveryOptions options, uint64_t cursor);
  void Loop();
  // Sleeps for the backoff of `attempt` (full jitter); false if stopped meanwhile.
  bool Backoff(int attempt);
  absl::Status DeadLetter(uint64_t sequence, const Record& record, const std::string& reason);
  absl::Status SaveCursor(uint64_t cursor);
  void SetError(std::string error);

  Store* store_;
  std::unique_ptr<Sink> sink_;
  const std::string name_;
  MaterialiseContext context_;
  DeliveryOptions options_;

  std::atomic<uint64_t> cursor_;
  std::atomic<bool> open_{false};
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> retried_{0};
  std::atomic<uint64_t> dead_lettered_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;   // guarded by mu_
  std::string last_error_;  // guarded by mu_
  std::thread thread_;
};

// Meta-table keys, shared with the Admin API's listing.
std::string CursorKey(std::string_view sink);
std::string DeadLetterPrefix(std::string_view sink);

}  // namespace airfleet::collector::sinks
