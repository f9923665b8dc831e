#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "agent/capture/packet_source.h"

namespace airfleet::cli {

// Opens a pcap/pcapng file for replay. speed 0 = as fast as possible, N = N times real time.
// Fails with a person-readable message for a missing file, a non-capture file, or a capture
// whose linktype is not 802.11.
absl::StatusOr<std::unique_ptr<capture::PacketSource>> OpenCaptureForReplay(const std::string& path,
                                                                            double speed);

}  // namespace airfleet::cli
