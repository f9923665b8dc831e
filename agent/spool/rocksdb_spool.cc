#include "agent/spool/rocksdb_spool.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/spool/batch_sealer.h"
#include "agent/spool/rocksdb_tuning.h"
#include "common/status_macros.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace airfleet::spool {
namespace {

namespace fs = std::filesystem;
using format::BatchInfo;
using format::NumberedKey;

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

std::string ErrorText(const rocksdb::Status& s) { return s.ToString(); }

bool IsDiskFull(const rocksdb::Status& s) {
  return s.IsNoSpace() || absl::StrContains(s.ToString(), "No space left on device");
}

// Errors at open that mean "this directory's contents cannot be trusted" rather than "we cannot
// use it right now" (another process holds the lock, permissions, full disk).
bool IsUnreadableSpool(const rocksdb::Status& s) {
  if (s.IsCorruption()) return true;
  if (!s.IsIOError()) return false;
  const std::string text = s.ToString();
  return !IsDiskFull(s) && !absl::StrContains(text, "lock") &&
         !absl::StrContains(text, "Permission denied") &&
         !absl::StrContains(text, "Read-only file system");
}

absl::Status MapError(const rocksdb::Status& s, const std::string& what) {
  if (IsDiskFull(s))
    return absl::ResourceExhaustedError(absl::StrCat("spool disk full: ", ErrorText(s)));
  if (s.IsCorruption()) return absl::DataLossError(absl::StrCat(what, ": ", ErrorText(s)));
  return absl::InternalError(absl::StrCat(what, ": ", ErrorText(s)));
}

bool Adjacent(const v1::LossRecord& earlier, const v1::LossRecord& later) {
  return earlier.reason() == later.reason() && earlier.batches() > 0 && later.batches() > 0 &&
         earlier.last_sequence() + 1 == later.first_sequence();
}

// Adds `loss` to the ledger, merging it into the last record when it continues that record's
// run, and stages the corresponding write.
void StageLoss(const v1::LossRecord& loss, rocksdb::WriteBatch* wb,
               std::vector<v1::LossRecord>* ledger, uint64_t* ledger_keys) {
  if (!ledger->empty() && Adjacent(ledger->back(), loss)) {
    v1::LossRecord& last = ledger->back();
    last.set_batches(last.batches() + loss.batches());
    last.set_summaries(last.summaries() + loss.summaries());
    last.set_last_sequence(loss.last_sequence());
    if (loss.last_window_ns() > last.last_window_ns())
      last.set_last_window_ns(loss.last_window_ns());
    last.set_recorded_ns(loss.recorded_ns());
    wb->Put(NumberedKey(format::kLossPrefix, *ledger_keys - 1), last.SerializeAsString());
    return;
  }
  ledger->push_back(loss);
  wb->Put(NumberedKey(format::kLossPrefix, *ledger_keys), loss.SerializeAsString());
  ++*ledger_keys;
}

// Accumulates what a run of dropped batches contained.
struct DropTally {
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;
  uint64_t batches = 0;
  uint64_t summaries = 0;
  uint64_t bytes = 0;
  int64_t first_window_ns = 0;
  int64_t last_window_ns = 0;

