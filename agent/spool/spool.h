#pragma once

// The agent's durable spool: the source of truth for sealed summaries until the collector
// acknowledges them (docs/architecture.md, "The agent's spool is the source of truth").
//
// Contract:
//  * Sequences start at 1 and are contiguous within a stream. The stream id is random and changes
//    only when the spool is created, wiped or quarantined.
//  * Append() is atomic: the batches it seals, the next sequence, the caller's replay position,
//    any quota drops and the loss record describing them land in one write or not at all. A caller
//    that resumes from ReplayPosition() after a crash therefore neither loses nor duplicates.
//  * Batches leave only through Acknowledge() (the collector has them) or a quota drop (recorded
//    in the loss ledger, which is cumulative and never shrinks).
//
// Threading: implementations are thread-safe. The usual pattern is one producer thread calling
// Append() and the uplink thread calling Peek()/Acknowledge().

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/spool/batch_sealer.h"
#include "airfleet/v1/batch.pb.h"
#include "airfleet/v1/summary.pb.h"

namespace airfleet::spool {

// One stored batch as the uplink sees it. `data` is a serialized airfleet.v1.Batch whose
// stream_id and sequence are already filled in.
struct SpooledBatch {
  uint64_t sequence = 0;
  int64_t created_ns = 0;
  uint32_t summaries = 0;
  std::string data;
};

struct AppendResult {
  // Sequences assigned to the new batches: [first_sequence, last_sequence]; both 0 when the call
  // sealed nothing (only the replay position moved).
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;
  // Batches and summaries dropped by the quota during this call (already in the ledger).
  uint64_t dropped_batches = 0;
  uint64_t dropped_summaries = 0;
};

struct SpoolStats {
  uint64_t batches = 0;
  // Logical bytes: serialized batch sizes. Disk use differs (compression, WAL, tombstones).
  uint64_t bytes = 0;
  uint64_t summaries = 0;
  // created_ns of the oldest batch still waiting for an ack; 0 when the spool is empty.
  int64_t oldest_created_ns = 0;
  // Lowest sequence still stored (== next_sequence when empty).
  uint64_t first_sequence = 0;
  uint64_t next_sequence = 0;
  // Highest sequence the collector acknowledged (0 = none yet).
  uint64_t acked_sequence = 0;
};

// What happened when an unreadable spool was moved aside at open.
struct QuarantineEvent {
  std::string quarantine_path;
  // The storage error that caused it, for the operator.
  std::string reason;
};

class Spool {
 public:
  virtual ~Spool() = default;

  // Seals `windows` and `probes` into as many batches as the size limit requires, assigns them
  // the next sequences and stores them together with `replay_position` (opaque to the spool).
  // `health`, when given, is attached to the first new batch with the loss ledger filled in.
  // `privacy`, when given, labels the batches (batch_sealer.h); summaries arrive already
  // pseudonymised, so the spool never holds raw addresses.
  // Errors: ResourceExhausted when the disk is full (nothing was stored; the spool stays usable
  // once space frees), Internal/DataLoss for storage failures.
  virtual absl::StatusOr<AppendResult> Append(std::vector<v1::DeviceWindow> windows,
                                              std::vector<v1::ProbeObservation> probes,
                                              std::string replay_position,
                                              const v1::AgentHealth* health = nullptr,
                                              const PrivacyForWindow& privacy = nullptr) = 0;

  // Up to `max_batches` stored batches with sequence >= from_sequence, in order, stopping early
  // once `max_bytes` is exceeded (at least one batch is returned if any exists).
  virtual absl::StatusOr<std::vector<SpooledBatch>> Peek(uint64_t from_sequence, size_t max_batches,
                                                         size_t max_bytes = SIZE_MAX) = 0;

  // The collector durably holds every batch <= sequence: delete them. Acks at or below the
  // current mark are no-ops; an ack beyond the last assigned sequence is InvalidArgument.
  virtual absl::Status Acknowledge(uint64_t sequence) = 0;

  // Adds a loss the caller observed (e.g. summaries it could not append while the disk was
  // full). Merged into the cumulative ledger.
  virtual absl::Status RecordLoss(const v1::LossRecord& loss) = 0;

  // Forces everything appended so far to stable storage (meaningful with group commit).
  virtual absl::Status Sync() = 0;

  // Small caller-owned metadata values (e.g. capture settings), stored next to the spool state.
  virtual absl::Status PutMetadata(const std::string& key, const std::string& value) = 0;
  virtual absl::StatusOr<std::optional<std::string>> GetMetadata(const std::string& key) = 0;

  virtual uint64_t stream_id() const = 0;
  virtual std::string ReplayPosition() const = 0;
  virtual std::vector<v1::LossRecord> Losses() const = 0;
  virtual SpoolStats Stats() const = 0;
  // Set when Open() found the spool unreadable and started a fresh one.
  virtual std::optional<QuarantineEvent> quarantine() const = 0;

  // Called (without spool locks held) after each Append() that stored at least one batch. Used
  // by the uplink to wake up instead of polling. Set it before other threads use the spool.
  virtual void SetAppendListener(std::function<void()> listener) = 0;
};

}  // namespace airfleet::spool
