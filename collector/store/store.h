#pragma once

// The collector's store: where committed batches live and what the Admin API reads.
//
// Contract (docs/architecture.md, "The collector acknowledges only what is durable"):
//  * CommitBatches() is atomic and durable: when it returns OK every batch in the call is on disk
//    (WAL synced) or, for duplicates, was already there. The caller acknowledges only after that.
//  * Idempotence by (agent, stream): a batch whose sequence is at or below the stream's committed
//    mark is a duplicate and changes nothing.
//  * Gaps: a batch above mark+1 is ACCEPTED and the mark jumps to it. The agent drops batches only
//    when its spool quota forces it and reports them in its loss ledger, so waiting for them would
//    stall the stream forever. The skipped count is recorded per stream and returned.
//  * Two partial summaries of the same (device, agent, window) are merged, not duplicated.
//
// Threading: implementations are thread-safe; commits are serialised internally (group commit is
// the caller's job: pass many batches to one CommitBatches call).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "airfleet/v1/batch.pb.h"
#include "airfleet/v1/ingest.pb.h"
#include "airfleet/v1/outbox.pb.h"

namespace airfleet::collector {

// Unix nanoseconds "now"; injected so tests control time.
using NowNsFn = std::function<int64_t()>;

struct BatchToCommit {
  // The authenticated agent id (from the certificate, not from the batch).
  std::string agent_id;
  const v1::Batch* batch = nullptr;  // not owned; must outlive the CommitBatches call
};

struct CommitResult {
  bool duplicate = false;
  // The stream's committed mark after this batch (what to acknowledge).
  uint64_t committed_sequence = 0;
  // Sequences skipped by this batch (batch.sequence - previous mark - 1), 0 when contiguous.
  uint64_t skipped = 0;
};

// Per-stream bookkeeping.
struct StreamState {
  uint64_t committed_sequence = 0;
  uint64_t batches = 0;
  uint64_t summaries = 0;
  uint64_t skipped_sequences = 0;
};

struct DeviceQuery {
  int64_t since_ns = 0;  // only devices last seen at or after this
  std::string agent_id;  // only devices this agent has seen ("" = any)
  uint32_t limit = 0;    // 0 = no limit
  // Optional, applied after the filters above and before the limit: may fill in fields (the
  // Admin API's query-time enrichment); false drops the device.
  std::function<bool(v1::DeviceInfo*)> keep = nullptr;
};

// One change to the meta table: a put, or a delete when `value` is empty (nullopt).
struct MetaWrite {
  std::string key;
  std::optional<std::string> value;
};

// What an analytics scan reads: windows (or probes) with since_ns <= window_start_ns < until_ns
// (until 0 = no bound), of one device when mac != 0, reported by one agent when agent_id is set.
struct ScanRange {
  int64_t since_ns = 0;
  int64_t until_ns = 0;
  uint64_t mac = 0;
  std::string agent_id;
};

// Called per record with the reporting agent; a non-OK status stops the scan and is returned.
using WindowVisitor =
    std::function<absl::Status(std::string_view agent_id, const v1::DeviceWindow& window)>;
using ProbeVisitor =
    std::function<absl::Status(std::string_view agent_id, const v1::ProbeObservation& probe)>;

struct ExportPage {
  std::vector<v1::StoredWindow> windows;
  std::string next_cursor;  // pass back to continue; empty when done
};

// ---- Outbox for the external sinks (collector/sinks/, docs/sinks.md) ----

struct OutboxItem {
  uint64_t sequence = 0;
  v1::OutboxEntry entry;
};

struct OutboxStats {
  uint64_t first_sequence = 0;  // oldest entry still held (== next_sequence when empty)
  uint64_t next_sequence = 0;   // what the next committed batch gets
  uint64_t entries = 0;
  uint64_t bytes = 0;  // keys + values as written (not on-disk size after compression)
};

// ---- Retention (docs/retention.md) ----

// How many days the store keeps each kind of record; 0 keeps that kind forever. There is no field
// for agents, stream marks, the meta table or the outbox: retention never removes them. Stream
// marks are what makes a re-sent batch a duplicate, and the outbox is trimmed only behind the
// slowest sink (TrimOutbox), never by age.
struct StoreRetention {
  int windows_days = 0;  // window summaries, by window start
  int probes_days = 0;   // probe observations, by window start
  int devices_days = 0;  // device records (with their per-agent sightings), by last seen
};

// What one retention pass deleted.
struct RetentionResult {
  uint64_t windows = 0;
  uint64_t probes = 0;
  uint64_t devices = 0;
  uint64_t total() const { return windows + probes + devices; }
};

// Unix ns before which a record kept `days` days (> 0) has expired at `now_ns`. Saturates instead
// of overflowing, so an absurdly long retention keeps everything.
inline int64_t RetentionCutoffNs(int64_t now_ns, int days) {
  constexpr int64_t kNsPerDay = int64_t{86'400} * 1'000'000'000;
  const int64_t span = days >= INT64_MAX / kNsPerDay ? INT64_MAX : days * kNsPerDay;
  return now_ns < INT64_MIN + span ? INT64_MIN : now_ns - span;
}

// Identities of stored records, for batched lookups of their current merged value.
struct WindowId {
  std::string agent_id;
  uint64_t mac = 0;
  int64_t window_start_ns = 0;
};
struct ProbeId {
  std::string agent_id;
  uint64_t mac = 0;
  int64_t window_start_ns = 0;
  std::string ssid;
};

class Store {
 public:
  virtual ~Store() = default;

  // Commits batches atomically in one synced write; results[i] belongs to batches[i]. Several
  // batches of one stream may appear, in sequence order.
  virtual absl::StatusOr<std::vector<CommitResult>> CommitBatches(
      const std::vector<BatchToCommit>& batches) = 0;

  absl::StatusOr<CommitResult> CommitBatch(const std::string& agent_id, const v1::Batch& batch) {
    auto results = CommitBatches({BatchToCommit{agent_id, &batch}});
    if (!results.ok()) return results.status();
    return results->front();
  }

  // The stream's state; all zero for a stream never seen.
  virtual absl::StatusOr<StreamState> GetStream(const std::string& agent_id,
                                                uint64_t stream_id) = 0;

  // Records a (re)connection: peer address and version (not synced: advisory data).
  virtual absl::Status RecordAgentSession(const std::string& agent_id, const std::string& peer,
                                          const std::string& version) = 0;
  // Persisted agent records (connected is always false here; the live registry knows better).
  virtual absl::StatusOr<std::vector<v1::AgentInfo>> ListAgents() = 0;

  virtual absl::StatusOr<std::vector<v1::DeviceInfo>> ListDevices(const DeviceQuery& query) = 0;
  // NotFound if the device was never stored. `recent_windows` newest first, at most that many.
  virtual absl::StatusOr<v1::GetDeviceResponse> GetDevice(uint64_t mac,
                                                          uint32_t recent_windows) = 0;
  // Windows with since_ns <= window_start_ns < until_ns (until 0 = no bound), in key order
  // (device, then time), at most `limit` per page.
  virtual absl::StatusOr<ExportPage> ExportWindows(int64_t since_ns, int64_t until_ns,
                                                   const std::string& cursor, size_t limit) = 0;

  // Analytics scans (collector/analytics/ aggregates what they visit), in key order: device,
  // then window time. The store layout is device-major, so a time range without a MAC is a full
  // scan of the table (fine for the operator's occasional questions; a time index would be the
  // next step at scale).
  virtual absl::Status ScanWindows(const ScanRange& range, const WindowVisitor& visit) = 0;
  virtual absl::Status ScanProbes(const ScanRange& range, const ProbeVisitor& visit) = 0;

  // Deletes, each kind by its own age against the store's clock (now_ns): windows and probes whose
  // window started before RetentionCutoffNs(now, days), devices last seen before it. A kind kept
  // forever (0 days) is not even scanned. A device's windows and probes are not deleted with its
  // record (they have their own ages); its next window recreates the record from that window on.
  virtual absl::StatusOr<RetentionResult> ApplyRetention(const StoreRetention& keep) = 0;

  // Small operator-edited records beside the ingest path (the known-device registry). Callers
  // namespace their keys with a prefix ("known/"); the store itself uses "schema". WriteMeta is
  // atomic and synced; ScanMeta returns (key, value) pairs with that prefix in key order.
  virtual absl::Status WriteMeta(const std::vector<MetaWrite>& writes) = 0;
  virtual absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ScanMeta(
      std::string_view prefix) = 0;

  // The outbox (only written when the store was opened with it enabled): every committed,
  // non-duplicate batch appends one entry in the same atomic write as the batch. Sequences start
  // at 1 and are contiguous. ReadOutbox returns up to `limit` entries after `after_sequence`;
  // TrimOutbox deletes every entry up to and including `through_sequence` (synced).
  virtual absl::StatusOr<std::vector<OutboxItem>> ReadOutbox(uint64_t after_sequence,
                                                             size_t limit) = 0;
  virtual absl::Status TrimOutbox(uint64_t through_sequence) = 0;
  virtual OutboxStats GetOutboxStats() = 0;
  // Appends entries that no batch commit made (sinks::BackfillOutbox: data stored before the
  // sinks were configured), at the next sequences, in one synced write. FailedPrecondition when
  // the store was opened without the outbox.
  virtual absl::Status AppendOutbox(const std::vector<v1::OutboxEntry>& entries) = 0;

  // Current merged values, one per id in order (nullopt: not stored, e.g. removed by retention).
  // Batched because a point lookup in the write-optimised tables costs a sort of their memtable.
  virtual absl::StatusOr<std::vector<std::optional<v1::DeviceWindow>>> GetWindows(
      const std::vector<WindowId>& ids) = 0;
  virtual absl::StatusOr<std::vector<std::optional<v1::ProbeObservation>>> GetProbes(
      const std::vector<ProbeId>& ids) = 0;
  virtual absl::StatusOr<std::vector<std::optional<v1::DeviceInfo>>> GetDevices(
      const std::vector<uint64_t>& macs) = 0;
};

}  // namespace airfleet::collector
