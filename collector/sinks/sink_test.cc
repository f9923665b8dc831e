#include "collector/sinks/sink.h"

#include "gtest/gtest.h"

namespace airfleet::collector::sinks {
namespace {

TEST(RecordId, WindowIdIsDeterministicAndNamesItsKey) {
  WindowRecord w{"pi-01", {}, std::nullopt};
  w.window.set_mac(0x0011223344aaULL);
  w.window.set_window_start_ns(1700000000000000000);
  w.window.set_frames(5);
  EXPECT_EQ(RecordId(w), "w:pi-01:0011223344aa:1700000000000000000");
  w.window.set_frames(9);  // content does not change identity: a re-write overwrites
  EXPECT_EQ(RecordId(w), "w:pi-01:0011223344aa:1700000000000000000");
  EXPECT_EQ(RecordKind(w), "window");
}

TEST(RecordId, UnsafeAgentCharactersAreEscapedWithoutCollisions) {
  WindowRecord a{"a b", {}, std::nullopt};
  WindowRecord b{"a_20b", {}, std::nullopt};
  EXPECT_EQ(RecordId(a), "w:a_20b:000000000000:0");
  EXPECT_NE(RecordId(a), RecordId(b));  // '_' itself is escaped
}

TEST(RecordId, ProbesDifferBySsid) {
  ProbeRecord p{"x", {}, std::nullopt};
  p.probe.set_ssid("home");
  ProbeRecord q = p;
  q.probe.set_ssid("work");
  EXPECT_NE(RecordId(p), RecordId(q));
  p.probe.set_ssid("");
  EXPECT_EQ(RecordId(p), "p:x:000000000000:0:");
}

TEST(RecordId, DeviceAndAgent) {
  DeviceRecord d;
  d.device.set_mac(0xa1);
  EXPECT_EQ(RecordId(d), "d:0000000000a1");
  AgentRecord a;
  a.agent.set_agent_id("pi/02");
  EXPECT_EQ(RecordId(a), "a:pi_2f02");
  EXPECT_EQ(RecordKind(a), "agent");
}

}  // namespace
}  // namespace airfleet::collector::sinks
