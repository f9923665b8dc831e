#include "collector/store/keys.h"

#include "gtest/gtest.h"

namespace airfleet::collector::keys {
namespace {

TEST(KeysTest, WindowKeysSortByDeviceThenTime) {
  // Negative and positive times must sort numerically (sign bit flipped).
  EXPECT_LT(WindowKey(1, -5, "a"), WindowKey(1, 3, "a"));
  EXPECT_LT(WindowKey(1, 3, "z"), WindowKey(1, 4, "a"));
  EXPECT_LT(WindowKey(1, int64_t{1} << 62, "a"), WindowKey(2, -(int64_t{1} << 62), "a"));
}

TEST(KeysTest, WindowKeyRoundTrips) {
  std::string k = WindowKey(0x001122334455, 1'700'000'000'000'000'000, "pi-7");
  ASSERT_EQ(k.size(), 20u);
  EXPECT_EQ(static_cast<uint8_t>(k[3]), 0x11);  // big-endian MAC: 00 00 00 11 22 ...
  WindowKeyParts parts;
  ASSERT_TRUE(ParseWindowKey(k, &parts));
  EXPECT_EQ(parts.mac, 0x001122334455u);
  EXPECT_EQ(parts.window_start_ns, 1'700'000'000'000'000'000);
  EXPECT_EQ(parts.agent_id, "pi-7");
  EXPECT_FALSE(ParseWindowKey("short", &parts));
}

TEST(KeysTest, StreamKeysOfDifferentAgentsDoNotCollide) {
  // Length prefix: agent "ab" + stream X must differ from agent "a" + stream with 'b' prefix.
  EXPECT_NE(StreamKey("ab", 1), StreamKey("a", 0x6200000000000001));
}

}  // namespace
}  // namespace airfleet::collector::keys
