#pragma once

// The commands that talk to a collector's Admin API: agents, devices, device, export windows.
// Each prints to `out`, reports errors to `err` ("airfleetctl: ..."), and returns an exit code
// (exit_codes.h). The clock is the caller's (`now_ns`), so ages are reproducible in tests.

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "tools/ctl/admin_client.h"
#include "tools/ctl/output.h"

namespace airfleet::ctl {

struct CommandContext {
  ConnectionOptions connection;
  Format format = Format::kTable;
  int64_t now_ns = 0;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
};

int RunAgents(const CommandContext& ctx);

// Filters of `devices`. They are applied by the collector, before --limit, because vendor and
// known-device labels are the collector's (an older collector ignores them).
struct DeviceFilterArgs {
  std::string vendor;  // case-insensitive substring of the vendor name
  bool randomised = false;
  bool known = false;            // in the known-device registry (known or guest)
  std::string first_seen_since;  // time args (time_arg.h); "" = unbounded
  std::string first_seen_until;
  std::string quiet_since;     // last seen before this
  std::string min_signal_dbm;  // dBm, e.g. "-70"; "" = no filter
};

// `since` and `agent` empty mean no filter; limit 0 means the collector's default.
int RunDevices(const CommandContext& ctx, const std::string& since, const std::string& agent,
               uint32_t limit, const DeviceFilterArgs& filter = {});

// `mac` in any form Mac::Parse accepts.
int RunDevice(const CommandContext& ctx, const std::string& mac);

// `clusters`: randomised-MAC clusters. Empty strings / 0 mean the collector's defaults.
struct ClusterArgs {
  std::string since, until;  // time arguments (time_arg.h)
  uint32_t min_macs = 0;
  std::string gap;  // a duration: "5m", "300s", "1h30m"
  double signal_tolerance_db = 0;
  std::string mac;  // only clusters holding this MAC
};
int RunClusters(const CommandContext& ctx, const ClusterArgs& args);

// Streams every stored window in [since, until) in ctx.format (ndjson is the usual choice).
int RunExportWindows(const CommandContext& ctx, const std::string& since, const std::string& until);

}  // namespace airfleet::ctl
