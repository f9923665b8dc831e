#include "collector/ingest/agent_status.h"

#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kNow = 1'800'000'000 * kSecond;

AgentStatusPolicy Policy() {
  AgentStatusPolicy p;
  p.offline_after_ns = 60 * kSecond;
  p.lagging_after_ns = 300 * kSecond;
  return p;
}

v1::AgentInfo HeardAgo(int64_t ago_ns) {
  v1::AgentInfo info;
  info.set_agent_id("pi-1");
  info.set_last_seen_ns(kNow - ago_ns);
  return info;
}

TEST(AgentStatus, ConnectedAndRecentlyHeardIsOnline) {
  const AgentStatusVerdict v = ClassifyAgent(HeardAgo(5 * kSecond), true, kNow, Policy());
  EXPECT_EQ(v.status, v1::AGENT_STATUS_ONLINE);
  EXPECT_EQ(v.reason, "");
}

TEST(AgentStatus, DisconnectedIsOfflineAtOnceAndSaysWhenLastHeard) {
  const AgentStatusVerdict v = ClassifyAgent(HeardAgo(5 * kSecond), false, kNow, Policy());
  EXPECT_EQ(v.status, v1::AGENT_STATUS_OFFLINE);
  EXPECT_EQ(v.reason, "disconnected; last heard 5s ago");
}

TEST(AgentStatus, NeverHeardFrom) {
  v1::AgentInfo info;
  info.set_agent_id("pi-1");
  const AgentStatusVerdict v = ClassifyAgent(info, false, kNow, Policy());
  EXPECT_EQ(v.status, v1::AGENT_STATUS_OFFLINE);
  EXPECT_EQ(v.reason, "never connected");
}

// A half-open connection: the stream still looks connected but nothing arrives.
TEST(AgentStatus, ConnectedButSilentPastTheThresholdIsOffline) {
  EXPECT_EQ(ClassifyAgent(HeardAgo(60 * kSecond), true, kNow, Policy()).status,
            v1::AGENT_STATUS_ONLINE);  // the threshold itself is still online
  const AgentStatusVerdict v = ClassifyAgent(HeardAgo(75 * kSecond), true, kNow, Policy());
  EXPECT_EQ(v.status, v1::AGENT_STATUS_OFFLINE);
  EXPECT_EQ(v.reason, "connected but silent for 1m15s (offline after 1m): the link may be down");
}

TEST(AgentStatus, OldBacklogIsLagging) {
  v1::AgentInfo info = HeardAgo(2 * kSecond);
  info.mutable_last_health()->set_spool_batches(40);
  info.mutable_last_health()->set_oldest_unsent_age_ms(301'000);
  const AgentStatusVerdict v = ClassifyAgent(info, true, kNow, Policy());
  EXPECT_EQ(v.status, v1::AGENT_STATUS_LAGGING);
  EXPECT_EQ(v.reason, "40 batches waiting, the oldest 5m1s old (lagging after 5m)");
}

TEST(AgentStatus, YoungBacklogOrEmptySpoolIsOnline) {
  v1::AgentInfo info = HeardAgo(2 * kSecond);
  info.mutable_last_health()->set_spool_batches(3);
  info.mutable_last_health()->set_oldest_unsent_age_ms(299'000);
  EXPECT_EQ(ClassifyAgent(info, true, kNow, Policy()).status, v1::AGENT_STATUS_ONLINE);
  // An age without batches is a stale field, not a backlog.
  info.mutable_last_health()->set_spool_batches(0);
  info.mutable_last_health()->set_oldest_unsent_age_ms(900'000);
  EXPECT_EQ(ClassifyAgent(info, true, kNow, Policy()).status, v1::AGENT_STATUS_ONLINE);
}

TEST(AgentStatus, OfflineWinsOverLagging) {
  v1::AgentInfo info = HeardAgo(90 * kSecond);
  info.mutable_last_health()->set_spool_batches(40);
  info.mutable_last_health()->set_oldest_unsent_age_ms(900'000);
  EXPECT_EQ(ClassifyAgent(info, true, kNow, Policy()).status, v1::AGENT_STATUS_OFFLINE);
  EXPECT_EQ(ClassifyAgent(info, false, kNow, Policy()).status, v1::AGENT_STATUS_OFFLINE);
}

TEST(AgentStatus, ThresholdsComeFromThePolicy) {
  AgentStatusPolicy strict;
  strict.offline_after_ns = 2 * kSecond;
  strict.lagging_after_ns = 1 * kSecond;
  EXPECT_EQ(ClassifyAgent(HeardAgo(3 * kSecond), true, kNow, strict).status,
            v1::AGENT_STATUS_OFFLINE);
  v1::AgentInfo info = HeardAgo(1 * kSecond);
  info.mutable_last_health()->set_spool_batches(1);
  info.mutable_last_health()->set_oldest_unsent_age_ms(1'500);
  EXPECT_EQ(ClassifyAgent(info, true, kNow, strict).status, v1::AGENT_STATUS_LAGGING);
}

}  // namespace
}  // namespace airfleet::collector
