#pragma once

// Where a replay import stands, stored atomically with the batches it sealed (Spool::Append's
// replay_position) so that a restarted `run --pcap` continues exactly where the last sealed batch
// left off: same summaries as an uninterrupted run, nothing twice.
//
//   file_identity  size and a hash of the first 64 KiB: a different file starts from the top
//   resume_offset  byte offset of the first record of the oldest window still open when the batch
//                  was sealed (0 = start of file); every frame of every open window is at or
//                  after it, so replaying from there rebuilds those windows from scratch
//   watermark_ns   the summariser's watermark then; restoring it makes windows sealed before the
//                  crash count as sealed again (their stragglers are late, as they were)
//   finished       the whole file was read and flushed

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace airfleet::run {

struct ReplayPosition {
  std::string file_identity;
  uint64_t resume_offset = 0;
  int64_t watermark_ns = 0;
  bool finished = false;
};

// "<size>:<hex fnv64 of the first 64 KiB>"; errors name the file.
absl::StatusOr<std::string> FileIdentity(const std::string& path);

std::string EncodeReplayPosition(const ReplayPosition& position);
// nullopt for an empty or unreadable record (a spool that never imported anything).
std::optional<ReplayPosition> DecodeReplayPosition(const std::string& text);

// Where a replay of the file with `file_identity` starts, given the position stored in the spool:
// the same file continues from its resume point (or is already finished); any other file, or no
// stored position, starts from the top.
struct ResumePlan {
  uint64_t start_offset = 0;
  int64_t start_watermark_ns = 0;
  bool already_finished = false;
};
ResumePlan PlanResume(const std::string& stored_position, const std::string& file_identity);

}  // namespace airfleet::run
