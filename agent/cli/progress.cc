#include "agent/cli/progress.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace airfleet::cli {

std::string FormatImportProgress(const std::string& name, uint64_t bytes_done, uint64_t total_bytes,
                                 uint64_t packets, absl::Duration elapsed) {
  constexpr double kMiB = 1024.0 * 1024.0;
  std::string text = absl::StrCat("importing ", name, ": ");
  if (total_bytes > 0) {
    const uint64_t done = std::min(bytes_done, total_bytes);
    absl::StrAppendFormat(&text, "%d%% (%.1f of %.1f MiB), ", done * 100 / total_bytes,
                          static_cast<double>(done) / kMiB,
                          static_cast<double>(total_bytes) / kMiB);
  }
  absl::StrAppend(&text, packets, " packets");
  const double seconds = absl::ToDoubleSeconds(elapsed);
  if (seconds > 0) {
    absl::StrAppendFormat(&text, ", %.0f packets/s", static_cast<double>(packets) / seconds);
  }
  return text;
}

std::string FormatDrainProgress(uint64_t batches, uint64_t summaries, uint64_t acked_sequence) {
  return absl::StrCat("draining: ", batches, " batches (", summaries,
                      " summaries) waiting for the collector, acknowledged up to ", acked_sequence);
}

void ProgressLine::Update(const std::string& text, bool force) {
  const absl::Time now = absl::Now();
  if (!force && now - last_ < interval_) return;
  last_ = now;
  if (terminal_) {
    // Carriage return + erase to the end of the line: the new text replaces the old in place.
    std::fprintf(out_, "\r\x1b[K%s", text.c_str());
    open_line_ = true;
  } else {
    std::fprintf(out_, "%s\n", text.c_str());
  }
  std::fflush(out_);
}

void ProgressLine::Finish() {
  if (!open_line_) return;
  std::fputc('\n', out_);
  std::fflush(out_);
  open_line_ = false;
}

}  // namespace airfleet::cli
