#include "collector/sinks/sink.h"

#include <type_traits>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"

namespace airfleet::collector::sinks {
namespace {

// Agent ids come from certificate CNs and may hold any character; ids must stay URL- and
// key-safe, so anything outside the safe set is hex-escaped (reversible, hence collision-free).
std::string SafeAgent(std::string_view agent) {
  std::string out;
  for (unsigned char c : agent) {
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '.';
    if (safe) {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppendFormat(&out, "_%02x", c);
    }
  }
  return out;
}

}  // namespace

std::string RecordId(const Record& record) {
  return std::visit(
      [](const auto& r) -> std::string {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, WindowRecord>) {
          return absl::StrFormat("w:%s:%012x:%d", SafeAgent(r.agent_id), r.window.mac(),
                                 r.window.window_start_ns());
        } else if constexpr (std::is_same_v<T, ProbeRecord>) {
          return absl::StrFormat("p:%s:%012x:%d:%s", SafeAgent(r.agent_id), r.probe.mac(),
                                 r.probe.window_start_ns(), absl::BytesToHexString(r.probe.ssid()));
        } else if constexpr (std::is_same_v<T, DeviceRecord>) {
          return absl::StrFormat("d:%012x", r.device.mac());
        } else if constexpr (std::is_same_v<T, AgentRecord>) {
          return absl::StrFormat("a:%s", SafeAgent(r.agent.agent_id()));
        } else {
          return absl::StrFormat("e:%s:%d:%s:%d", SafeAgent(r.agent_id), r.loss.recorded_ns(),
                                 r.kind, r.loss.first_sequence());
        }
      },
      record);
}

std::string_view RecordKind(const Record& record) {
  static constexpr std::string_view kKinds[] = {"window", "probe", "device", "agent", "event"};
  return kKinds[record.index()];
}

}  // namespace airfleet::collector::sinks
