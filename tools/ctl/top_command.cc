#include "tools/ctl/top_command.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/ctl/exit_codes.h"
#include "tools/ctl/top_view.h"

namespace airfleet::ctl {
namespace {

int Fail(const CommandContext& ctx, const absl::Status& status) {
  *ctx.err << "airfleetctl: " << status.message() << "\n";
  return ExitCodeFor(status);
}

// Enough to rank every device of a busy site; the collector caps it anyway.
constexpr uint32_t kDeviceLimit = 5000;

}  // namespace

int RunTop(const CommandContext& ctx, const TopArgs& args, bool clear_screen) {
  absl::Duration interval, since;
  if (!absl::ParseDuration(args.interval, &interval) || interval < absl::Milliseconds(100)) {
    return Fail(ctx, absl::InvalidArgumentError(absl::StrCat(
                         "--interval '", args.interval, "' must be a duration of at least 100ms")));
  }
  if (!absl::ParseDuration(args.since, &since) || since <= absl::ZeroDuration()) {
    return Fail(ctx, absl::InvalidArgumentError(
                         absl::StrCat("--since '", args.since, "' must be a positive duration")));
  }
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  TopOptions options;
  options.max_devices = args.devices;
  options.devices_window = args.since;

  std::optional<TopSnapshot> previous;
  for (uint32_t screen = 0; args.iterations == 0 || screen < args.iterations; ++screen) {
    if (screen > 0) absl::SleepFor(interval);
    const int64_t now_ns = absl::ToUnixNanos(absl::Now());
    TopSnapshot current;
    current.taken_ns = now_ns;
    absl::Status fetched;
    if (auto agents = (*client)->ListAgents(); agents.ok()) {
      current.agents = std::move(*agents);
      v1::ListDevicesRequest request;
      request.set_since_ns(now_ns - absl::ToInt64Nanoseconds(since));
      request.set_limit(kDeviceLimit);
      if (auto devices = (*client)->ListDevices(request); devices.ok()) {
        current.devices = std::move(*devices);
      } else {
        fetched = devices.status();
      }
    } else {
      fetched = agents.status();
    }
    // The first screen fails like any command; later a collector that went away is shown on
    // the screen while top keeps trying, as a live view should.
    if (!fetched.ok() && screen == 0) return Fail(ctx, fetched);
    if (clear_screen) {
      *ctx.out << "\x1b[H\x1b[2J";
    } else if (screen > 0) {
      *ctx.out << "\n";
    }
    if (!fetched.ok()) {
      *ctx.out << "airfleet top: cannot refresh: " << fetched.message() << "\n";
    } else {
      *ctx.out << RenderTop(current, previous ? &*previous : nullptr, now_ns, options);
      previous = std::move(current);
    }
    ctx.out->flush();
  }
  return kExitOk;
}

}  // namespace airfleet::ctl