  void Add(uint64_t sequence, const BatchInfo& info) {
    if (batches == 0) first_sequence = sequence;
    last_sequence = sequence;
    ++batches;
    summaries += info.summaries;
    bytes += info.bytes;
    if (info.summaries > 0) {
      if (first_window_ns == 0 || info.first_window_ns < first_window_ns)
        first_window_ns = info.first_window_ns;
      last_window_ns = std::max(last_window_ns, info.last_window_ns);
    }
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<RocksDbSpool>> RocksDbSpool::Open(RocksDbSpoolOptions options) {
  if (options.path.empty()) return absl::InvalidArgumentError("spool path is empty");
  if (!options.now_ns) {
    options.now_ns = [] {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  if (!options.random64) {
    options.random64 = [] {
      std::random_device rd;
      return (static_cast<uint64_t>(rd()) << 32) ^ rd();
    };
  }
  std::unique_ptr<RocksDbSpool> spool(new RocksDbSpool(std::move(options), nullptr));

  std::error_code ec;
  fs::create_directories(fs::path(spool->options_.path).parent_path(), ec);
  absl::Status opened = spool->OpenDb();
  if (opened.ok()) {
    {
      std::lock_guard<std::mutex> lock(spool->mu_);
      opened = spool->LoadStateLocked();
    }
    if (absl::IsDataLoss(opened)) {
      spool->db_.reset();
      AF_RETURN_IF_ERROR(spool->Quarantine(std::string(opened.message())));
    } else if (!opened.ok()) {
      return opened;
    }
  } else if (absl::IsDataLoss(opened)) {
    AF_RETURN_IF_ERROR(spool->Quarantine(std::string(opened.message())));
  } else {
    return opened;
  }
  return spool;
}

RocksDbSpool::RocksDbSpool(RocksDbSpoolOptions options, std::shared_ptr<rocksdb::Cache> cache)
    : options_(std::move(options)), cache_(std::move(cache)) {}

RocksDbSpool::~RocksDbSpool() {
  if (db_ && options_.durability == Durability::kGroupCommit) db_->SyncWAL();
}

absl::Status RocksDbSpool::OpenDb() {
  rocksdb::Options options = SmallDeviceOptions(options_, &cache_);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, options_.path, &raw);
  if (!s.ok()) {
    if (IsUnreadableSpool(s)) return absl::DataLossError(ErrorText(s));
    return MapError(s, absl::StrCat("cannot open spool ", options_.path));
  }
  db_.reset(raw, [](rocksdb::DB* db) {
    db->Close();
    delete db;
  });
  return absl::OkStatus();
}

std::shared_ptr<rocksdb::DB> RocksDbSpool::Db() const {
  std::lock_guard<std::mutex> lock(mu_);
  return db_;
}

absl::Status RocksDbSpool::LoadStateLocked() {
  batches_ = bytes_ = summaries_ = 0;
  ledger_.clear();
  auto get = [&](std::string_view key, std::string* value) -> absl::StatusOr<bool> {
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), ToSlice(key), value);
    if (s.IsNotFound()) return false;
    if (!s.ok())
      return absl::DataLossError(absl::StrCat("reading ", std::string(key), ": ", ErrorText(s)));
    return true;
  };
  std::string value;
  AF_ASSIGN_OR_RETURN(bool has_stream, get(format::kMetaStreamId, &value));
  if (!has_stream) {
    // A new spool, unless it already holds data (then its metadata was lost).
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    it->SeekToFirst();
    if (it->Valid()) return absl::DataLossError("spool has data but no stream id");
    if (!it->status().ok()) return absl::DataLossError(ErrorText(it->status()));
    do {
      stream_id_ = options_.random64();
    } while (stream_id_ == 0);
    rocksdb::WriteBatch wb;
    wb.Put(ToSlice(format::kMetaFormatVersion), format::EncodeU64(format::kFormatVersion));
    wb.Put(ToSlice(format::kMetaStreamId), format::EncodeU64(stream_id_));
    wb.Put(ToSlice(format::kMetaNextSequence), format::EncodeU64(1));
    wb.Put(ToSlice(format::kMetaAckedSequence), format::EncodeU64(0));
    wb.Put(ToSlice(format::kMetaCreatedNs),
           format::EncodeU64(static_cast<uint64_t>(options_.now_ns())));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status s = db_->Write(wo, &wb);
    if (!s.ok()) return MapError(s, "initialising spool");
    next_sequence_ = first_sequence_ = 1;
    return absl::OkStatus();
  }

  auto read_u64 = [&](std::string_view key, uint64_t* out) -> absl::Status {
    std::string v;
    AF_ASSIGN_OR_RETURN(bool found, get(key, &v));
    auto decoded = found ? format::DecodeU64(v) : std::nullopt;
    if (!decoded)
      return absl::DataLossError(absl::StrCat("spool metadata ", std::string(key), " is bad"));
    *out = *decoded;
    return absl::OkStatus();
  };
  uint64_t version = 0;
  AF_RETURN_IF_ERROR(read_u64(format::kMetaFormatVersion, &version));
  if (version != format::kFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("spool ", options_.path, " has format version ", version,
                     ", this agent reads ", format::kFormatVersion));
  }
  AF_RETURN_IF_ERROR(read_u64(format::kMetaStreamId, &stream_id_));
  AF_RETURN_IF_ERROR(read_u64(format::kMetaNextSequence, &next_sequence_));
  AF_RETURN_IF_ERROR(read_u64(format::kMetaAckedSequence, &acked_sequence_));
  AF_ASSIGN_OR_RETURN(bool has_replay, get(format::kMetaReplayPosition, &replay_position_));
  if (!has_replay) replay_position_.clear();

