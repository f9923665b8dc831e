#include "collector/ingest/agent_registry.h"

#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

class AgentRegistryTest : public ::testing::Test {
 protected:
  int64_t now_ = 1'800'000'000 * kSecond;
  AgentRegistry registry_{[this] { return now_; }, AgentStatusPolicy{60 * kSecond, 300 * kSecond}};

  v1::AgentInfo Only() {
    std::vector<v1::AgentInfo> agents = registry_.Overlay({});
    EXPECT_EQ(agents.size(), 1u);
    return agents.empty() ? v1::AgentInfo() : agents[0];
  }
};

TEST_F(AgentRegistryTest, StatusFollowsConnectionsAndSilence) {
  registry_.OnConnect("pi-1", "ipv4:10.0.0.5:41000");
  EXPECT_EQ(Only().status(), v1::AGENT_STATUS_ONLINE);
  now_ += 61 * kSecond;  // nothing heard: a half-open link
  EXPECT_EQ(Only().status(), v1::AGENT_STATUS_OFFLINE);
  v1::AgentHealth heartbeat;
  heartbeat.set_periodic(true);
  heartbeat.set_time_ns(now_);
  registry_.OnHealth("pi-1", heartbeat);  // a heartbeat brings it back
  EXPECT_EQ(Only().status(), v1::AGENT_STATUS_ONLINE);
  registry_.OnDisconnect("pi-1");
  const v1::AgentInfo info = Only();
  EXPECT_EQ(info.status(), v1::AGENT_STATUS_OFFLINE);
  EXPECT_EQ(info.status_reason(), "disconnected; last heard 0s ago");
}

TEST_F(AgentRegistryTest, ClockOffsetFromPeriodicHeartbeatsOnly) {
  registry_.OnConnect("pi-1", "peer");
  v1::AgentHealth health;
  health.set_time_ns(now_ - 3600 * kSecond);  // an hour-old report from a batch's spool
  registry_.OnHealth("pi-1", health);
  EXPECT_FALSE(Only().has_clock_offset());
  health.set_periodic(true);
  health.set_time_ns(now_ + int64_t{2500} * 1'000'000);  // the agent's clock is 2.5 s ahead
  registry_.OnHealth("pi-1", health);
  EXPECT_TRUE(Only().has_clock_offset());
  EXPECT_EQ(Only().clock_offset_ms(), 2500);
}

TEST_F(AgentRegistryTest, StoredAgentsNotConnectedAreOffline) {
  v1::AgentInfo stored;
  stored.set_agent_id("pi-old");
  stored.set_last_seen_ns(now_ - 86'400 * kSecond);
  std::vector<v1::AgentInfo> agents = registry_.Overlay({stored});
  ASSERT_EQ(agents.size(), 1u);
  EXPECT_EQ(agents[0].status(), v1::AGENT_STATUS_OFFLINE);
  EXPECT_EQ(agents[0].status_reason(), "disconnected; last heard 24h ago");
}

}  // namespace
}  // namespace airfleet::collector
