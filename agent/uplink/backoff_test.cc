#include "agent/uplink/backoff.h"

#include <vector>

#include "gtest/gtest.h"

namespace airfleet::uplink {
namespace {

constexpr int64_t kMs = 1'000'000;

TEST(BackoffTest, CeilingDoublesFrom200MsAndCapsAt30s) {
  // With the largest possible draw the delay equals the ceiling: 200, 400, ... 25600, then 30000.
  Backoff backoff(BackoffPolicy{}, [] { return ~0ull; });
  const std::vector<int64_t> expected_ms = {200,   400,   800,   1600,  3200, 6400,
                                            12800, 25600, 30000, 30000, 30000};
  for (int64_t want : expected_ms) {
    const int64_t got = backoff.NextDelayNs();
    EXPECT_NEAR(static_cast<double>(got), static_cast<double>(want * kMs), 1.0) << want;
  }
}

TEST(BackoffTest, FullJitterSpansZeroToCeiling) {
  uint64_t draw = 0;
  Backoff backoff(BackoffPolicy{}, [&] { return draw; });
  draw = 0;
  EXPECT_EQ(backoff.NextDelayNs(), 0);                                        // ceiling 200 ms
  draw = 1ull << 63;                                                          // half way
  EXPECT_NEAR(static_cast<double>(backoff.NextDelayNs()), 200.0 * kMs, 1.0);  // half of 400 ms
}

TEST(BackoffTest, ResetStartsOverAndLongOutagesDoNotOverflow) {
  Backoff backoff(BackoffPolicy{.initial_ns = 10 * kMs, .max_ns = 1000 * kMs, .multiplier = 3},
                  [] { return ~0ull; });
  for (int i = 0; i < 10000; ++i) backoff.NextDelayNs();
  EXPECT_EQ(backoff.CeilingNs(), 1000 * kMs);
  EXPECT_NEAR(static_cast<double>(backoff.NextDelayNs()), 1000.0 * kMs, 1.0);
  backoff.Reset();
  EXPECT_EQ(backoff.CeilingNs(), 10 * kMs);
}

}  // namespace
}  // namespace airfleet::uplink
