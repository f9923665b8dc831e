#pragma once

// The capture-file encoders live in common/pcap/ (the agent's capture rings write the same
// format); the generator keeps its historical names for them and the one file-writing helper.

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/pcap/pcap_writer.h"

namespace airfleet::framegen {

using pcap::PcapngWriter;
using pcap::PcapWriter;
using pcap::TimestampResolution;

// Writes bytes to path (replacing it).
absl::Status WriteFile(const std::string& path, std::string_view bytes);

}  // namespace airfleet::framegen