  // Totals from the small per-batch records.
  const std::string info_end(1, format::kInfoPrefix + 1);
  rocksdb::Slice info_upper(info_end);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &info_upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  first_sequence_ = next_sequence_;
  bool first = true;
  for (it->Seek(std::string(1, format::kInfoPrefix)); it->Valid(); it->Next()) {
    auto seq = format::KeyNumber(it->key().ToStringView());
    auto info = format::DecodeBatchInfo(it->value().ToStringView());
    if (!seq || !info || *seq >= next_sequence_) {
      return absl::DataLossError("spool batch index is inconsistent");
    }
    if (first) first_sequence_ = *seq;
    first = false;
    ++batches_;
    bytes_ += info->bytes;
    summaries_ += info->summaries;
  }
  if (!it->status().ok()) return absl::DataLossError(ErrorText(it->status()));

  const std::string loss_end(1, format::kLossPrefix + 1);
  rocksdb::Slice loss_upper(loss_end);
  ro.iterate_upper_bound = &loss_upper;
  it.reset(db_->NewIterator(ro));
  for (it->Seek(std::string(1, format::kLossPrefix)); it->Valid(); it->Next()) {
    v1::LossRecord record;
    if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("spool loss ledger is unreadable");
    }
    ledger_.push_back(std::move(record));
  }
  if (!it->status().ok()) return absl::DataLossError(ErrorText(it->status()));
  ledger_keys_ = ledger_.size();
  ledger_dirty_ = !ledger_.empty();
  return absl::OkStatus();
}

