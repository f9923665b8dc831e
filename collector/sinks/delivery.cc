#include "collector/sinks/delivery.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "collector/store/keys.h"
#include "common/status_macros.h"

namespace airfleet::collector::sinks {

std::string CursorKey(std::string_view sink) {
  return absl::StrCat("sink/", std::string(sink), "/cursor");
}
std::string DeadLetterPrefix(std::string_view sink) {
  return absl::StrCat("sink/", std::string(sink), "/dead/");
}

absl::StatusOr<std::unique_ptr<SinkDelivery>> SinkDelivery::Create(Store* store,
                                                                   std::unique_ptr<Sink> sink,
                                                                   MaterialiseContext context,
                                                                   DeliveryOptions options) {
  if (!options.now_ns) return absl::InvalidArgumentError("DeliveryOptions.now_ns is required");
  const std::string key = CursorKey(sink->name());
  AF_ASSIGN_OR_RETURN(auto found, store->ScanMeta(key));
  uint64_t cursor = store->GetOutboxStats().first_sequence - 1;
  for (const auto& [k, v] : found) {
    if (k != key) continue;
    if (v.size() != 8) return absl::DataLossError(absl::StrCat("corrupt cursor ", key));
    cursor = keys::ReadU64(v.data());
  }
  AF_ASSIGN_OR_RETURN(auto letters, store->ScanMeta(DeadLetterPrefix(sink->name())));
  auto delivery = std::unique_ptr<SinkDelivery>(
      new SinkDelivery(store, std::move(sink), std::move(context), std::move(options), cursor));
  delivery->dead_lettered_.store(letters.size());
  return delivery;
}

SinkDelivery::SinkDelivery(Store* store, std::unique_ptr<Sink> sink, MaterialiseContext context,
                           DeliveryOptions options, uint64_t cursor)
    : store_(store),
      sink_(std::move(sink)),
      name_(sink_->name()),
      context_(std::move(context)),
      options_(std::move(options)),
      cursor_(cursor) {}

SinkDelivery::~SinkDelivery() { Stop(); }

void SinkDelivery::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void SinkDelivery::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SinkDelivery::Loop() {
  int failures = 0;
  for (;;) {
    absl::StatusOr<bool> moved = RunOnce();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    if (!moved.ok()) {
      SetError(std::string(moved.status().message()));
      if (!Backoff(failures++)) return;
      continue;
    }
    failures = 0;
    if (*moved) continue;  // more may be waiting: no pause while catching up
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, options_.idle_poll, [this] { return stopping_; });
    if (stopping_) return;
  }
}

bool SinkDelivery::Backoff(int attempt) {
  const int64_t cap = std::min<int64_t>(options_.backoff_max.count(),
                                        options_.backoff_initial.count() << std::min(attempt, 20));
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const int64_t wait_ms = std::uniform_int_distribution<int64_t>(cap / 2, cap)(rng);
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [this] { return stopping_; });
  return !stopping_;
}

void SinkDelivery::SetError(std::string error) {
  std::lock_guard<std::mutex> lock(mu_);
  last_error_ = std::move(error);
}

absl::StatusOr<bool> SinkDelivery::RunOnce() {
  if (!open_.load()) {
    absl::Status opened = sink_->Open();
    if (!opened.ok()) {
      return absl::Status(opened.code(), absl::StrCat(name_, ": ", opened.message()));
    }
    open_.store(true);
  }
  const uint64_t cursor = cursor_.load();
  AF_ASSIGN_OR_RETURN(std::vector<OutboxItem> items,
                      store_->ReadOutbox(cursor, options_.max_entries));
  if (items.empty()) return false;
  AF_ASSIGN_OR_RETURN(std::vector<Record> records, Materialise(*store_, items, context_));

  // Which outbox entry a dead letter came from is informational; the round's last is close
  // enough and keeps records free of bookkeeping.
  const uint64_t last = items.back().sequence;
  std::vector<size_t> pending(records.size());
  for (size_t i = 0; i < pending.size(); ++i) pending[i] = i;
  for (int attempt = 0; !pending.empty(); ++attempt) {
    std::vector<Record> batch;
    batch.reserve(pending.size());
    for (size_t i : pending) batch.push_back(records[i]);
    std::vector<ItemResult> results = sink_->Write(batch);
    if (results.size() != batch.size()) {
      return absl::InternalError(absl::StrFormat("%s answered %d results for %d records", name_,
                                                 results.size(), batch.size()));
    }
    std::vector<size_t> again;
    for (size_t j = 0; j < results.size(); ++j) {
      switch (results[j].verdict) {
        case Verdict::kOk:
          written_.fetch_add(1);
          break;
        case Verdict::kDrop:
          AF_RETURN_IF_ERROR(DeadLetter(last, records[pending[j]], results[j].reason));
          dead_lettered_.fetch_add(1);
          break;
        case Verdict::kRetry:
          retried_.fetch_add(1);
          SetError(results[j].reason);
          again.push_back(pending[j]);
          break;
      }
    }
    pending = std::move(again);
    if (!pending.empty() && !Backoff(attempt)) return false;
  }
  AF_RETURN_IF_ERROR(SaveCursor(last));
  cursor_.store(last);
  return true;
}

absl::Status SinkDelivery::DeadLetter(uint64_t sequence, const Record& record,
                                      const std::string& reason) {
  v1::DeadLetter letter;
  letter.set_sink(name_);
  letter.set_record_id(RecordId(record));
  letter.set_kind(std::string(RecordKind(record)));
  letter.set_reason(reason);
  letter.set_dropped_ns(options_.now_ns());
  letter.set_outbox_sequence(sequence);
  std::string key = DeadLetterPrefix(name_);
  keys::AppendU64(&key, sequence);
  absl::StrAppend(&key, "/", letter.record_id());
  return store_->WriteMeta({{key, letter.SerializeAsString()}});
}

absl::Status SinkDelivery::SaveCursor(uint64_t cursor) {
  std::string value;
  keys::AppendU64(&value, cursor);
  return store_->WriteMeta({{CursorKey(name_), value}});
}

void SinkDelivery::ForgetDeadLetters(uint64_t n) {
  uint64_t held = dead_lettered_.load();
  while (!dead_lettered_.compare_exchange_weak(held, held - std::min(held, n))) {
  }
}

SinkStatus SinkDelivery::status() {
  SinkStatus s;
  s.name = name_;
  s.open = open_.load();
  s.cursor = cursor_.load();
  s.written = written_.load();
  s.retried = retried_.load();
  s.dead_lettered = dead_lettered_.load();
  OutboxStats outbox = store_->GetOutboxStats();
  s.pending_entries = outbox.next_sequence - 1 > s.cursor ? outbox.next_sequence - 1 - s.cursor : 0;
  if (s.pending_entries > 0) {
    auto next = store_->ReadOutbox(s.cursor, 1);
    if (next.ok() && !next->empty()) {
      s.lag_ms = std::max<int64_t>(
          0, (options_.now_ns() - next->front().entry.committed_ns()) / 1'000'000);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  s.last_error = last_error_;
  return s;
}

}  // namespace airfleet::collector::sinks
