#pragma once

// ring.json: the persistent part of a ring (spec, running flag, closed files in creation order).
// Written whole to a temporary file and renamed over the old one, so a reader sees the old or
// the new state, never half of one.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/rings/ring_manager.h"

namespace airfleet::rings {

struct RingState {
  RingSpec spec;
  bool running = false;
  std::vector<RingFileInfo> files;  // closed files, oldest first
};

std::string RingStateToJson(const RingState& state);
// InvalidArgument naming `origin` for malformed JSON or a spec that fails ValidateRingSpec.
absl::StatusOr<RingState> RingStateFromJson(const std::string& json, const std::string& origin);

// Atomic replace of `path`; with `sync` the file and its directory are fsync'd.
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents, bool sync);
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

}  // namespace airfleet::rings