absl::Status RocksDbSpool::Quarantine(const std::string& reason) {
  const int64_t now_ns = options_.now_ns();
  std::string target = absl::StrCat(options_.path, ".corrupt-", now_ns / 1'000'000'000);
  std::error_code ec;
  for (int n = 1; fs::exists(target, ec); ++n) {
    target = absl::StrCat(options_.path, ".corrupt-", now_ns / 1'000'000'000, "-", n);
  }
  fs::rename(options_.path, target, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("spool ", options_.path, " is unreadable (", reason,
                                            ") and cannot be moved aside: ", ec.message()));
  }
  quarantine_ = QuarantineEvent{target, reason};
  AF_RETURN_IF_ERROR(OpenDb());
  {
    std::lock_guard<std::mutex> lock(mu_);
    AF_RETURN_IF_ERROR(LoadStateLocked());
  }
  // The old stream's contents are unknown: counts and ranges stay 0.
  v1::LossRecord loss;
  loss.set_reason("spool_corrupt");
  loss.set_recorded_ns(now_ns);
  return RecordLoss(loss);
}

absl::Status RocksDbSpool::ResumeIfNeededLocked() {
  if (!needs_resume_) return absl::OkStatus();
  // Reopen rather than DB::Resume(): see the header. Readers holding the old handle keep it
  // alive briefly; if that makes the reopen fail (LOCK held), the next write tries again.
  db_.reset();
  absl::Status opened = OpenDb();
  if (!opened.ok()) return opened;
  AF_RETURN_IF_ERROR(LoadStateLocked());
  needs_resume_ = false;
  return absl::OkStatus();
}

absl::StatusOr<AppendResult> RocksDbSpool::Append(std::vector<v1::DeviceWindow> windows,
                                                  std::vector<v1::ProbeObservation> probes,
                                                  std::string replay_position,
                                                  const v1::AgentHealth* health,
                                                  const PrivacyForWindow& privacy) {
  std::vector<v1::Batch> batches =
      SealBatches(std::move(windows), std::move(probes), options_.max_batch_bytes, privacy);

  std::function<void()> listener;
  AppendResult result;
  {
    std::lock_guard<std::mutex> lock(mu_);
    AF_RETURN_IF_ERROR(ResumeIfNeededLocked());
    const int64_t now_ns = options_.now_ns();
    if (options_.min_free_bytes > 0 && !batches.empty()) {
      std::error_code ec;
      const fs::space_info space = fs::space(options_.path, ec);
      if (!ec && space.available < options_.min_free_bytes) {
        return absl::ResourceExhaustedError(
            absl::StrCat("spool disk full: ", space.available, " bytes free on ", options_.path,
                         ", the spool keeps at least ", options_.min_free_bytes, " free"));
      }
    }

    // Seal: number and serialize the new batches.
    std::vector<std::string> data(batches.size());
    std::vector<BatchInfo> infos(batches.size());
    uint64_t new_bytes = 0;
    for (size_t i = 0; i < batches.size(); ++i) {
      v1::Batch& b = batches[i];
      b.set_agent_id(options_.agent_id);
      b.set_stream_id(stream_id_);
      b.set_sequence(next_sequence_ + i);
      b.set_created_ns(now_ns);
      if (i == 0 && (health != nullptr || ledger_dirty_)) {
        v1::AgentHealth* h = b.mutable_health();
        if (health != nullptr) *h = *health;
        if (h->time_ns() == 0) h->set_time_ns(now_ns);
        h->mutable_losses()->Clear();
        for (const auto& loss : ledger_) *h->add_losses() = loss;
        h->set_spool_batches(batches_);
        h->set_spool_bytes(bytes_);
      }
      BatchInfo& info = infos[i];
      info.created_ns = now_ns;
      // "Summaries" are device windows everywhere (ledger, collector counters): the unit an
      // operator reconciles. Probe observations ride in the same batches and are covered by the
      // ledger's batch and sequence ranges.
      info.summaries = static_cast<uint32_t>(b.windows_size());
      bool any_window = false;
      auto note_window = [&](int64_t start) {
        if (!any_window || start < info.first_window_ns) info.first_window_ns = start;
        if (!any_window || start > info.last_window_ns) info.last_window_ns = start;
        any_window = true;
      };
      for (const auto& w : b.windows()) note_window(w.window_start_ns());
      for (const auto& p : b.probes()) note_window(p.window_start_ns());
      data[i] = b.SerializeAsString();
      info.bytes = data[i].size();
      new_bytes += info.bytes;
    }

    rocksdb::WriteBatch wb;
    // Quota: drop the oldest stored batches first, then the oldest new ones.
    DropTally dropped;
    uint64_t new_first_sequence = first_sequence_;
    if (bytes_ + new_bytes > options_.quota_bytes) {
      const std::string info_end(1, format::kInfoPrefix + 1);
      rocksdb::Slice info_upper(info_end);
      rocksdb::ReadOptions ro;
      ro.iterate_upper_bound = &info_upper;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
      for (it->Seek(NumberedKey(format::kInfoPrefix, first_sequence_));
           it->Valid() && bytes_ - dropped.bytes + new_bytes > options_.quota_bytes; it->Next()) {
        auto seq = format::KeyNumber(it->key().ToStringView());
        auto info = format::DecodeBatchInfo(it->value().ToStringView());
        if (!seq || !info) return absl::DataLossError("spool batch index is unreadable");
        dropped.Add(*seq, *info);
      }
      if (!it->status().ok()) return MapError(it->status(), "reading spool index");
      if (dropped.batches > 0) {
        new_first_sequence = dropped.last_sequence + 1;
        for (char prefix : {format::kBatchPrefix, format::kInfoPrefix}) {
          wb.DeleteRange(NumberedKey(prefix, first_sequence_),
                         NumberedKey(prefix, new_first_sequence));
        }
      }
    }
    const uint64_t stored_dropped_batches = dropped.batches;
    const uint64_t stored_dropped_bytes = dropped.bytes;
    const uint64_t stored_dropped_summaries = dropped.summaries;
    size_t first_kept = 0;
    while (first_kept < batches.size() &&
           bytes_ - stored_dropped_bytes + new_bytes > options_.quota_bytes) {
      dropped.Add(next_sequence_ + first_kept, infos[first_kept]);
      new_bytes -= infos[first_kept].bytes;
      ++first_kept;
    }
    if (first_kept > 0) new_first_sequence = next_sequence_ + first_kept;

    for (size_t i = first_kept; i < batches.size(); ++i) {
      const uint64_t seq = next_sequence_ + i;
      wb.Put(NumberedKey(format::kBatchPrefix, seq), data[i]);
      wb.Put(NumberedKey(format::kInfoPrefix, seq), format::EncodeBatchInfo(infos[i]));
    }
    const uint64_t next_sequence = next_sequence_ + batches.size();
    wb.Put(ToSlice(format::kMetaNextSequence), format::EncodeU64(next_sequence));
    wb.Put(ToSlice(format::kMetaReplayPosition), replay_position);

    std::vector<v1::LossRecord> ledger = ledger_;
    uint64_t ledger_keys = ledger_keys_;
    if (dropped.batches > 0) {
      v1::LossRecord loss;
      loss.set_batches(dropped.batches);
      loss.set_summaries(dropped.summaries);
      loss.set_first_sequence(dropped.first_sequence);
      loss.set_last_sequence(dropped.last_sequence);
      loss.set_first_window_ns(dropped.first_window_ns);
      loss.set_last_window_ns(dropped.last_window_ns);
      loss.set_reason("spool_quota");
      loss.set_recorded_ns(now_ns);
      StageLoss(loss, &wb, &ledger, &ledger_keys);
    }

    rocksdb::WriteOptions wo;
    wo.sync = options_.durability == Durability::kSyncEveryAppend ||
              now_ns - last_sync_ns_ >= options_.group_commit_interval_ns;
    rocksdb::Status s = db_->Write(wo, &wb);
    if (!s.ok()) {
      needs_resume_ = true;
      return MapError(s, "spool append failed");
    }
    if (wo.sync) last_sync_ns_ = now_ns;

    // Committed: update the in-memory view.
    if (!batches.empty()) {
      result.first_sequence = next_sequence_;
      result.last_sequence = next_sequence - 1;
    }
    result.dropped_batches = dropped.batches;
    result.dropped_summaries = dropped.summaries;
    batches_ = batches_ - stored_dropped_batches + (batches.size() - first_kept);
    bytes_ = bytes_ - stored_dropped_bytes + new_bytes;
    uint64_t new_summaries = 0;
    for (size_t i = first_kept; i < batches.size(); ++i) new_summaries += infos[i].summaries;
    summaries_ = summaries_ - stored_dropped_summaries + new_summaries;
    if (batches_ == 0) new_first_sequence = next_sequence;
    first_sequence_ = std::max(first_sequence_, new_first_sequence);
    next_sequence_ = next_sequence;
    replay_position_ = std::move(replay_position);
    if (!batches.empty() && (health != nullptr || ledger_dirty_)) ledger_dirty_ = false;
    if (dropped.batches > 0) ledger_dirty_ = true;
    ledger_ = std::move(ledger);
    ledger_keys_ = ledger_keys;
    if (first_kept < batches.size()) listener = listener_;
  }
  if (listener) listener();
  return result;
}

absl::StatusOr<std::vector<SpooledBatch>> RocksDbSpool::Peek(uint64_t from_sequence,
                                                             size_t max_batches, size_t max_bytes) {
  std::vector<SpooledBatch> out;
  if (max_batches == 0) return out;
  const std::shared_ptr<rocksdb::DB> db = Db();
  if (!db) return absl::UnavailableError("spool is reopening after a write error");
  const std::string batch_end(1, format::kBatchPrefix + 1);
  rocksdb::Slice batch_upper(batch_end);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &batch_upper;
  // Batches are read once and then deleted: keep them out of the small block cache.
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  size_t bytes = 0;
  for (it->Seek(NumberedKey(format::kBatchPrefix, from_sequence));
       it->Valid() && out.size() < max_batches && (out.empty() || bytes < max_bytes); it->Next()) {
    auto seq = format::KeyNumber(it->key().ToStringView());
    if (!seq) return absl::DataLossError("spool batch key is malformed");
    SpooledBatch b;
    b.sequence = *seq;
    b.data.assign(it->value().data(), it->value().size());
    std::string info_value;
    if (db->Get(rocksdb::ReadOptions(), NumberedKey(format::kInfoPrefix, *seq), &info_value).ok()) {
      if (auto info = format::DecodeBatchInfo(info_value)) {
        b.created_ns = info->created_ns;
        b.summaries = info->summaries;
      }
    }
    bytes += b.data.size();
    out.push_back(std::move(b));
  }
  if (!it->status().ok()) return MapError(it->status(), "reading spool");
  return out;
}

absl::Status RocksDbSpool::Acknowledge(uint64_t sequence) {
  std::lock_guard<std::mutex> lock(mu_);
  if (sequence >= next_sequence_) {
    return absl::InvalidArgumentError(absl::StrCat("ack for sequence ", sequence,
                                                   " but the spool has only assigned up to ",
                                                   next_sequence_ - 1));
  }
  if (sequence <= acked_sequence_ && sequence < first_sequence_) return absl::OkStatus();
  AF_RETURN_IF_ERROR(ResumeIfNeededLocked());

  DropTally removed;
  if (sequence >= first_sequence_) {
    const std::string end_key = NumberedKey(format::kInfoPrefix, sequence + 1);
    rocksdb::Slice upper(end_key);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    for (it->Seek(NumberedKey(format::kInfoPrefix, first_sequence_)); it->Valid(); it->Next()) {
      auto seq = format::KeyNumber(it->key().ToStringView());
      auto info = format::DecodeBatchInfo(it->value().ToStringView());
      if (!seq || !info) return absl::DataLossError("spool batch index is unreadable");
      removed.Add(*seq, *info);
    }
    if (!it->status().ok()) return MapError(it->status(), "reading spool index");
  }
  rocksdb::WriteBatch wb;
  for (char prefix : {format::kBatchPrefix, format::kInfoPrefix}) {
    wb.DeleteRange(NumberedKey(prefix, first_sequence_), NumberedKey(prefix, sequence + 1));
  }
  const uint64_t acked = std::max(acked_sequence_, sequence);
  wb.Put(ToSlice(format::kMetaAckedSequence), format::EncodeU64(acked));
  // No sync: a lost ack only makes the uplink resend, and the collector deduplicates.
  rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &wb);
  if (!s.ok()) {
    needs_resume_ = true;
    return MapError(s, "spool acknowledge failed");
  }
  acked_sequence_ = acked;
  first_sequence_ = std::max(first_sequence_, sequence + 1);
  batches_ -= removed.batches;
  bytes_ -= removed.bytes;
  summaries_ -= removed.summaries;
  return absl::OkStatus();
}

