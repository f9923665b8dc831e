#include "agent/capture/bpf_matcher.h"

#include <vector>

#include "gtest/gtest.h"

namespace airfleet::capture {
namespace {

constexpr int kRadiotap = 127;
constexpr int kEthernet = 1;

// A minimal radiotap header (version 0, length 8, no fields) and an 802.11 management header
// whose frame control byte is `fc0` (0x40 probe request, 0x80 beacon).
std::vector<uint8_t> RadiotapFrame(uint8_t fc0) {
  std::vector<uint8_t> f = {0, 0, 8, 0, 0, 0, 0, 0, fc0, 0, 0, 0};
  for (int i = 0; i < 3 * 6 + 2; ++i) f.push_back(static_cast<uint8_t>(i));
  return f;
}

Packet PacketOf(const std::vector<uint8_t>& bytes, int linktype) {
  Packet p;
  p.data = bytes.data();
  p.captured_len = p.original_len = static_cast<uint32_t>(bytes.size());
  p.linktype = linktype;
  return p;
}

TEST(BpfMatcherTest, SelectsBySubtypeOnRadiotap) {
  auto matcher = BpfMatcher::Create("wlan type mgt subtype probe-req", kRadiotap);
  ASSERT_TRUE(matcher.ok()) << matcher.status();
  const auto probe = RadiotapFrame(0x40);
  const auto beacon = RadiotapFrame(0x80);
  EXPECT_TRUE((*matcher)->Matches(PacketOf(probe, kRadiotap)));
  EXPECT_FALSE((*matcher)->Matches(PacketOf(beacon, kRadiotap)));
  EXPECT_EQ((*matcher)->compile_failures(), 0u);
}

TEST(BpfMatcherTest, BadExpressionIsRefusedWithLibpcapsWords) {
  auto matcher = BpfMatcher::Create("wlan type nonsense", kRadiotap);
  ASSERT_FALSE(matcher.ok());
  EXPECT_EQ(matcher.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(matcher.status().message().find("capture filter 'wlan type nonsense' is not valid"),
            std::string::npos);
}

TEST(BpfMatcherTest, ALinktypeTheExpressionCannotDescribeMatchesNothingAndIsCounted) {
  auto matcher = BpfMatcher::Create("wlan type mgt", kRadiotap);
  ASSERT_TRUE(matcher.ok());
  const std::vector<uint8_t> ethernet(60, 0);
  EXPECT_FALSE((*matcher)->Matches(PacketOf(ethernet, kEthernet)));
  EXPECT_FALSE((*matcher)->Matches(PacketOf(ethernet, kEthernet)));
  EXPECT_EQ((*matcher)->compile_failures(), 2u);
}

}  // namespace
}  // namespace airfleet::capture
