#include "tools/ctl/sinks_commands.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "tools/ctl/exit_codes.h"
#include "tools/ctl/time_arg.h"

namespace airfleet::ctl {
namespace {

using Json = nlohmann::ordered_json;

int Fail(const CommandContext& ctx, const absl::Status& status) {
  *ctx.err << "airfleetctl: " << status.message() << "\n";
  return ExitCodeFor(status);
}

}  // namespace

Table SinksTable(const v1::ListSinksResponse& response) {
  Table t;
  t.columns = {{"sink", "SINK"},          {"open", "OPEN"},
               {"written", "WRITTEN"},    {"retried", "RETRIED"},
               {"dead_lettered", "DEAD"}, {"pending", "PENDING"},
               {"lag_ms", "LAG_MS"},      {"last_error", "LAST ERROR"}};
  for (const v1::SinkStatus& s : response.sinks()) {
    t.rows.push_back({Cell(s.name()), Cell(s.open()), Cell(s.written()), Cell(s.retried()),
                      Cell(s.dead_lettered()), Cell(s.pending_entries()), Cell(s.lag_ms()),
                      Cell(s.last_error().empty() ? Json(nullptr) : Json(s.last_error()))});
  }
  return t;
}

Table DeadLettersTable(const v1::ListDeadLettersResponse& response) {
  Table t;
  t.columns = {{"sink", "SINK"},     {"kind", "KIND"},       {"record_id", "RECORD"},
               {"reason", "REASON"}, {"dropped", "DROPPED"}, {"outbox_seq", "OUTBOX SEQ"}};
  for (const v1::DeadLetter& d : response.letters()) {
    t.rows.push_back({Cell(d.sink()), Cell(d.kind()), Cell(d.record_id()), Cell(d.reason()),
                      Cell(d.dropped_ns(), FormatTime(d.dropped_ns())), Cell(d.outbox_sequence())});
  }
  return t;
}

int RunSinksStatus(const CommandContext& ctx) {
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  auto sinks = (*client)->ListSinks();
  if (!sinks.ok()) return Fail(ctx, sinks.status());
  if (sinks->sinks_size() == 0) {
    *ctx.err << "airfleetctl: no external sinks are configured on this collector\n";
  } else {
    *ctx.err << "airfleetctl: outbox " << sinks->outbox_entries() << " entries, "
             << sinks->outbox_bytes() << " of " << sinks->outbox_quota_bytes() << " bytes\n";
    if (sinks->ingest_held()) {
      *ctx.err << "airfleetctl: the outbox is over its quota: the collector is not "
                  "acknowledging agents until the sinks catch up (agents keep their data)\n";
    }
  }
  WriteTable(SinksTable(*sinks), ctx.format, *ctx.out);
  return kExitOk;
}

int RunSinksDeadLetters(const CommandContext& ctx, const std::string& sink, uint32_t limit) {
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  v1::ListDeadLettersRequest request;
  request.set_sink(sink);
  request.set_limit(limit);
  auto letters = (*client)->ListDeadLetters(request);
  if (!letters.ok()) return Fail(ctx, letters.status());
  WriteTable(DeadLettersTable(*letters), ctx.format, *ctx.out);
  return kExitOk;
}

int RunSinksInit(const CommandContext& ctx) {
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  auto done =
      (*client)->InitSinks(std::max(ctx.connection.timeout, std::chrono::milliseconds(120'000)));
  if (!done.ok()) return Fail(ctx, done.status());
  for (const std::string& line : done->results()) *ctx.out << line << "\n";
  return kExitOk;
}

int RunSinksBackfill(const CommandContext& ctx, const std::string& since) {
  int64_t since_ns = 0;
  if (!since.empty()) {
    auto t = ParseTimeArg(since, ctx.now_ns);
    if (!t.ok()) {
      return Fail(ctx, absl::InvalidArgumentError(absl::StrCat("--since: ", t.status().message())));
    }
    since_ns = *t;
  }
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  // A scan of the whole store: give it longer than a query.
  auto done = (*client)->BackfillSinks(
      since_ns, std::max(ctx.connection.timeout, std::chrono::milliseconds(600'000)));
  if (!done.ok()) return Fail(ctx, done.status());
  *ctx.out << done->windows() << " windows and " << done->probes()
           << " probes queued for the sinks in " << done->entries() << " outbox entries\n";
  return kExitOk;
}

}  // namespace airfleet::ctl
