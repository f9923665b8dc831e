#include "agent/summarise/device_state.h"

#include <gtest/gtest.h>

namespace airfleet::summarise {
namespace {

TEST(InsertSortedTest, KeepsDistinctAscendingAndStopsAtCapacity) {
  uint16_t a[3] = {};
  uint8_t n = 0;
  for (uint16_t v : {5180, 2412, 5180, 2437, 5745, 2462}) InsertSorted(v, a, &n, 3);
  ASSERT_EQ(n, 3);
  EXPECT_EQ(a[0], 2412);
  EXPECT_EQ(a[1], 2437);
  EXPECT_EQ(a[2], 5180);  // 5745 and 2462 came when full
}

TEST(DeviceStateTest, ProtoOfAReceiveOnlyDeviceHasNoTimesOrSignal) {
  DeviceState d;
  d.mac = 0x02aabbccddee;
  d.received_only = 3;
  v1::DeviceWindow w;
  ToProto(d, 60'000'000'000, 60000, nullptr, &w);
  EXPECT_EQ(w.mac(), 0x02aabbccddeeu);
  EXPECT_EQ(w.received_only_frames(), 3u);
  EXPECT_EQ(w.frames(), 0u);
  EXPECT_EQ(w.first_offset_us(), 0u);
  EXPECT_EQ(w.signal_count(), 0u);
  EXPECT_FALSE(w.has_seq());
  EXPECT_TRUE(w.randomised());
  EXPECT_EQ(w.window_start_ns(), 60'000'000'000);
}

TEST(DeviceStateTest, StructsStaySmall) {
  // The memory budget (10,000 devices within the agent's 24 MiB) assumes these sizes.
  EXPECT_LE(sizeof(DeviceState), 272u);
  EXPECT_LE(sizeof(ProbeState), 176u);
}

}  // namespace
}  // namespace airfleet::summarise
