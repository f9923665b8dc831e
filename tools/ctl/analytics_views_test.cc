#include "tools/ctl/analytics_views.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/ctl/analytics_commands.h"

namespace airfleet::ctl {
namespace {

using ::testing::HasSubstr;

TEST(Timeline, ChartScalesBarsToTheLargestCount) {
  v1::TimelineResponse r;
  auto add = [&](int64_t t, const char* agent, uint32_t n) {
    auto* p = r.add_points();
    p->set_interval_start_ns(t);
    p->set_agent_id(agent);
    p->set_devices(n);
  };
  add(0, "", 8);
  add(0, "pi", 8);
  add(60'000'000'000, "", 3);
  std::string chart = TimelineChart(r, 4);
  // 8 of max 8 at width 4 -> 4 full blocks; 3 of 8 -> 1.5 blocks = one full + half block.
  EXPECT_THAT(chart, HasSubstr("1970-01-01T00:00:00Z      8 ████\n"));
  EXPECT_THAT(chart, HasSubstr("1970-01-01T00:01:00Z      3 █▌\n"));
  EXPECT_THAT(chart, HasSubstr("fleet\n"));
  EXPECT_THAT(chart, HasSubstr("pi\n"));
}

TEST(Timeline, Intervals) {
  EXPECT_EQ(*ParseInterval("5m"), 300'000'000'000);
  EXPECT_EQ(*ParseInterval("1h"), 3'600'000'000'000);
  EXPECT_FALSE(ParseInterval("5").ok());
  EXPECT_FALSE(ParseInterval("0m").ok());
  EXPECT_FALSE(ParseInterval("5x").ok());
  EXPECT_FALSE(ParseInterval("m").ok());
}

TEST(Subtypes, TableNamesSubtypes) {
  v1::SubtypeStatsResponse r;
  auto* c = r.add_counts();
  c->set_day_start_ns(0);
  c->set_agent_id("pi");
  c->set_subtype_key(0x04);
  c->set_frames(9);
  Table t = SubtypeTable(r);
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0][0].value, "1970-01-01");
  EXPECT_EQ(t.rows[0][2].value, "mgmt/probe-req");
}

}  // namespace
}  // namespace airfleet::ctl
