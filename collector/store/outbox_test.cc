// The store's outbox (store.h, docs/sinks.md): written atomically with each committed batch,
// contiguous, survives restarts, trimmed by the sinks' progress; and the batched lookups that
// materialise the records it names.
#include "collector/store/rocksdb_store.h"
#include "collector/testing/store_fixture.h"
#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

using testing::kMinute;
using testing::kT0;

class OutboxTest : public testing::StoreTest {
 protected:
  static v1::Batch MakeBatch(uint64_t seq, uint64_t mac, uint32_t frames) {
    return testing::OneDeviceBatch(5, seq, mac, frames);
  }
};

TEST_F(OutboxTest, EachCommittedBatchAppendsOneEntryNamingItsRecords) {
  ASSERT_TRUE(store_->CommitBatch("pi-1", MakeBatch(1, 0xa, 3)).ok());
  ASSERT_TRUE(store_->CommitBatch("pi-1", MakeBatch(1, 0xa, 3)).ok());  // duplicate: no entry
  ASSERT_TRUE(store_->CommitBatch("pi-2", MakeBatch(1, 0xb, 4)).ok());

  auto items = store_->ReadOutbox(0, 100);
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].sequence, 1u);
  EXPECT_EQ((*items)[1].sequence, 2u);
  const v1::OutboxEntry& e = (*items)[0].entry;
  EXPECT_EQ(e.agent_id(), "pi-1");
  EXPECT_EQ(e.committed_ns(), kT0 + 5 * kMinute);
  ASSERT_EQ(e.windows_size(), 1);
  EXPECT_EQ(e.windows(0).mac(), 0xau);
  EXPECT_EQ(e.windows(0).window_start_ns(), kT0);
  ASSERT_EQ(e.probes_size(), 1);
  EXPECT_EQ(e.probes(0).ssid(), "cafe");
  ASSERT_EQ(e.losses_size(), 1);
  EXPECT_EQ(e.losses(0).reason(), "spool_quota");

  OutboxStats stats = store_->GetOutboxStats();
  EXPECT_EQ(stats.entries, 2u);
  EXPECT_EQ(stats.first_sequence, 1u);
  EXPECT_EQ(stats.next_sequence, 3u);
  EXPECT_GT(stats.bytes, 0u);
}

TEST_F(OutboxTest, DisabledOutboxWritesNothing) {
  Reopen(false);
  ASSERT_TRUE(store_->CommitBatch("pi-1", MakeBatch(1, 0xa, 3)).ok());
  auto items = store_->ReadOutbox(0, 100);
  ASSERT_TRUE(items.ok());
  EXPECT_TRUE(items->empty());
  EXPECT_EQ(store_->GetOutboxStats().entries, 0u);
}

TEST_F(OutboxTest, TrimAndRestartKeepNumberingAndCounts) {
  for (uint64_t seq = 1; seq <= 5; ++seq) {
    ASSERT_TRUE(store_->CommitBatch("pi-1", MakeBatch(seq, 0xa, 1)).ok());
  }
  const uint64_t full_bytes = store_->GetOutboxStats().bytes;
  ASSERT_TRUE(store_->TrimOutbox(3).ok());
  OutboxStats after_trim = store_->GetOutboxStats();
  EXPECT_EQ(after_trim.entries, 2u);
  EXPECT_EQ(after_trim.first_sequence, 4u);
  EXPECT_LT(after_trim.bytes, full_bytes);

  Reopen(true);  // counts rebuilt from disk must equal the running ones
  OutboxStats reopened = store_->GetOutboxStats();
  EXPECT_EQ(reopened.entries, 2u);
  EXPECT_EQ(reopened.first_sequence, 4u);
  EXPECT_EQ(reopened.next_sequence, 6u);
  EXPECT_EQ(reopened.bytes, after_trim.bytes);

  ASSERT_TRUE(store_->TrimOutbox(5).ok());
  Reopen(true);  // empty outbox: numbering continues, so sink cursors stay meaningful
  EXPECT_EQ(store_->GetOutboxStats().next_sequence, 6u);
  EXPECT_EQ(store_->GetOutboxStats().entries, 0u);
  ASSERT_TRUE(store_->CommitBatch("pi-1", MakeBatch(6, 0xa, 1)).ok());
  auto items = store_->ReadOutbox(5, 10);
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].sequence, 6u);
}

TEST_F(OutboxTest, BatchedLookupsReturnMergedValuesAndGapsForMissing) {
  // Two partial batches of one window: the lookup must see the merged window (3 + 4 frames).
  ASSERT_TRUE(store_->CommitBatch("pi-1", MakeBatch(1, 0xa, 3)).ok());
  ASSERT_TRUE(store_->CommitBatch("pi-1", MakeBatch(2, 0xa, 4)).ok());
  ASSERT_TRUE(store_->CommitBatch("pi-1", MakeBatch(3, 0xc, 9)).ok());

  auto windows = store_->GetWindows({{"pi-1", 0xc, kT0}, {"pi-9", 0xa, kT0}, {"pi-1", 0xa, kT0}});
  ASSERT_TRUE(windows.ok()) << windows.status();
  ASSERT_EQ(windows->size(), 3u);
  ASSERT_TRUE((*windows)[0].has_value());
  EXPECT_EQ((*windows)[0]->frames(), 9u);
  EXPECT_FALSE((*windows)[1].has_value());
  ASSERT_TRUE((*windows)[2].has_value());
  EXPECT_EQ((*windows)[2]->frames(), 7u);

  auto probes = store_->GetProbes({{"pi-1", 0xa, kT0, "cafe"}, {"pi-1", 0xa, kT0, "other"}});
  ASSERT_TRUE(probes.ok());
  ASSERT_TRUE((*probes)[0].has_value());
  EXPECT_EQ((*probes)[0]->count(), 7u);
  EXPECT_FALSE((*probes)[1].has_value());

  auto devices = store_->GetDevices({0xc, 0xdead, 0xa});
  ASSERT_TRUE(devices.ok());
  ASSERT_TRUE((*devices)[0].has_value());
  EXPECT_EQ((*devices)[0]->frames(), 9u);
  EXPECT_FALSE((*devices)[1].has_value());
  ASSERT_TRUE((*devices)[2].has_value());
  EXPECT_EQ((*devices)[2]->frames(), 7u);
}

}  // namespace
}  // namespace airfleet::collector
