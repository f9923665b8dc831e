#include "tools/ctl/time_arg.h"

#include "gtest/gtest.h"

namespace airfleet::ctl {
namespace {

constexpr int64_t kS = 1000000000;
constexpr int64_t kNow = 1700000000LL * kS;  // 2023-11-14T22:13:20Z

TEST(TimeArgTest, DurationsCountBackFromNow) {
  EXPECT_EQ(*ParseTimeArg("90s", kNow), kNow - 90 * kS);
  EXPECT_EQ(*ParseTimeArg("15m", kNow), kNow - 900 * kS);
  EXPECT_EQ(*ParseTimeArg("2h", kNow), kNow - 7200 * kS);
  EXPECT_EQ(*ParseTimeArg("7d", kNow), kNow - 604800 * kS);
  EXPECT_EQ(*ParseTimeArg("1w", kNow), kNow - 604800 * kS);
  EXPECT_EQ(*ParseTimeArg("1h30m", kNow), kNow - 5400 * kS);
}

TEST(TimeArgTest, AbsoluteTimes) {
  // Expected values from `date -u -d '2024-05-01T12:00:00Z' +%s` = 1714564800.
  EXPECT_EQ(*ParseTimeArg("2024-05-01T12:00:00Z", kNow), 1714564800LL * kS);
  EXPECT_EQ(*ParseTimeArg("2024-05-01T14:00:00+02:00", kNow), 1714564800LL * kS);
  EXPECT_EQ(*ParseTimeArg("2024-05-01", kNow), (1714564800LL - 12 * 3600) * kS);
  EXPECT_EQ(*ParseTimeArg("@1700000000", kNow), kNow);
}

TEST(TimeArgTest, RejectsNonsenseWithTheAcceptedForms) {
  for (const char* bad : {"", "soon", "5", "5x", "h", "@", "@abc", "2024-13-45", "1h30"}) {
    auto t = ParseTimeArg(bad, kNow);
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(ParseTimeArg("soon", kNow).status().message().find("RFC 3339"), std::string::npos);
}

}  // namespace
}  // namespace airfleet::ctl
