#include "agent/cli/replay_loop.h"

#include "agent/cli/exit_codes.h"
#include "agent/run/agent_runner.h"

namespace airfleet::cli {

ReplayResult DissectAll(capture::PacketSource& source, const dissect::DissectOptions& options,
                        const std::function<bool(uint64_t, const dissect::Frame&)>& on_frame) {
  ReplayResult result;
  capture::Packet packet;
  dissect::Frame frame;
  while (true) {
    absl::StatusOr<bool> got = source.Next(&packet);
    if (!got.ok()) {
      result.exit_code = absl::IsDataLoss(got.status()) ? kExitTruncated : kExitInput;
      result.message = std::string(got.status().message());
      break;
    }
    if (!*got) {
      if (source.AtEnd()) break;
      source.WaitForPacket(100'000'000);
      continue;
    }
    ++result.packets;
    frame.timestamp_ns = packet.timestamp_ns;
    frame.original_len = packet.original_len;
    dissect::Dissect(packet.linktype, packet.data, packet.captured_len,
                     run::OptionsForPacket(options, packet), &frame);
    result.anomalies.Add(frame.anomaly);
    if (!on_frame(result.packets, frame)) break;
  }
  result.counters = source.Counters();
  return result;
}

}  // namespace airfleet::cli
