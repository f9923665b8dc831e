#include "agent/capture/bpf_filter.h"

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

TEST(BpfFilterTest, SelectsBySubtypeOnRadiotap) {
  ASSERT_TRUE(BpfFilter::Check("wlan type mgt subtype probe-req").ok());
  BpfFilter filter("wlan type mgt subtype probe-req");
  const auto probe = RadiotapFrame(0x40);
  const auto beacon = RadiotapFrame(0x80);
  std::string error;
  EXPECT_TRUE(filter.Matches(PacketOf(probe, kRadiotap), &error));
  EXPECT_FALSE(filter.Matches(PacketOf(beacon, kRadiotap), &error));
  EXPECT_EQ(error, "");
}

TEST(BpfFilterTest, BadExpressionIsRefusedWithLibpcapsWords) {
  const absl::Status s = BpfFilter::Check("wlan type nonsense");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("filter \"wlan type nonsense\" does not compile"), std::string::npos)
      << s;
}

TEST(BpfFilterTest, ALinktypeTheExpressionCannotDescribeMatchesNothingAndSaysWhy) {
  BpfFilter filter("wlan type mgt");
  const std::vector<uint8_t> ethernet(60, 0);
  std::string error;
  EXPECT_FALSE(filter.Matches(PacketOf(ethernet, kEthernet), &error));
  EXPECT_NE(error.find("does not compile for linktype 1"), std::string::npos) << error;
  EXPECT_FALSE(filter.Matches(PacketOf(ethernet, kEthernet), &error));
}

TEST(BpfFilterTest, EmptyExpressionPassesEverything) {
  BpfFilter filter("");
  const std::vector<uint8_t> ethernet(60, 0);
  std::string error;
  EXPECT_TRUE(filter.Matches(PacketOf(ethernet, kEthernet), &error));
}

}  // namespace
}  // namespace airfleet::capture
