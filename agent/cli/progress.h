#pragma once

// Progress of the agent's long operations (a capture import, the backlog drain after it) on
// stderr. On a terminal one line is rewritten in place; with --progress on a pipe or journald
// each update is its own line (at most one per `interval`), so logs stay readable. Without a
// terminal and without --progress nothing is printed.
//
// The Format* functions are pure and unit-tested; ProgressLine only times and writes.

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/time/time.h"

namespace airfleet::cli {

// "importing a.pcap: 45% (12.3 of 27.4 MiB), 123456 packets, 85000 packets/s".
// `total_bytes` 0 (unknown size) leaves the percentage out.
std::string FormatImportProgress(const std::string& name, uint64_t bytes_done, uint64_t total_bytes,
                                 uint64_t packets, absl::Duration elapsed);

// "draining: 34 batches (2300 summaries) waiting for the collector, acknowledged up to 118".
std::string FormatDrainProgress(uint64_t batches, uint64_t summaries, uint64_t acked_sequence);

class ProgressLine {
 public:
  // `terminal`: rewrite in place; otherwise (forced) one line per update.
  ProgressLine(std::FILE* out, bool terminal, absl::Duration interval = absl::Milliseconds(500))
      : out_(out), terminal_(terminal), interval_(interval) {}

  // Prints `text` unless the previous update was less than `interval` ago (force: print now).
  void Update(const std::string& text, bool force = false);
  // Ends the in-place line (a newline on a terminal) so later log lines start clean.
  void Finish();

 private:
  std::FILE* out_;
  bool terminal_;
  absl::Duration interval_;
  absl::Time last_ = absl::InfinitePast();
  bool open_line_ = false;
};

}  // namespace airfleet::cli
