#include "agent/cli/open_capture.h"

#include "agent/capture/clock.h"
#include "agent/capture/file_source.h"
#include "agent/dissect/dissector.h"

namespace airfleet::cli {

absl::StatusOr<std::unique_ptr<capture::PacketSource>> OpenCaptureForReplay(const std::string& path,
                                                                            double speed) {
  // The system clock is stateless; one instance serves every paced replay in the process.
  static capture::SystemClock* clock = new capture::SystemClock();
  capture::FileReplayOptions options;
  options.speed = speed;
  options.is_supported_linktype = dissect::IsSupportedLinktype;
  auto source = capture::FileReplaySource::Open(path, std::move(options), clock);
  if (!source.ok()) return source.status();
  return std::unique_ptr<capture::PacketSource>(std::move(*source));
}

}  // namespace airfleet::cli