absl::Status RocksDbSpool::RecordLoss(const v1::LossRecord& loss) {
  std::lock_guard<std::mutex> lock(mu_);
  AF_RETURN_IF_ERROR(ResumeIfNeededLocked());
  rocksdb::WriteBatch wb;
  std::vector<v1::LossRecord> ledger = ledger_;
  uint64_t ledger_keys = ledger_keys_;
  v1::LossRecord record = loss;
  if (record.recorded_ns() == 0) record.set_recorded_ns(options_.now_ns());
  StageLoss(record, &wb, &ledger, &ledger_keys);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = db_->Write(wo, &wb);
  if (!s.ok()) {
    needs_resume_ = true;
    return MapError(s, "spool cannot record a loss");
  }
  ledger_ = std::move(ledger);
  ledger_keys_ = ledger_keys;
  ledger_dirty_ = true;
  return absl::OkStatus();
}

absl::Status RocksDbSpool::Sync() {
  const std::shared_ptr<rocksdb::DB> db = Db();
  if (!db) return absl::UnavailableError("spool is reopening after a write error");
  rocksdb::Status s = db->SyncWAL();
  if (!s.ok()) return MapError(s, "spool sync failed");
  std::lock_guard<std::mutex> lock(mu_);
  last_sync_ns_ = options_.now_ns();
  return absl::OkStatus();
}

