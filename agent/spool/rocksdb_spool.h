#pragma once

// Spool on RocksDB, tuned for a 512 MB Raspberry Pi (see rocksdb_tuning.h).
//
// Durability. Every Append() is one WriteBatch, so after kill -9 or power loss the spool holds a
// prefix of the appends, each complete (WAL recovery mode kPointInTimeRecovery drops a torn tail).
// What the WAL sync adds is that a returned Append() survives power loss. Measured with
// spool_benchmark on the shared 2-vCPU build VM (virtio disk, ext4, load average 6-8 from parallel
// builds), 60 summaries per append:
//     sync every append:                       ~270 appends/s  (~3.6 ms per fsync)
//     group commit (sync at most every 1 s):  ~5,600 appends/s
// and ~43 bytes of LZ4-compressed SST per summary (92 B serialized) for synthetic summaries.
// Live capture appends once per window (60 s), so the fsync cost is irrelevant there and
// kSyncEveryAppend is the default. A bulk replay import (a pcap file read as fast as the disk
// allows) can pick kGroupCommit: a power cut then loses up to one interval of appends, but the
// replay position is in the same WriteBatch, so the import resumes exactly where the surviving
// prefix ends — nothing lost, nothing duplicated. Acknowledge() never syncs: losing an ack only
// causes a resend, which the collector deduplicates.
//
// Corruption. If RocksDB reports corruption (or an I/O error other than a held lock, permission
// or a full disk) when opening, or the spool metadata is inconsistent, the directory is renamed to
// `<path>.corrupt-<unix seconds>`, a fresh spool with a new stream id is created, a LossRecord
// with reason "spool_corrupt" is added (its counts and ranges are 0: unknown), and quarantine()
// reports the event. The agent keeps capturing.
//
// Disk full. Append() returns ResourceExhausted("spool disk full: ...") and stores nothing, either
// because less than min_free_bytes is free (checked first) or because RocksDB hit ENOSPC. In the
// second case the next write closes and reopens the database (DB::Resume() leaves the failed WAL
// writer in place in RocksDB 7.8, which then trips an assertion in Debian's build), so the spool
// works again once space is freed. The caller accounts for what it could not store (RecordLoss with
// reason "disk_full").
//
// Quota. Counted in logical bytes (serialized batches). When an append would exceed it, the
// oldest unacknowledged batches (then, if needed, the oldest of the new ones) are dropped in the
// same WriteBatch and one LossRecord ("spool_quota") describes them; adjacent records with the
// same reason are merged so the ledger stays small under sustained overflow.
//
// Threading: all methods are thread-safe; Append/Acknowledge/RecordLoss serialise on one mutex,
// Peek/Stats/metadata reads take it only to copy the database handle.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/spool/spool.h"
#include "agent/spool/spool_format.h"

namespace rocksdb {
class DB;
class Cache;
}  // namespace rocksdb

namespace airfleet::spool {

enum class Durability {
  kSyncEveryAppend,
  // Sync the WAL when at least group_commit_interval_ns passed since the last sync (and on
  // Sync() / destruction).
  kGroupCommit,
};

struct RocksDbSpoolOptions {
  std::string path;
  // Written into every batch (the collector checks it against the agent's certificate).
  std::string agent_id;
  uint64_t quota_bytes = 256ull << 20;
  size_t max_batch_bytes = 1u << 20;
  Durability durability = Durability::kSyncEveryAppend;
  int64_t group_commit_interval_ns = 1'000'000'000;
  // Append refuses (ResourceExhausted) while the file system has less than this free, so RocksDB
  // rarely meets ENOSPC itself (it then needs a reopen to recover, see ResumeIfNeededLocked).
  uint64_t min_free_bytes = 8u << 20;
  // Memory knobs (see rocksdb_tuning.h).
  size_t write_buffer_bytes = 2u << 20;
  size_t block_cache_bytes = 2u << 20;
  int max_open_files = 64;
  // Wall clock, unix ns (batch created times, loss records, quarantine names). Default: realtime.
  std::function<int64_t()> now_ns;
  // Source of stream ids. Default: std::random_device.
  std::function<uint64_t()> random64;
};

class RocksDbSpool final : public Spool {
 public:
  // Opens or creates the spool at options.path (quarantining an unreadable one, see above).
  static absl::StatusOr<std::unique_ptr<RocksDbSpool>> Open(RocksDbSpoolOptions options);
  ~RocksDbSpool() override;

  RocksDbSpool(const RocksDbSpool&) = delete;
  RocksDbSpool& operator=(const RocksDbSpool&) = delete;

  absl::StatusOr<AppendResult> Append(std::vector<v1::DeviceWindow> windows,
                                      std::vector<v1::ProbeObservation> probes,
                                      std::string replay_position,
                                      const v1::AgentHealth* health = nullptr,
                                      const PrivacyForWindow& privacy = nullptr) override;
  absl::StatusOr<std::vector<SpooledBatch>> Peek(uint64_t from_sequence, size_t max_batches,
                                                 size_t max_bytes = SIZE_MAX) override;
  absl::Status Acknowledge(uint64_t sequence) override;
  absl::Status RecordLoss(const v1::LossRecord& loss) override;
  absl::Status Sync() override;
  absl::Status PutMetadata(const std::string& key, const std::string& value) override;
  absl::StatusOr<std::optional<std::string>> GetMetadata(const std::string& key) override;

  uint64_t stream_id() const override { return stream_id_; }
  std::string ReplayPosition() const override;
  std::vector<v1::LossRecord> Losses() const override;
  SpoolStats Stats() const override;
  std::optional<QuarantineEvent> quarantine() const override { return quarantine_; }
  void SetAppendListener(std::function<void()> listener) override;

 private:
  RocksDbSpool(RocksDbSpoolOptions options, std::shared_ptr<rocksdb::Cache> cache);

  absl::Status OpenDb();
  // Reads (or, for an empty database, initialises) the persisted state. DataLoss means the
  // metadata is inconsistent and the spool must be quarantined.
  absl::Status LoadStateLocked();
  std::shared_ptr<rocksdb::DB> Db() const;
  absl::Status Quarantine(const std::string& reason);
  absl::Status ResumeIfNeededLocked();

  const RocksDbSpoolOptions options_;
  std::shared_ptr<rocksdb::Cache> cache_;
  // Replaced (under mu_) when the spool reopens itself after a write error; readers take a copy.
  std::shared_ptr<rocksdb::DB> db_;
  std::optional<QuarantineEvent> quarantine_;
  uint64_t stream_id_ = 0;

  mutable std::mutex mu_;
  uint64_t next_sequence_ = 1;
  uint64_t first_sequence_ = 1;
  uint64_t acked_sequence_ = 0;
  uint64_t batches_ = 0;
  uint64_t bytes_ = 0;
  uint64_t summaries_ = 0;
  std::string replay_position_;
  std::vector<v1::LossRecord> ledger_;
  // Number of "l" keys (a merged record rewrites the last key).
  uint64_t ledger_keys_ = 0;
  // The ledger changed since it was last attached to a batch.
  bool ledger_dirty_ = false;
  bool needs_resume_ = false;
  int64_t last_sync_ns_ = 0;
  std::function<void()> listener_;
};

}  // namespace airfleet::spool
