#include "collector/ingest/commit_queue.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace airfleet::collector {

CommitQueue::CommitQueue(Store* store, CommitQueueOptions options)
    : store_(store), options_(options), thread_([this] { Run(); }) {}

CommitQueue::~CommitQueue() { Stop(); }

void CommitQueue::Submit(std::string agent_id, const v1::Batch* batch, Done done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      queue_.push_back(Item{std::move(agent_id), batch, std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  done(absl::UnavailableError("collector is shutting down"));
}

void CommitQueue::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

CommitQueueStats CommitQueue::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void CommitQueue::Run() {
  std::vector<Item> group;
  std::vector<BatchToCommit> batches;
  for (;;) {
    group.clear();
    batches.clear();
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      // No waiting for a group to fill: whatever queued while the last fsync ran is the group,
      // so a lone agent gets latency of one fsync and a busy fleet gets large groups.
      size_t summaries = 0;
      while (!queue_.empty() && group.size() < options_.max_group_batches &&
             (group.empty() || summaries < options_.max_group_summaries)) {
        summaries += queue_.front().batch->windows_size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      stats_.groups += 1;
      stats_.batches += group.size();
      stats_.largest_group = std::max<uint64_t>(stats_.largest_group, group.size());
    }
    // Backpressure from the sinks' outbox. At shutdown the held group is committed anyway (a
    // little over quota) so that nothing already received is refused for that reason alone.
    while (options_.hold && options_.hold()) {
      std::unique_lock<std::mutex> lock(mu_);
      if (stopping_) break;
      stats_.held_polls += 1;
      cv_.wait_for(lock, options_.hold_poll, [this] { return stopping_; });
    }
    for (const Item& item : group) batches.push_back({item.agent_id, item.batch});
    absl::StatusOr<std::vector<CommitResult>> results = store_->CommitBatches(batches);
    for (size_t i = 0; i < group.size(); ++i) {
      if (results.ok()) {
        group[i].done((*results)[i]);
      } else {
        group[i].done(results.status());
      }
    }
  }
}

}  // namespace airfleet::collector
