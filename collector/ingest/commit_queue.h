#pragma once

// Group commit across streams: batches from many agent streams queue here and one thread commits
// them to the Store in groups (one synced WriteBatch per group), then calls each batch's `done`.
// A synced write costs about the same for 1 batch as for 100, so under load the fsync cost is
// shared and throughput scales with the number of streams instead of fsyncs per second.
//
// Backpressure: each ingest stream submits at most one batch and reads nothing more until its
// `done` ran, so the queue holds at most one batch per connected stream; the server's
// ResourceQuota bounds the streams' memory as a whole.
//
// Threading: Submit() from any thread. `done` runs on the commit thread and must not block
// (start a write, start a read). The Batch must stay alive until `done` ran.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "collector/store/store.h"

namespace airfleet::collector {

struct CommitQueueOptions {
  // A group closes at whichever limit comes first.
  size_t max_group_batches = 1024;
  size_t max_group_summaries = 200'000;
  // When set and true, the queue holds its next group instead of committing it: the external
  // sinks' outbox is over its quota (docs/sinks.md). Nothing is acknowledged meanwhile, so agents
  // keep their batches in their spools, and nothing is dropped. Polled every `hold_poll`.
  std::function<bool()> hold;
  std::chrono::milliseconds hold_poll{50};
};

struct CommitQueueStats {
  uint64_t held_polls = 0;  // times a group waited because `hold` said so
  uint64_t groups = 0;
  uint64_t batches = 0;
  uint64_t largest_group = 0;
};

class CommitQueue {
 public:
  using Done = std::function<void(absl::StatusOr<CommitResult>)>;

  // `store` must outlive the queue.
  CommitQueue(Store* store, CommitQueueOptions options = {});
  // Commits what is queued, then stops the thread.
  ~CommitQueue();

  // After Stop(), `done` is called at once with UNAVAILABLE.
  void Submit(std::string agent_id, const v1::Batch* batch, Done done);
  // Commits what is queued and joins the thread. Idempotent.
  void Stop();

  CommitQueueStats stats() const;

 private:
  struct Item {
    std::string agent_id;
    const v1::Batch* batch;
    Done done;
  };
  void Run();

  Store* store_;
  const CommitQueueOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;  // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  CommitQueueStats stats_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace airfleet::collector
