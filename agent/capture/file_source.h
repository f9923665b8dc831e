#pragma once

// FileReplaySource: a PacketSource over a capture file (pcap or pcapng, via CaptureFileReader),
// delivered either as fast as possible or paced at N times real time, so an agent can replay a
// recording as if it were live.
//
// Pacing: packet i is delivered no earlier than start + (ts_i - ts_0) / speed on the injected
// Clock, where start is the clock time when the first packet was read and ts_0 its timestamp.
// Packets with timestamps before ts_0 (out-of-order files) are delivered at once. Next() blocks
// on the clock while waiting; Cancel() from another thread ends the wait.
//
// Linktype check: with `is_supported_linktype` set, a file (or a pcapng interface) whose
// linktype the dissector cannot handle is reported as FailedPrecondition, e.g.
//   "x.pcap: linktype 1 (Ethernet) is not an 802.11 linktype; supported: 105, 119, 127, 163, 192"
// (pcap: at Open; pcapng: at the first packet of such an interface). The agent passes
// airfleet::dissect::IsSupportedLinktype; this module does not depend on the dissector.
//
// Threading: one thread calls Next/AtEnd/Counters; Cancel may be called from any thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "agent/capture/capture_file_reader.h"
#include "agent/capture/clock.h"
#include "agent/capture/packet_source.h"

namespace airfleet::capture {

struct FileReplayOptions {
  // 0 = "max" (no waiting); N > 0 = N times real time (1 = as recorded).
  double speed = 0;
  // Null = accept every linktype.
  std::function<bool(int)> is_supported_linktype;
  // Resume token (Packet::position of the last record processed); 0 = from the start.
  uint64_t start_position = 0;
  // Paced replay: 0 = Next() blocks until the packet is due. > 0 = it blocks at most this long,
  // then returns OK(false) with AtEnd() false and keeps the packet for the next call: a capture
  // with minutes of silence, replayed in real time, must not stall the caller's loop (the agent
  // pets the systemd watchdog and publishes its counters from there).
  int64_t max_block_ns = 0;
};

// "max" -> 0; "1", "10", "0.5", "2x" -> that factor. Error for anything else or <= 0.
absl::StatusOr<double> ParseReplaySpeed(std::string_view text);

class FileReplaySource final : public PacketSource {
 public:
  // `clock` must outlive the source; it may be null when options.speed == 0.
  static absl::StatusOr<std::unique_ptr<FileReplaySource>> Open(const std::string& path,
                                                                FileReplayOptions options,
                                                                Clock* clock);
  static absl::StatusOr<std::unique_ptr<FileReplaySource>> FromReader(
      std::unique_ptr<CaptureFileReader> reader, FileReplayOptions options, Clock* clock);

  absl::StatusOr<bool> Next(Packet* out) override;
  bool AtEnd() const override { return at_end_; }
  CaptureCounters Counters() const override { return counters_; }

  // Interrupts a paced wait in Next(), which then returns CancelledError. Irreversible.
  void Cancel() { cancel_.Notify(); }

  const CaptureFileReader& reader() const { return *reader_; }

 private:
  FileReplaySource(std::unique_ptr<CaptureFileReader> reader, FileReplayOptions options,
                   Clock* clock);

  std::unique_ptr<CaptureFileReader> reader_;
  FileReplayOptions options_;
  Clock* clock_;
  absl::Notification cancel_;
  CaptureCounters counters_;
  bool at_end_ = false;
  // A packet read from the file but not yet due (paced replay with max_block_ns).
  bool pending_ = false;
  Packet held_;
  int64_t due_ns_ = 0;  // clock time at which held_ is due; 0 = at once
  bool started_ = false;
  int64_t start_clock_ns_ = 0;
  int64_t first_ts_ns_ = 0;
  int last_checked_linktype_ = -1;
};

}  // namespace airfleet::capture
