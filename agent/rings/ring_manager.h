#pragma once

// Capture rings on an agent: named, filtered, rotating pcap recordings of the packets the agent
// captures, kept on the agent until an operator fetches them (`airfleetctl capture ...`, through
// the collector). The control channel calls Start/Stop/Rotate/Remove/List/ReadChunk; the capture
// loop calls OnPacket for every packet.
//
// On disk (dir = e.g. <state dir>/rings):
//   dir/<ring>/ring.json   spec, running flag, closed files in creation order (ring_state.h)
//   dir/<ring>/files/<f>   the capture files: classic pcap, nanosecond timestamps (ring_file.h)
// Running rings restart when the manager is reopened (agent restart): the next packet opens a new
// file; old files stay listed. A file that was open when the agent died is listed as closed after
// a scan with the agent's own reader (a record cut short by a power loss is truncated away).
// ring.json is fsync'd on Start/Stop/Remove (the operator's decisions must survive a power cut)
// but not on rotation in the capture thread (the file list is also rebuilt by that scan).
//
// Files: opened at a ring's first packet after start or rotation, named by the pattern at that
// packet's time; linktype = that packet's. A packet of another linktype closes the file and opens
// a new one. Time rotation uses packet time (replays and live agree), aligned to multiples of
// rotate_seconds since the epoch; size rotation happens before a record would take the file past
// rotate_bytes (a single larger record still gets a file of its own). After a close, the oldest
// closed files beyond keep_files are deleted.
//
// Rate: bytes_per_second = bytes written (record headers included, i.e. disk use) over the last
// 10 seconds of packet time (per-second buckets), divided by the seconds covered (<= 10).
//
// Errors on the capture path (disk full, directory removed) never stop the agent: the packet is
// counted in write_errors, the message kept in last_error, and the ring goes on (after a failed
// file creation it retries at the next packet at least one second of packet time later).
//
// Threading: OnPacket from the capture thread; everything else from any other thread. OnPacket
// with no running ring is one relaxed atomic load; otherwise it takes the manager's mutex, which
// the control calls hold only for bookkeeping (ReadChunk reads and hashes outside it).

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "agent/capture/packet_source.h"
#include "agent/rings/ring_spec.h"

namespace airfleet::rings {

struct RingFileInfo {
  std::string name;
  uint64_t bytes = 0;  // file size, header included
  uint64_t packets = 0;
  int64_t first_packet_ns = 0;
  int64_t last_packet_ns = 0;
  bool open = false;  // being written; ReadChunk refuses it
};

struct RingInfo {
  RingSpec spec;
  bool running = false;
  std::vector<RingFileInfo> files;  // creation order; the open file (if any) last
  // Counters since the manager was opened (not persisted).
  uint64_t packets_written = 0;
  uint64_t bytes_written = 0;
  uint64_t packets_filtered_out = 0;
  uint64_t write_errors = 0;  // packets lost to write or file-creation errors
  double bytes_per_second = 0;
  std::string last_error;
};

struct FileChunk {
  std::string data;
  uint64_t file_size = 0;
  bool eof = false;        // offset + data.size() == file_size
  std::string sha256_hex;  // of the whole file; computed once per file, then cached
};

struct RingManagerOptions {
  size_t max_rings = 16;               // rings on disk, running or stopped (Remove frees a place)
  uint32_t max_chunk_bytes = 1 << 20;  // ReadChunk clamps max_bytes to this
};

class RingManager final : public capture::PacketTap {
 public:
  // Creates `dir` if needed and loads every ring in it; running rings are running again. A ring
  // whose ring.json cannot be read is left alone on disk and reported by load_errors() (for the
  // agent's log), so one damaged file never stops the agent. Errors: `dir` cannot be created.
  static absl::StatusOr<std::unique_ptr<RingManager>> Open(std::string dir,
                                                           RingManagerOptions options = {});
  ~RingManager();
  RingManager(const RingManager&) = delete;
  RingManager& operator=(const RingManager&) = delete;

  // Starts a ring. InvalidArgument (person-readable) for a bad name, filter, pattern or rule;
  // ResourceExhausted beyond max_rings. Idempotent for a control channel that retries: OK if the
  // ring already runs with the same spec; AlreadyExists if it runs with another spec (stop it
  // first: replacing silently would mix two filters in one ring's files). A stopped ring of that
  // name starts again with the new spec and keeps its files.
  absl::Status Start(const RingSpec& spec);

  // Closes the open file (it becomes a closed, fetchable file) and keeps every file. OK if the
  // ring is already stopped; NotFound for an unknown ring. The stop always applies in memory; an
  // error (e.g. disk full) means ring.json could not record it, so it may not survive a restart.
  absl::Status Stop(const std::string& name);

  // Closes the current file now; the next packet opens a new one. OK with nothing open (also for
  // a stopped ring); NotFound for an unknown ring.
  absl::Status Rotate(const std::string& name);

  // Deletes a stopped ring and its files. FailedPrecondition while running; NotFound if unknown.
  absl::Status Remove(const std::string& name);

  // One message per ring directory Open could not load (file and reason).
  const std::vector<std::string>& load_errors() const { return load_errors_; }

  // Every ring, by name.
  std::vector<RingInfo> List() const;

  // The capture path: see the header comment. `packet.data` is only read during the call.
  void OnPacket(const capture::Packet& packet) override;

  // A piece of a closed file, for fetch. NotFound for an unknown ring or file (only names the
  // ring lists are accepted, which also rules out path traversal); FailedPrecondition ("rotate the
  // ring first") for the open file; OutOfRange for an offset past the end. max_bytes is clamped
  // to options.max_chunk_bytes.
  absl::StatusOr<FileChunk> ReadChunk(const std::string& ring, const std::string& file,
                                      uint64_t offset, uint32_t max_bytes) const;

 private:
  struct Ring;
  RingManager(std::string dir, RingManagerOptions options);
  absl::Status LoadRing(const std::string& name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Deliver(Ring& ring, const capture::Packet& packet) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status OpenFile(Ring& ring, const capture::Packet& packet)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Closes the open file if any, trims to keep_files and saves ring.json (fsync'd if `sync`).
  absl::Status CloseFile(Ring& ring, bool sync) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Save(const Ring& ring, bool sync) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UpdateRunningCount() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string RingDir(const std::string& name) const;
  absl::StatusOr<std::string> Sha256Of(const std::string& path) const;

  const std::string dir_;
  const RingManagerOptions options_;
  std::vector<std::string> load_errors_;  // set by Open only
  // Rings that are running; read without the lock by OnPacket.
  std::atomic<int> running_{0};
  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<Ring>> rings_ ABSL_GUARDED_BY(mu_);
  // path -> hash of closed files (immutable once closed; keyed with size and mtime in case a
  // ring was removed and a new file took the same name).
  mutable absl::Mutex sha_mu_;
  mutable std::map<std::string, std::string> sha_cache_ ABSL_GUARDED_BY(sha_mu_);
};

}  // namespace airfleet::rings
