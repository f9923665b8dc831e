#include "tools/ctl/analytics_commands.h"

#include <cctype>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/mac.h"
#include "tools/ctl/analytics_views.h"
#include "tools/ctl/exit_codes.h"
#include "tools/ctl/graph_export.h"
#include "tools/ctl/time_arg.h"

namespace airfleet::ctl {
namespace {

int Fail(const CommandContext& ctx, const absl::Status& status) {
  *ctx.err << "airfleetctl: " << status.message() << "\n";
  return ExitCodeFor(status);
}

struct Range {
  int64_t since_ns = 0;
  int64_t until_ns = 0;
};

absl::StatusOr<Range> ParseRange(const RangeArgs& args, int64_t now_ns) {
  Range r;
  if (!args.since.empty()) {
    auto t = ParseTimeArg(args.since, now_ns);
    if (!t.ok()) return absl::InvalidArgumentError(absl::StrCat("--since: ", t.status().message()));
    r.since_ns = *t;
  }
  if (!args.until.empty()) {
    auto t = ParseTimeArg(args.until, now_ns);
    if (!t.ok()) return absl::InvalidArgumentError(absl::StrCat("--until: ", t.status().message()));
    r.until_ns = *t;
    if (r.until_ns <= r.since_ns) {
      return absl::InvalidArgumentError("--until must be after --since");
    }
  }
  return r;
}

absl::StatusOr<uint64_t> ParseMacArg(const std::string& text) {
  if (text.empty()) return 0;
  std::optional<Mac> mac = Mac::Parse(text);
  if (!mac) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a MAC address (expected aa:bb:cc:dd:ee:ff)"));
  }
  return mac->ToU64();
}

}  // namespace

absl::StatusOr<int64_t> ParseInterval(const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  int64_t n = 0;
  if (digits == 0 || digits + 1 != text.size() || !absl::SimpleAtoi(text.substr(0, digits), &n) ||
      n <= 0 || n > 1'000'000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--interval: '", text, "' is not an interval (expected e.g. 30s, 1m, 5m, 1h, 1d)"));
  }
  int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1'000'000'000;
      break;
    case 'm':
      unit = 60'000'000'000;
      break;
    case 'h':
      unit = 3'600'000'000'000;
      break;
    case 'd':
      unit = 86'400'000'000'000;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("--interval: '", text, "' has no known unit (s, m, h or d)"));
  }
  return n * unit;
}

int RunProbes(const CommandContext& ctx, const std::string& mac, const RangeArgs& args,
              const std::string& agent) {
  auto range = ParseRange(args, ctx.now_ns);
  if (!range.ok()) return Fail(ctx, range.status());
  auto mac_u64 = ParseMacArg(mac);
  if (!mac_u64.ok()) return Fail(ctx, mac_u64.status());
  v1::ProbeStatsRequest request;
  request.set_mac(*mac_u64);
  request.set_since_ns(range->since_ns);
  request.set_until_ns(range->until_ns);
  request.set_agent_id(agent);
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  auto response = (*client)->ProbeStats(request);
  if (!response.ok()) return Fail(ctx, response.status());
  WriteTable(ProbeStatsTable(*response), ctx.format, *ctx.out);
  return kExitOk;
}

int RunSubtypeStats(const CommandContext& ctx, const RangeArgs& args, const std::string& agent) {
  auto range = ParseRange(args, ctx.now_ns);
  if (!range.ok()) return Fail(ctx, range.status());
  v1::SubtypeStatsRequest request;
  request.set_since_ns(range->since_ns);
  request.set_until_ns(range->until_ns);
  request.set_agent_id(agent);
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  auto response = (*client)->SubtypeStats(request);
  if (!response.ok()) return Fail(ctx, response.status());
  WriteTable(SubtypeTable(*response), ctx.format, *ctx.out);
  return kExitOk;
}

int RunFleetFrames(const CommandContext& ctx, const std::string& mac, const RangeArgs& args) {
  auto range = ParseRange(args, ctx.now_ns);
  if (!range.ok()) return Fail(ctx, range.status());
  auto mac_u64 = ParseMacArg(mac);
  if (!mac_u64.ok()) return Fail(ctx, mac_u64.status());
  v1::FleetFramesRequest request;
  request.set_mac(*mac_u64);
  request.set_since_ns(range->since_ns);
  request.set_until_ns(range->until_ns);
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  auto response = (*client)->FleetFrames(request);
  if (!response.ok()) return Fail(ctx, response.status());
  WriteTable(FleetFramesTable(*response), ctx.format, *ctx.out);
  return kExitOk;
}

int RunTimeline(const CommandContext& ctx, const std::string& interval, const RangeArgs& args,
                const std::string& agent) {
  auto range = ParseRange(args, ctx.now_ns);
  if (!range.ok()) return Fail(ctx, range.status());
  auto interval_ns = ParseInterval(interval);
  if (!interval_ns.ok()) return Fail(ctx, interval_ns.status());
  v1::TimelineRequest request;
  request.set_since_ns(range->since_ns);
  request.set_until_ns(range->until_ns);
  request.set_agent_id(agent);
  request.set_interval_ns(*interval_ns);
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  auto response = (*client)->Timeline(request);
  if (!response.ok()) return Fail(ctx, response.status());
  WriteTable(TimelineTable(*response), ctx.format, *ctx.out);
  if (ctx.format == Format::kTable) *ctx.out << "\n" << TimelineChart(*response);
  return kExitOk;
}

int RunGraph(const CommandContext& ctx, const std::string& graph_format, const RangeArgs& args) {
  GraphFormat format;
  if (graph_format == "graphml") {
    format = GraphFormat::kGraphml;
  } else if (graph_format == "dot") {
    format = GraphFormat::kDot;
  } else if (graph_format == "cypher") {
    format = GraphFormat::kCypher;
  } else {
    return Fail(ctx, absl::InvalidArgumentError(absl::StrCat(
                         "--format: '", graph_format, "' (expected graphml, dot or cypher)")));
  }
  auto range = ParseRange(args, ctx.now_ns);
  if (!range.ok()) return Fail(ctx, range.status());
  v1::GraphRequest request;
  request.set_since_ns(range->since_ns);
  request.set_until_ns(range->until_ns);
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  auto response = (*client)->DeviceGraph(request);
  if (!response.ok()) return Fail(ctx, response.status());
  *ctx.out << RenderGraph(*response, format);
  return kExitOk;
}

}  // namespace airfleet::ctl
