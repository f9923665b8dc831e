#pragma once

// Remote control through the collector (proto/airfleet/v1/control.proto):
//   airfleetctl agents config set AGENT|--all [--window D] [--channels LIST --dwell D]
//                                 [--privacy off|pseudonymise] [--bpf EXPR] [--reset]
//   airfleetctl agents config show [AGENT]
//   airfleetctl capture start|stop|rotate|list|fetch AGENT ...
// Same conventions as admin_commands.h (exit codes, --output).

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "airfleet/v1/control.pb.h"
#include "tools/ctl/admin_commands.h"
#include "tools/ctl/output.h"

namespace airfleet::ctl {

struct AgentConfigArgs {
  std::string agent;
  bool all_agents = false;
  std::string window;    // "10s", "1m" ("" = unchanged)
  std::string channels;  // "1,6,11" ("" = unchanged)
  std::string dwell = "250ms";
  std::string privacy;             // "" = unchanged
  std::optional<std::string> bpf;  // set (even to "") = change
  bool reset = false;              // replace: unset fields return to the agent's own
};

// The request the flags describe; InvalidArgument for unreadable durations or lists.
absl::StatusOr<v1::SetAgentConfigRequest> AgentConfigRequest(const AgentConfigArgs& args);
// Columns: agent, desired, applied, window_ms, channels, dwell_ms, stagger, privacy, bpf, result.
Table AgentConfigTable(const google::protobuf::RepeatedPtrField<v1::AgentConfigState>& states);

int RunAgentConfigSet(const CommandContext& ctx, const AgentConfigArgs& args);
int RunAgentConfigShow(const CommandContext& ctx, const std::string& agent);

struct RingArgs {
  std::string agent;
  std::string name;
  std::string bpf;
  std::string pattern;        // "" = the agent's default
  std::string rotate_every;   // duration ("" = none)
  uint64_t rotate_bytes = 0;  // 0 = none
  uint32_t keep = 10;
};
// Columns: ring, running, files, packets, bytes, filtered, errors, rate_bps, filter, last_error;
// with `files`, one row per file instead.
Table RingsTable(const v1::RingListReply& reply);
Table RingFilesTable(const v1::RingListReply& reply);

int RunCaptureStart(const CommandContext& ctx, const RingArgs& args);
int RunCaptureStop(const CommandContext& ctx, const std::string& agent, const std::string& ring);
int RunCaptureRotate(const CommandContext& ctx, const std::string& agent, const std::string& ring);
int RunCaptureList(const CommandContext& ctx, const std::string& agent, bool files);
// Brings FILE (default: the newest closed file of RING) to `out_path` (default: ./FILE),
// chunked, and checks the whole file's SHA-256 against the agent's. A partial download is
// removed. Shows progress on stderr when `progress`.
int RunCaptureFetch(const CommandContext& ctx, const std::string& agent, const std::string& ring,
                    const std::string& file, const std::string& out_path, bool progress);

}  // namespace airfleet::ctl
