#include "tools/ctl/known_commands.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/mac.h"
#include "tools/ctl/exit_codes.h"
#include "tools/ctl/known_csv.h"
#include "tools/ctl/views.h"

namespace airfleet::ctl {
namespace {

int Fail(const CommandContext& ctx, const absl::Status& status) {
  *ctx.err << "airfleetctl: " << status.message() << "\n";
  return ExitCodeFor(status);
}

absl::StatusOr<uint64_t> ParseMacArg(const std::string& text) {
  std::optional<Mac> mac = Mac::Parse(text);
  if (!mac) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a MAC address (expected aa:bb:cc:dd:ee:ff)"));
  }
  return mac->ToU64();
}

int Put(const CommandContext& ctx, const v1::PutKnownDevicesRequest& request) {
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  auto put = (*client)->PutKnownDevices(request);
  if (!put.ok()) return Fail(ctx, put.status());
  *ctx.err << "airfleetctl: " << put->added() << " added, " << put->replaced() << " replaced\n";
  return kExitOk;
}

}  // namespace

int RunKnownAdd(const CommandContext& ctx, const KnownAddArgs& args) {
  auto mac = ParseMacArg(args.mac);
  if (!mac.ok()) return Fail(ctx, mac.status());
  v1::PutKnownDevicesRequest request;
  v1::KnownDevice* d = request.add_devices();
  d->set_mac(*mac);
  d->set_name(args.name);
  d->set_owner(args.owner);
  d->set_kind(args.guest ? v1::KNOWN_KIND_GUEST : v1::KNOWN_KIND_KNOWN);
  for (const std::string& tag : args.tags) d->add_tags(tag);
  return Put(ctx, request);
}

int RunKnownRemove(const CommandContext& ctx, const std::string& mac_text) {
  auto mac = ParseMacArg(mac_text);
  if (!mac.ok()) return Fail(ctx, mac.status());
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  absl::Status st = (*client)->RemoveKnownDevice(*mac);
  if (!st.ok()) return Fail(ctx, st);
  return kExitOk;
}

int RunKnownImport(const CommandContext& ctx, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ctx, absl::NotFoundError(absl::StrCat("cannot read ", path)));
  std::stringstream text;
  text << in.rdbuf();
  auto devices = ParseKnownCsv(text.str());
  if (!devices.ok()) {
    *ctx.err << "airfleetctl: " << path << ": nothing imported:\n"
             << devices.status().message() << "\n";
    return kExitUsage;
  }
  v1::PutKnownDevicesRequest request;
  for (auto& d : *devices) *request.add_devices() = std::move(d);
  return Put(ctx, request);
}

int RunKnownList(const CommandContext& ctx) {
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  auto known = (*client)->ListKnownDevices();
  if (!known.ok()) return Fail(ctx, known.status());
  WriteTable(KnownTable(*known, ctx.now_ns), ctx.format, *ctx.out);
  return kExitOk;
}

}  // namespace airfleet::ctl
