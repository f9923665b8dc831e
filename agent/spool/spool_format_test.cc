#include "agent/spool/spool_format.h"

#include "gtest/gtest.h"

namespace airfleet::spool::format {
namespace {

TEST(SpoolFormatTest, KeysSortLikeTheirNumbers) {
  // RocksDB compares keys bytewise; sequence order must survive that.
  EXPECT_LT(NumberedKey('b', 255), NumberedKey('b', 256));
  EXPECT_LT(NumberedKey('b', 1), NumberedKey('b', 1ull << 40));
  EXPECT_LT(NumberedKey('b', ~0ull), NumberedKey('c', 0));
  EXPECT_EQ(NumberedKey('b', 0x0102030405060708ull),
            std::string("b\x01\x02\x03\x04\x05\x06\x07\x08"));
  EXPECT_EQ(KeyNumber(NumberedKey('i', 123456789)), 123456789u);
  EXPECT_FALSE(KeyNumber("short").has_value());
}

TEST(SpoolFormatTest, BatchInfoRoundTripsIncludingNegativeTimes) {
  BatchInfo info{.created_ns = -5,
                 .bytes = 1 << 20,
                 .summaries = 77,
                 .first_window_ns = 60,
                 .last_window_ns = 1'700'000'000'000'000'000};
  auto back = DecodeBatchInfo(EncodeBatchInfo(info));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->created_ns, -5);
  EXPECT_EQ(back->bytes, 1u << 20);
  EXPECT_EQ(back->summaries, 77u);
  EXPECT_EQ(back->first_window_ns, 60);
  EXPECT_EQ(back->last_window_ns, 1'700'000'000'000'000'000);
  EXPECT_FALSE(DecodeBatchInfo("garbage").has_value());
}

}  // namespace
}  // namespace airfleet::spool::format
