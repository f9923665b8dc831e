#include "agent/control/remote_settings.h"

#include "gtest/gtest.h"

namespace airfleet::control {
namespace {

TEST(RemoteSettingsTest, NothingPushedMeansTheAgentsOwnSettings) {
  LocalSettings local;
  local.window_ms = 30'000;
  local.channels = {"1", "6"};
  local.privacy_mode = "pseudonymise";
  const EffectiveSettings e = Overlay(local, v1::AgentConfig());
  EXPECT_EQ(e.window_ms, 30'000u);
  EXPECT_EQ(e.channels, local.channels);
  EXPECT_FALSE(e.clock_aligned);
  EXPECT_EQ(e.privacy_mode, "pseudonymise");
  EXPECT_EQ(e.pushed_bpf_filter, "");
}

TEST(RemoteSettingsTest, PushedFieldsWinAndAPushedPlanIsClockAligned) {
  LocalSettings local;
  local.channels = {"36"};
  v1::AgentConfig pushed;
  pushed.set_window_ms(10'000);
  pushed.mutable_channel_plan()->add_channels("1");
  pushed.mutable_channel_plan()->add_channels("11");
  pushed.mutable_channel_plan()->set_dwell_ms(200);
  pushed.mutable_channel_plan()->set_stagger_offset(3);
  pushed.set_bpf_filter("wlan type mgt");
  const EffectiveSettings e = Overlay(local, pushed);
  EXPECT_EQ(e.window_ms, 10'000u);
  EXPECT_EQ(e.channels, (std::vector<std::string>{"1", "11"}));
  EXPECT_EQ(e.dwell_ns, 200'000'000);
  EXPECT_TRUE(e.clock_aligned);
  EXPECT_EQ(e.stagger_offset, 3u);
  EXPECT_EQ(e.pushed_bpf_filter, "wlan type mgt");
  EXPECT_EQ(e.privacy_mode, "off");
}

}  // namespace
}  // namespace airfleet::control
