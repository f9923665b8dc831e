#pragma once

// `airfleetctl sinks [status] | dead-letters [SINK] | init`: the collector's external sinks.
// Same conventions as admin_commands.h.

#include <string>

#include "tools/ctl/admin_commands.h"
#include "tools/ctl/output.h"

namespace airfleet::ctl {

// Columns: sink, open, written, retried, dead_lettered, pending, lag_ms, last_error.
Table SinksTable(const v1::ListSinksResponse& response);
// Columns: sink, kind, record_id, reason, dropped, outbox_seq.
Table DeadLettersTable(const v1::ListDeadLettersResponse& response);

// Per-sink counters and the outbox; a line on stderr when ingest is held by the outbox quota.
int RunSinksStatus(const CommandContext& ctx);
int RunSinksDeadLetters(const CommandContext& ctx, const std::string& sink, uint32_t limit);
// Creates schemas/templates on every configured sink (may take a minute on Cassandra).
int RunSinksInit(const CommandContext& ctx);
// Hands windows and probes stored since `since` (a time argument, "" = everything) to the sinks
// again through the outbox: for a sink configured after the data arrived.
int RunSinksBackfill(const CommandContext& ctx, const std::string& since);

}  // namespace airfleet::ctl
