#include "agent/spool/batch_sealer.h"

#include "agent/spool/spool_test_util.h"
#include "gtest/gtest.h"

namespace airfleet::spool {
namespace {

TEST(BatchSealerTest, EmptyInputMakesNoBatch) { EXPECT_TRUE(SealBatches({}, {}, 1 << 20).empty()); }

TEST(BatchSealerTest, SmallInputMakesOneBatchInOrder) {
  std::vector<v1::ProbeObservation> probes(2);
  probes[0].set_mac(7);
  probes[1].set_mac(8);
  auto batches = SealBatches(testing::MakeWindows(100, 5, 0), probes, 1 << 20);
  ASSERT_EQ(batches.size(), 1u);
  ASSERT_EQ(batches[0].windows_size(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(batches[0].windows(i).mac(), 100u + i);
  ASSERT_EQ(batches[0].probes_size(), 2);
  EXPECT_EQ(batches[0].probes(1).mac(), 8u);
}

TEST(BatchSealerTest, SplitsUnderTheLimitKeepingEverySummaryInOrder) {
  constexpr size_t kLimit = 16 * 1024;
  constexpr size_t kCount = 3000;  // ~60 B each: about 180 KB, so more than ten batches
  auto batches = SealBatches(testing::MakeWindows(1, kCount, 0), {}, kLimit);
  ASSERT_GT(batches.size(), 10u);
  uint64_t next_mac = 1;
  for (auto& b : batches) {
    // Leave room for the header fields the spool adds afterwards.
    b.set_agent_id("agent-with-a-longish-name");
    b.set_stream_id(~0ull);
    b.set_sequence(~0ull);
    b.set_created_ns(-1);
    EXPECT_LE(b.ByteSizeLong(), kLimit);
    EXPECT_GT(b.windows_size(), 0);
    for (const auto& w : b.windows()) EXPECT_EQ(w.mac(), next_mac++);
  }
  EXPECT_EQ(next_mac, kCount + 1);
}

TEST(BatchSealerTest, OversizedSummaryGetsItsOwnBatch) {
  auto windows = testing::MakeWindows(1, 3, 0);
  for (int i = 0; i < 200; ++i) windows[1].add_probed_ssids(std::string(100, 'x'));
  auto batches = SealBatches(std::move(windows), {}, 10000);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[1].windows(0).mac(), 2u);
}

}  // namespace
}  // namespace airfleet::spool
