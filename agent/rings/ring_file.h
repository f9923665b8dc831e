#pragma once

// One capture file of a ring while it is being written: classic pcap with nanosecond timestamps
// (capture::Packet carries ns), one linktype per file.
//
// Each record goes out with one writev(2) of header + bytes, unbuffered: a kill -9 then loses
// nothing written, the file on disk is always whole records (what a fetch or a crash-restart
// reads), and a failed or short write (disk full) is undone with ftruncate to the previous
// record boundary, so a full disk costs packets, never a corrupt file. The price is one system
// call per kept packet (ring_manager_benchmark; figures in docs/capture-rings.md).
//
// Not thread-safe; owned by one ring under the manager's lock.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/capture/packet_source.h"

namespace airfleet::rings {

class RingFileWriter {
 public:
  // Creates `path` (O_EXCL: AlreadyExists if taken) and writes the file header. On failure
  // nothing is left behind.
  static absl::StatusOr<std::unique_ptr<RingFileWriter>> Create(const std::string& path,
                                                                int linktype);
  ~RingFileWriter();  // closes the descriptor (no fsync: see ring_manager.h)
  RingFileWriter(const RingFileWriter&) = delete;
  RingFileWriter& operator=(const RingFileWriter&) = delete;

  // Appends one record. On error the file is as before the call.
  absl::Status Write(const capture::Packet& packet);

  // Size of the file in bytes (header included) and of a record for `packet`.
  uint64_t bytes() const { return bytes_; }
  static uint64_t RecordBytes(const capture::Packet& packet);
  int linktype() const { return linktype_; }

 private:
  RingFileWriter(int fd, std::string path, int linktype, uint64_t bytes);
  int fd_;
  std::string path_;
  int linktype_;
  uint64_t bytes_;
};

}  // namespace airfleet::rings
