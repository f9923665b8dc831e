#include "agent/capture/file_source.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "agent/capture/linktype.h"
#include "common/status_macros.h"

namespace airfleet::capture {

absl::StatusOr<double> ParseReplaySpeed(std::string_view text) {
  absl::string_view t(text.data(), text.size());
  if (t == "max") return 0.0;
  if (!t.empty() && (t.back() == 'x' || t.back() == 'X')) t.remove_suffix(1);
  double v = 0;
  if (!absl::SimpleAtod(t, &v) || !std::isfinite(v) || v <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "replay speed '", absl::string_view(text.data(), text.size()),
        "' is not valid: use 'max' or a positive factor of real time such as 1, 10 or 0.5"));
  }
  return v;
}

FileReplaySource::FileReplaySource(std::unique_ptr<CaptureFileReader> reader,
                                   FileReplayOptions options, Clock* clock)
    : reader_(std::move(reader)), options_(std::move(options)), clock_(clock) {}

absl::StatusOr<std::unique_ptr<FileReplaySource>> FileReplaySource::Open(const std::string& path,
                                                                         FileReplayOptions options,
                                                                         Clock* clock) {
  AF_ASSIGN_OR_RETURN(std::unique_ptr<CaptureFileReader> reader, CaptureFileReader::Open(path));
  return FromReader(std::move(reader), std::move(options), clock);
}

absl::StatusOr<std::unique_ptr<FileReplaySource>> FileReplaySource::FromReader(
    std::unique_ptr<CaptureFileReader> reader, FileReplayOptions options, Clock* clock) {
  if (options.speed < 0 || !std::isfinite(options.speed)) {
    return absl::InvalidArgumentError("replay speed must be 0 (max) or positive");
  }
  if (options.speed > 0 && clock == nullptr) {
    return absl::InvalidArgumentError("paced replay needs a clock");
  }
  if (options.is_supported_linktype && reader->format() == CaptureFormat::kPcap) {
    int lt = reader->interfaces()[0].linktype;
    if (!options.is_supported_linktype(lt)) {
      return absl::FailedPreconditionError(
          UnsupportedLinktypeMessage(reader->name(), lt, options.is_supported_linktype, ""));
    }
  }
  if (options.start_position != 0) AF_RETURN_IF_ERROR(reader->Seek(options.start_position));
  return std::unique_ptr<FileReplaySource>(
      new FileReplaySource(std::move(reader), std::move(options), clock));
}

absl::StatusOr<bool> FileReplaySource::Next(Packet* out) {
  if (!pending_) {
    if (at_end_) return false;
    AF_ASSIGN_OR_RETURN(bool got, reader_->Next(&held_));
    if (!got) {
      at_end_ = true;
      return false;
    }
    if (options_.is_supported_linktype && held_.linktype != last_checked_linktype_) {
      if (!options_.is_supported_linktype(held_.linktype)) {
        return absl::FailedPreconditionError(UnsupportedLinktypeMessage(
            reader_->name(), held_.linktype, options_.is_supported_linktype,
            absl::StrCat("pcapng interface ", held_.interface_id)));
      }
      last_checked_linktype_ = held_.linktype;
    }
    pending_ = true;
    due_ns_ = 0;
    if (options_.speed > 0) {
      if (!started_) {
        started_ = true;
        start_clock_ns_ = clock_->NowNs();
        first_ts_ns_ = held_.timestamp_ns;
      }
      // long double keeps ns precision over days of capture at any speed factor.
      long double offset =
          (static_cast<long double>(held_.timestamp_ns) - static_cast<long double>(first_ts_ns_)) /
          static_cast<long double>(options_.speed);
      if (offset > 0) {
        offset = std::min(offset, 1e18L);  // hostile timestamps must not overflow the deadline
        due_ns_ = start_clock_ns_ + static_cast<int64_t>(std::llround(offset));
      }
    }
  }
  if (due_ns_ > 0) {
    int64_t until = due_ns_;
    if (options_.max_block_ns > 0) {
      until = std::min(until, clock_->NowNs() + options_.max_block_ns);
    }
    if (!clock_->SleepUntil(until, &cancel_)) {
      return absl::CancelledError("replay cancelled");
    }
    if (clock_->NowNs() < due_ns_) return false;  // not due yet; held_ waits for the next call
  }
  pending_ = false;
  *out = held_;
  ++counters_.received;
  if (out->captured_len < out->original_len) ++counters_.truncated_records;
  return true;
}

}  // namespace airfleet::capture
