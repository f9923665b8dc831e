#pragma once

// The analytics commands (issue 4): probes, stats subtypes, stats frames, timeline, graph.
// Same conventions as admin_commands.h: print to ctx.out, errors to ctx.err, return an exit code.

#include <string>

#include "absl/status/statusor.h"
#include "tools/ctl/admin_commands.h"

namespace airfleet::ctl {

// Time range flags shared by the analytics commands ("" = unbounded).
struct RangeArgs {
  std::string since;
  std::string until;
};

int RunProbes(const CommandContext& ctx, const std::string& mac, const RangeArgs& range,
              const std::string& agent);
int RunSubtypeStats(const CommandContext& ctx, const RangeArgs& range, const std::string& agent);
// `mac` "" = every device.
int RunFleetFrames(const CommandContext& ctx, const std::string& mac, const RangeArgs& range);
// `interval`: "30s", "1m", "5m", "1h", "1d" (a number and one unit). Table format prints the table
// and then the chart; json/csv/ndjson the rows only.
int RunTimeline(const CommandContext& ctx, const std::string& interval, const RangeArgs& range,
                const std::string& agent);
// `graph_format`: graphml, dot or cypher (the global --output does not apply).
int RunGraph(const CommandContext& ctx, const std::string& graph_format, const RangeArgs& range);

// "5m" -> ns; INVALID_ARGUMENT for anything else. Exposed for tests.
absl::StatusOr<int64_t> ParseInterval(const std::string& text);

}  // namespace airfleet::ctl
