#include "collector/ingest/agent_status.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace airfleet::collector {
namespace {

// Whole seconds read better than absl's "1m15.000123s" in a status line (and absl spells zero
// "0", not "0s").
std::string Ago(int64_t ns) {
  if (ns < 1'000'000'000) return "0s";
  return absl::FormatDuration(absl::Seconds(ns / 1'000'000'000));
}

}  // namespace

AgentStatusVerdict ClassifyAgent(const v1::AgentInfo& info, bool connected, int64_t now_ns,
                                 const AgentStatusPolicy& policy) {
  AgentStatusVerdict v;
  const int64_t silent_ns = info.last_seen_ns() > 0 ? now_ns - info.last_seen_ns() : -1;
  if (!connected) {
    v.status = v1::AGENT_STATUS_OFFLINE;
    v.reason = silent_ns < 0 ? "never connected"
                             : absl::StrCat("disconnected; last heard ", Ago(silent_ns), " ago");
    return v;
  }
  if (silent_ns > policy.offline_after_ns) {
    v.status = v1::AGENT_STATUS_OFFLINE;
    v.reason = absl::StrCat("connected but silent for ", Ago(silent_ns), " (offline after ",
                            Ago(policy.offline_after_ns), "): the link may be down");
    return v;
  }
  const v1::AgentHealth& health = info.last_health();
  const int64_t backlog_age_ns = health.oldest_unsent_age_ms() * 1'000'000;
  if (health.spool_batches() > 0 && backlog_age_ns > policy.lagging_after_ns) {
    v.status = v1::AGENT_STATUS_LAGGING;
    v.reason =
        absl::StrCat(health.spool_batches(), " batches waiting, the oldest ", Ago(backlog_age_ns),
                     " old (lagging after ", Ago(policy.lagging_after_ns), ")");
    return v;
  }
  v.status = v1::AGENT_STATUS_ONLINE;
  return v;
}

}  // namespace airfleet::collector
