#include "collector/control/config_merge.h"

#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

TEST(ConfigMergeTest, SetFieldsOverridePreviousAndUnsetOnesStay) {
  v1::AgentConfig previous;
  previous.set_window_ms(60'000);
  previous.set_bpf_filter("type mgt");
  v1::AgentConfig update;
  update.set_window_ms(10'000);
  update.mutable_channel_plan()->add_channels("1");
  const v1::AgentConfig merged = MergeAgentConfig(previous, update, /*replace=*/false);
  EXPECT_EQ(merged.window_ms(), 10'000u);
  EXPECT_EQ(merged.bpf_filter(), "type mgt");
  EXPECT_EQ(merged.channel_plan().channels(0), "1");
  EXPECT_FALSE(merged.has_privacy_mode());
}

TEST(ConfigMergeTest, ReplaceDropsWhatTheUpdateDoesNotSet) {
  v1::AgentConfig previous;
  previous.set_window_ms(60'000);
  v1::AgentConfig update;
  update.set_privacy_mode("off");
  const v1::AgentConfig merged = MergeAgentConfig(previous, update, /*replace=*/true);
  EXPECT_FALSE(merged.has_window_ms());
  EXPECT_EQ(merged.privacy_mode(), "off");
}

TEST(ConfigMergeTest, EmptyBpfFilterIsASettingNotAnAbsence) {
  v1::AgentConfig update;
  update.set_bpf_filter("");
  EXPECT_FALSE(IsEmptyAgentConfig(update));
  EXPECT_TRUE(IsEmptyAgentConfig(v1::AgentConfig()));
}

TEST(ConfigMergeTest, ChecksNameTheProblem) {
  v1::AgentConfig c;
  c.set_window_ms(7'000);  // does not divide a day
  EXPECT_NE(CheckAgentConfig(c).message().find("divide a day"), std::string::npos);
  c.set_window_ms(500);
  EXPECT_FALSE(CheckAgentConfig(c).ok());
  c.set_window_ms(10'000);
  EXPECT_TRUE(CheckAgentConfig(c).ok());
  c.mutable_channel_plan()->add_channels("1");
  c.mutable_channel_plan()->add_channels("6");
  c.mutable_channel_plan()->set_dwell_ms(10);
  EXPECT_NE(CheckAgentConfig(c).message().find("50 ms"), std::string::npos);
  c.mutable_channel_plan()->set_dwell_ms(200);
  EXPECT_TRUE(CheckAgentConfig(c).ok());
  c.set_privacy_mode("anonymise");
  EXPECT_NE(CheckAgentConfig(c).message().find("off or pseudonymise"), std::string::npos);
}

TEST(ConfigMergeTest, StaggerOffsetsFollowSortedIdsOncePerAgent) {
  const auto offsets = StaggerOffsets({"pi-c", "pi-a", "pi-b", "pi-a"});
  ASSERT_EQ(offsets.size(), 3u);
  EXPECT_EQ(offsets[0], (std::pair<std::string, uint32_t>{"pi-a", 0}));
  EXPECT_EQ(offsets[1], (std::pair<std::string, uint32_t>{"pi-b", 1}));
  EXPECT_EQ(offsets[2], (std::pair<std::string, uint32_t>{"pi-c", 2}));
}

}  // namespace
}  // namespace airfleet::collector
