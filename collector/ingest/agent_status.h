#pragma once

// Online / lagging / offline: the fleet view's answer to "is this agent working?", decided at
// query time from what the registry last heard (no timer thread).
//
//   offline  not connected; or connected but silent (no heartbeat, batch or hello) for longer
//            than offline_after: a half-open TCP connection (a cut link, a Pi that lost power
//            behind a NAT) can look connected for many minutes before keepalives give up.
//   lagging  connected and heard from, but the oldest batch in its spool was older than
//            lagging_after when it last reported: its data reaches us late.
//   online   otherwise.
//
// The agent sends a heartbeat every 10 s by default (airfleet-agent --heartbeat), so the default
// offline threshold of 60 s tolerates five lost heartbeats.

#include <cstdint>
#include <string>

#include "airfleet/v1/ingest.pb.h"

namespace airfleet::collector {

struct AgentStatusPolicy {
  int64_t offline_after_ns = 60'000'000'000;
  int64_t lagging_after_ns = 300'000'000'000;
};

struct AgentStatusVerdict {
  v1::AgentStatus status = v1::AGENT_STATUS_UNSPECIFIED;
  std::string reason;  // empty when online
};

// `info.last_seen_ns` is the time of the last message from the agent (collector clock) and
// `info.last_health` its latest health report.
AgentStatusVerdict ClassifyAgent(const v1::AgentInfo& info, bool connected, int64_t now_ns,
                                 const AgentStatusPolicy& policy);

}  // namespace airfleet::collector
