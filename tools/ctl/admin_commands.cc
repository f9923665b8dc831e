#include "tools/ctl/admin_commands.h"

#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/mac.h"
#include "tools/ctl/exit_codes.h"
#include "tools/ctl/time_arg.h"
#include "tools/ctl/views.h"

namespace airfleet::ctl {
namespace {

int Fail(const CommandContext& ctx, const absl::Status& status) {
  *ctx.err << "airfleetctl: " << status.message() << "\n";
  return ExitCodeFor(status);
}

}  // namespace

int RunAgents(const CommandContext& ctx) {
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  auto agents = (*client)->ListAgents();
  if (!agents.ok()) return Fail(ctx, agents.status());
  WriteTable(AgentsTable(*agents, ctx.now_ns), ctx.format, *ctx.out);
  return kExitOk;
}

int RunDevices(const CommandContext& ctx, const std::string& since, const std::string& agent,
               uint32_t limit, const DeviceFilterArgs& filter) {
  v1::ListDevicesRequest request;
  if (!since.empty()) {
    auto t = ParseTimeArg(since, ctx.now_ns);
    if (!t.ok())
      return Fail(ctx, absl::InvalidArgumentError(absl::StrCat("--since: ", t.status().message())));
    request.set_since_ns(*t);
  }
  request.set_agent_id(agent);
  request.set_limit(limit);
  request.set_vendor_contains(filter.vendor);
  request.set_randomised_only(filter.randomised);
  request.set_known_only(filter.known);
  struct TimeFlag {
    const char* flag;
    const std::string& text;
    void (v1::ListDevicesRequest::*set)(int64_t);
  };
  for (const TimeFlag& f : {TimeFlag{"--first-seen-since", filter.first_seen_since,
                                     &v1::ListDevicesRequest::set_first_seen_since_ns},
                            TimeFlag{"--first-seen-until", filter.first_seen_until,
                                     &v1::ListDevicesRequest::set_first_seen_until_ns},
                            TimeFlag{"--quiet-since", filter.quiet_since,
                                     &v1::ListDevicesRequest::set_quiet_since_ns}}) {
    if (f.text.empty()) continue;
    auto t = ParseTimeArg(f.text, ctx.now_ns);
    if (!t.ok()) {
      return Fail(ctx,
                  absl::InvalidArgumentError(absl::StrCat(f.flag, ": ", t.status().message())));
    }
    (request.*f.set)(*t);
  }
  if (!filter.min_signal_dbm.empty()) {
    int32_t dbm = 0;
    if (!absl::SimpleAtoi(filter.min_signal_dbm, &dbm) || dbm < -200 || dbm > 50) {
      return Fail(ctx, absl::InvalidArgumentError(
                           absl::StrCat("--min-signal: '", filter.min_signal_dbm,
                                        "' is not a signal in dBm (e.g. --min-signal=-70)")));
    }
    request.set_has_min_signal(true);
    request.set_min_signal_dbm(dbm);
  }
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  auto devices = (*client)->ListDevices(request);
  if (!devices.ok()) return Fail(ctx, devices.status());
  WriteTable(DevicesTable(*devices, ctx.now_ns), ctx.format, *ctx.out);
  return kExitOk;
}

int RunDevice(const CommandContext& ctx, const std::string& mac_text) {
  std::optional<Mac> mac = Mac::Parse(mac_text);
  if (!mac) {
    return Fail(ctx, absl::InvalidArgumentError(absl::StrCat(
                         "'", mac_text, "' is not a MAC address (expected aa:bb:cc:dd:ee:ff)")));
  }
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  auto device = (*client)->GetDevice(mac->ToU64());
  if (!device.ok()) {
    if (device.status().code() == absl::StatusCode::kNotFound) {
      return Fail(ctx, absl::NotFoundError(absl::StrCat("device ", mac->ToString(),
                                                        " is not known to the collector")));
    }
    return Fail(ctx, device.status());
  }
  WriteDevice(*device, ctx.format, ctx.now_ns, *ctx.out);
  return kExitOk;
}

int RunExportWindows(const CommandContext& ctx, const std::string& since,
                     const std::string& until) {
  v1::ExportWindowsRequest request;
  if (!since.empty()) {
    auto t = ParseTimeArg(since, ctx.now_ns);
    if (!t.ok())
      return Fail(ctx, absl::InvalidArgumentError(absl::StrCat("--since: ", t.status().message())));
    request.set_since_ns(*t);
  }
  if (!until.empty()) {
    auto t = ParseTimeArg(until, ctx.now_ns);
    if (!t.ok())
      return Fail(ctx, absl::InvalidArgumentError(absl::StrCat("--until: ", t.status().message())));
    request.set_until_ns(*t);
  }
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  WindowExportWriter writer(ctx.format, *ctx.out);
  absl::Status st = (*client)->ExportWindows(request, [&](const v1::StoredWindow& w) {
    writer.Write(w);
    // A closed pipe (`| head`) ends the export quietly instead of streaming into the void.
    if (!*ctx.out) return absl::CancelledError("output closed");
    return absl::OkStatus();
  });
  if (st.code() == absl::StatusCode::kCancelled) return kExitOk;
  // Close the JSON array even on failure, so what was written still parses.
  writer.Finish();
  if (!st.ok()) return Fail(ctx, st);
  return kExitOk;
}

int RunClusters(const CommandContext& ctx, const ClusterArgs& args) {
  v1::ListClustersRequest request;
  for (auto [flag, text, setter] :
       {std::tuple{"--since", &args.since, &v1::ListClustersRequest::set_since_ns},
        std::tuple{"--until", &args.until, &v1::ListClustersRequest::set_until_ns}}) {
    if (text->empty()) continue;
    auto t = ParseTimeArg(*text, ctx.now_ns);
    if (!t.ok())
      return Fail(ctx, absl::InvalidArgumentError(absl::StrCat(flag, ": ", t.status().message())));
    (request.*setter)(*t);
  }
  if (!args.gap.empty()) {
    absl::Duration gap;
    if (!absl::ParseDuration(args.gap, &gap) || gap <= absl::ZeroDuration()) {
      return Fail(ctx, absl::InvalidArgumentError(absl::StrCat(
                           "--gap: '", args.gap, "' is not a positive duration (e.g. 5m, 90s)")));
    }
    request.set_session_gap_ns(absl::ToInt64Nanoseconds(gap));
  }
  if (args.signal_tolerance_db < 0) {
    return Fail(ctx, absl::InvalidArgumentError("--signal-tolerance: must be positive (dB)"));
  }
  request.set_signal_tolerance_db(static_cast<float>(args.signal_tolerance_db));
  request.set_min_macs(args.min_macs);
  if (!args.mac.empty()) {
    std::optional<Mac> mac = Mac::Parse(args.mac);
    if (!mac) {
      return Fail(
          ctx, absl::InvalidArgumentError(absl::StrCat(
                   "--mac: '", args.mac, "' is not a MAC address (expected aa:bb:cc:dd:ee:ff)")));
    }
    request.set_mac(mac->ToU64());
  }
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  auto clusters = (*client)->ListClusters(request);
  if (!clusters.ok()) return Fail(ctx, clusters.status());
  if (clusters->observations_dropped() > 0) {
    *ctx.err << "airfleetctl: partial answer: the collector left out "
             << clusters->observations_dropped()
             << " probe observations over its memory cap; narrow --since/--until\n";
  }
  WriteTable(ClustersTable(*clusters), ctx.format, *ctx.out);
  return kExitOk;
}

}  // namespace airfleet::ctl
