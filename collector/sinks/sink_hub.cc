#include "collector/sinks/sink_hub.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace airfleet::collector::sinks {

absl::StatusOr<std::unique_ptr<SinkHub>> SinkHub::Create(Store* store,
                                                         std::vector<std::unique_ptr<Sink>> sinks,
                                                         MaterialiseContext context,
                                                         SinkHubOptions options) {
  std::unique_ptr<SinkHub> hub(new SinkHub(store, options));
  for (std::unique_ptr<Sink>& sink : sinks) {
    for (const auto& existing : hub->deliveries_) {
      if (existing->status().name == sink->name()) {
        return absl::InvalidArgumentError(
            absl::StrCat("two sinks are named '", std::string(sink->name()), "'"));
      }
    }
    AF_ASSIGN_OR_RETURN(auto delivery,
                        SinkDelivery::Create(store, std::move(sink), context, options.delivery));
    hub->deliveries_.push_back(std::move(delivery));
  }
  return hub;
}

SinkHub::~SinkHub() { Stop(); }

void SinkHub::Start() {
  for (auto& d : deliveries_) d->Start();
  trimmer_ = std::thread([this] { TrimLoop(); });
}

void SinkHub::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& d : deliveries_) d->Stop();
  if (trimmer_.joinable()) trimmer_.join();
}

bool SinkHub::OverQuota() { return store_->GetOutboxStats().bytes > options_.outbox_quota_bytes; }

std::vector<SinkStatus> SinkHub::Status() {
  std::vector<SinkStatus> out;
  for (auto& d : deliveries_) out.push_back(d->status());
  return out;
}

absl::Status SinkHub::Trim() {
  if (deliveries_.empty()) return absl::OkStatus();
  uint64_t slowest = deliveries_.front()->cursor();
  for (auto& d : deliveries_) slowest = std::min(slowest, d->cursor());
  return store_->TrimOutbox(slowest);
}

void SinkHub::ForgetDeadLetters(const std::map<std::string, uint64_t>& deleted) {
  for (auto& d : deliveries_) {
    if (auto it = deleted.find(d->name()); it != deleted.end()) d->ForgetDeadLetters(it->second);
  }
}

void SinkHub::TrimLoop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, options_.trim_interval, [this] { return stopping_; });
      if (stopping_) return;
    }
    absl::Status s = Trim();
    if (!s.ok()) log::Warning(absl::StrCat("outbox trim: ", s.ToString()));
  }
}

absl::StatusOr<std::map<std::string, uint64_t>> ExpireDeadLetters(Store& store, int64_t cutoff_ns) {
  AF_ASSIGN_OR_RETURN(auto rows, store.ScanMeta("sink/"));
  std::map<std::string, uint64_t> deleted;
  std::vector<MetaWrite> deletes;
  for (const auto& [key, value] : rows) {
    if (key.find("/dead/") == std::string::npos) continue;  // cursors share the prefix
    v1::DeadLetter letter;
    // A letter that does not parse is left for an operator to look at, not deleted blind.
    if (!letter.ParseFromString(value) || letter.dropped_ns() >= cutoff_ns) continue;
    deletes.push_back({key, std::nullopt});
    ++deleted[letter.sink()];
  }
  if (!deletes.empty()) AF_RETURN_IF_ERROR(store.WriteMeta(deletes));
  return deleted;
}

absl::StatusOr<std::vector<v1::DeadLetter>> ListDeadLetters(Store& store, std::string_view sink,
                                                            size_t limit) {
  AF_ASSIGN_OR_RETURN(auto rows,
                      store.ScanMeta(sink.empty() ? std::string("sink/") : DeadLetterPrefix(sink)));
  std::vector<v1::DeadLetter> out;
  for (const auto& [key, value] : rows) {
    if (key.find("/dead/") == std::string::npos) continue;  // cursors share the prefix
    v1::DeadLetter letter;
    if (!letter.ParseFromString(value)) {
      return absl::DataLossError(absl::StrCat("corrupt dead letter ", key));
    }
    out.push_back(std::move(letter));
  }
  std::stable_sort(out.begin(), out.end(), [](const v1::DeadLetter& a, const v1::DeadLetter& b) {
    return a.outbox_sequence() < b.outbox_sequence();
  });
  if (limit != 0 && out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace airfleet::collector::sinks
