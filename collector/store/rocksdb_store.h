#pragma once

// The embedded Store on RocksDB (see store.h for the contract and keys.h for the layout).
//
// Write path: one WriteBatch per CommitBatches call, written with sync=true. Windows, probes and
// device state are written as merge operands (no read before write); stream marks and agent
// records are cached in memory (the store is their only writer) so duplicate detection costs no
// disk read after the first batch of a stream.
//
// Threading: all methods are thread-safe. Commits and retention's device pass serialise on one
// mutex; reads use RocksDB's own concurrency.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "collector/store/device_merge.h"
#include "collector/store/keys.h"
#include "collector/store/store.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace airfleet::collector {

struct RocksDbStoreOptions {
  std::string path;
  NowNsFn now_ns;
  // Tests of crash safety want true; only a benchmark comparing costs should turn it off.
  bool sync = true;
  // Append an outbox entry per committed batch (docs/sinks.md); on when any sink is configured.
  bool outbox = false;
};

class RocksDbStore : public Store {
 public:
  static absl::StatusOr<std::unique_ptr<RocksDbStore>> Open(const RocksDbStoreOptions& options);
  ~RocksDbStore() override;

  absl::StatusOr<std::vector<CommitResult>> CommitBatches(
      const std::vector<BatchToCommit>& batches) override;
  absl::StatusOr<StreamState> GetStream(const std::string& agent_id, uint64_t stream_id) override;
  absl::Status RecordAgentSession(const std::string& agent_id, const std::string& peer,
                                  const std::string& version) override;
  absl::StatusOr<std::vector<v1::AgentInfo>> ListAgents() override;
  absl::StatusOr<std::vector<v1::DeviceInfo>> ListDevices(const DeviceQuery& query) override;
  absl::StatusOr<v1::GetDeviceResponse> GetDevice(uint64_t mac, uint32_t recent_windows) override;
  absl::Status ScanWindows(const ScanRange& range, const WindowVisitor& visit) override;
  absl::Status ScanProbes(const ScanRange& range, const ProbeVisitor& visit) override;
  absl::StatusOr<ExportPage> ExportWindows(int64_t since_ns, int64_t until_ns,
                                           const std::string& cursor, size_t limit) override;
  absl::StatusOr<RetentionResult> ApplyRetention(const StoreRetention& keep) override;
  absl::Status WriteMeta(const std::vector<MetaWrite>& writes) override;
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ScanMeta(
      std::string_view prefix) override;
  absl::StatusOr<std::vector<OutboxItem>> ReadOutbox(uint64_t after_sequence,
                                                     size_t limit) override;
  absl::Status TrimOutbox(uint64_t through_sequence) override;
  absl::Status AppendOutbox(const std::vector<v1::OutboxEntry>& entries) override;
  OutboxStats GetOutboxStats() override;
  absl::StatusOr<std::vector<std::optional<v1::DeviceWindow>>> GetWindows(
      const std::vector<WindowId>& ids) override;
  absl::StatusOr<std::vector<std::optional<v1::ProbeObservation>>> GetProbes(
      const std::vector<ProbeId>& ids) override;
  absl::StatusOr<std::vector<std::optional<v1::DeviceInfo>>> GetDevices(
      const std::vector<uint64_t>& macs) override;

  // Flushes every memtable and compacts every table to its bottom level, so that what is on disk
  // is the steady-state size of the data (benchmarks, offline maintenance). Runs on the caller's
  // thread and may take long; commits continue meanwhile.
  absl::Status CompactAll();
  // Bytes of live table files across all tables (excludes the WAL and files awaiting deletion).
  absl::StatusOr<uint64_t> LiveFileBytes();

 private:
  enum Cf { kDefault = 0, kAgents, kStreams, kDevices, kWindows, kProbes, kMeta, kOutbox, kNumCfs };

  RocksDbStore(RocksDbStoreOptions options, std::unique_ptr<rocksdb::DB> db,
               std::vector<rocksdb::ColumnFamilyHandle*> handles);
  absl::Status LoadAgents();
  // Stream state from the cache or disk; requires commit_mu_.
  absl::StatusOr<StreamState> LoadStreamLocked(const std::string& key);
  // Retention's passes: windows or probes started before the cutoff; devices last seen before it.
  absl::StatusOr<uint64_t> DeleteRange(Cf cf, int64_t cutoff_ns);
  absl::StatusOr<uint64_t> DeleteDevicesLastSeenBefore(int64_t cutoff_ns);
  absl::Status LoadOutbox();
  // Values of `keys` in table `cf` (nullopt where absent), one iterator for all of them.
  absl::StatusOr<std::vector<std::optional<std::string>>> GetMany(
      Cf cf, const std::vector<std::string>& keys);
  // Visits the keys of `cf` (windows or probes layout) in `range`; `visit` gets the key parts
  // and the value.
  absl::Status ScanTimeKeyed(
      Cf cf, const ScanRange& range,
      const std::function<absl::Status(const keys::WindowKeyParts&, rocksdb::Slice)>& visit);

  RocksDbStoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::WriteOptions write_options_;

  std::mutex commit_mu_;
  absl::flat_hash_map<std::string, StreamState> streams_;   // guarded by commit_mu_
  absl::flat_hash_map<std::string, v1::AgentInfo> agents_;  // guarded by commit_mu_
  // Reused by CommitBatches to keep their capacity; guarded by commit_mu_.
  rocksdb::WriteBatch write_batch_;
  // Outbox bookkeeping; guarded by commit_mu_ (trims take it too).
  OutboxStats outbox_;
  std::string key_buffer_;
  std::string value_buffer_;
  // A stored window's device: batches[batch].batch->windows(window).
  struct DeviceRef {
    uint64_t mac;
    uint32_t batch;
    uint32_t window;
  };
  std::vector<DeviceRef> device_refs_;
  DeviceAccumulator device_acc_;
};

}  // namespace airfleet::collector