absl::Status RocksDbSpool::PutMetadata(const std::string& key, const std::string& value) {
  const std::shared_ptr<rocksdb::DB> db = Db();
  if (!db) return absl::UnavailableError("spool is reopening after a write error");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = db->Put(wo, std::string(format::kUserMetaPrefix) + key, value);
  if (!s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    needs_resume_ = true;
    return MapError(s, "spool metadata write failed");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> RocksDbSpool::GetMetadata(const std::string& key) {
  const std::shared_ptr<rocksdb::DB> db = Db();
  if (!db) return absl::UnavailableError("spool is reopening after a write error");
  std::string value;
  rocksdb::Status s =
      db->Get(rocksdb::ReadOptions(), std::string(format::kUserMetaPrefix) + key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return MapError(s, "spool metadata read failed");
  return std::optional<std::string>(std::move(value));
}

std::string RocksDbSpool::ReplayPosition() const {
  std::lock_guard<std::mutex> lock(mu_);
  return replay_position_;
}

std::vector<v1::LossRecord> RocksDbSpool::Losses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ledger_;
}

SpoolStats RocksDbSpool::Stats() const {
  SpoolStats stats;
  std::shared_ptr<rocksdb::DB> db;
  {
    std::lock_guard<std::mutex> lock(mu_);
    db = db_;
    stats.batches = batches_;
    stats.bytes = bytes_;
    stats.summaries = summaries_;
    stats.first_sequence = first_sequence_;
    stats.next_sequence = next_sequence_;
    stats.acked_sequence = acked_sequence_;
  }
  if (stats.batches > 0 && db) {
    std::string value;
    if (db->Get(rocksdb::ReadOptions(), NumberedKey(format::kInfoPrefix, stats.first_sequence),
                &value)
            .ok()) {
      if (auto info = format::DecodeBatchInfo(value)) stats.oldest_created_ns = info->created_ns;
    }
  }
  return stats;
}

void RocksDbSpool::SetAppendListener(std::function<void()> listener) {
  std::lock_guard<std::mutex> lock(mu_);
  listener_ = std::move(listener);
}

}  // namespace airfleet::spool
