#pragma once

// What an operator asks for when starting a capture ring, and the checks that turn a bad request
// into a message a person can act on (the spec arrives from `airfleetctl capture start` through
// the collector, so the message is all the operator sees).

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace airfleet::rings {

struct RingSpec {
  // [A-Za-z0-9_-]{1,64}: it names a directory under the manager's directory.
  std::string name;
  // libpcap filter expression; "" = every packet. Compiled per linktype (see bpf_filter.h).
  std::string bpf_filter;
  // File name: strftime fields (UTC) of the file's first packet time. Allowed fields: %Y %y %m
  // %d %H %M %S %j %s %F %%; no '/', no "..", may not start with '.'. A name already taken gets
  // "-N" before its extension.
  std::string file_pattern = "%Y%m%d-%H%M%S.pcap";
  // Rotation: a new file when the packet time reaches the next multiple of rotate_seconds since
  // the epoch (so files line up across agents and restarts; 0 = no time rotation), and/or before
  // a record would take the file past rotate_bytes (0 = no size rotation). At least one rule.
  int64_t rotate_seconds = 0;
  uint64_t rotate_bytes = 0;
  // Closed files kept per ring (the oldest are deleted); the open file is not counted.
  uint32_t keep_files = 10;

  bool operator==(const RingSpec&) const = default;
};

// Limits, public so that the CLI can state them.
inline constexpr size_t kMaxRingNameLength = 64;
inline constexpr size_t kMaxFilePatternLength = 128;
inline constexpr uint64_t kMinRotateBytes = 4096;  // a file header plus a few frames
inline constexpr uint32_t kMaxKeepFiles = 10000;

// InvalidArgument naming the field and the rule for a bad name, pattern, rotation rule or
// keep_files. Does not look at bpf_filter (BpfFilter::Check does, it needs libpcap).
absl::Status ValidateRingSpec(const RingSpec& spec);

// True for a plain file name: non-empty, no '/', no NUL, not "." or "..", no leading '.'.
bool IsPlainFileName(const std::string& name);

// The pattern expanded at `timestamp_ns` (UTC). The pattern must have passed ValidateRingSpec.
std::string ExpandFilePattern(const std::string& pattern, int64_t timestamp_ns);

}  // namespace airfleet::rings
