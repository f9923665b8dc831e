// Backfill: data stored while no sink was configured reaches the outbox afterwards, each window
// and probe named exactly once, grouped by agent.
#include "collector/sinks/backfill.h"

#include <set>
#include <string>
#include <tuple>

#include "collector/testing/store_fixture.h"
#include "gtest/gtest.h"

namespace airfleet::collector::sinks {
namespace {

using collector::testing::kMinute;
using collector::testing::kT0;
using collector::testing::OneDeviceBatch;

class BackfillTest : public collector::testing::StoreTest {
 protected:
  // Ten devices heard before any sink existed: seven by pi-1, three by pi-2.
  void StoreWithoutOutbox() {
    Reopen(/*outbox=*/false);
    for (uint64_t i = 1; i <= 7; ++i) {
      ASSERT_TRUE(store_->CommitBatch("pi-1", OneDeviceBatch(1, i, 0x100 + i, 3)).ok());
    }
    for (uint64_t i = 1; i <= 3; ++i) {
      ASSERT_TRUE(store_->CommitBatch("pi-2", OneDeviceBatch(2, i, 0x200 + i, 3)).ok());
    }
  }
};

TEST_F(BackfillTest, NamesEveryStoredWindowAndProbeOnceGroupedByAgent) {
  StoreWithoutOutbox();
  Reopen(/*outbox=*/true);
  ASSERT_EQ(store_->GetOutboxStats().entries, 0u);  // nothing was recorded for the sinks

  auto result = BackfillOutbox(store_.get(), 0, now_.load(), /*refs_per_entry=*/4);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->windows, 10u);
  EXPECT_EQ(result->probes, 10u);
  // pi-1: 14 references in entries of 4 -> 4 entries; pi-2: 6 -> 2.
  EXPECT_EQ(result->entries, 6u);

  auto items = store_->ReadOutbox(0, 100);
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 6u);
  std::set<std::tuple<std::string, uint64_t, int64_t>> windows, probes;
  for (size_t i = 0; i < items->size(); ++i) {
    const v1::OutboxEntry& e = (*items)[i].entry;
    EXPECT_EQ((*items)[i].sequence, i + 1);  // contiguous, like committed entries
    EXPECT_LE(e.windows_size() + e.probes_size(), 4);
    EXPECT_EQ(e.committed_ns(), now_.load());
    for (const auto& w : e.windows()) {
      EXPECT_TRUE(windows.emplace(e.agent_id(), w.mac(), w.window_start_ns()).second)
          << "window named twice";
    }
    for (const auto& p : e.probes()) {
      EXPECT_EQ(p.ssid(), "cafe");
      EXPECT_TRUE(probes.emplace(e.agent_id(), p.mac(), p.window_start_ns()).second);
    }
  }
  std::set<std::tuple<std::string, uint64_t, int64_t>> expected;
  for (uint64_t i = 1; i <= 7; ++i) expected.emplace("pi-1", 0x100 + i, kT0);
  for (uint64_t i = 1; i <= 3; ++i) expected.emplace("pi-2", 0x200 + i, kT0);
  EXPECT_EQ(windows, expected);
  EXPECT_EQ(probes, expected);
  EXPECT_EQ(store_->GetOutboxStats().entries, 6u);

  // New batches keep numbering after the backfilled entries.
  ASSERT_TRUE(store_->CommitBatch("pi-2", OneDeviceBatch(2, 4, 0x204, 1)).ok());
  auto more = store_->ReadOutbox(6, 10);
  ASSERT_TRUE(more.ok());
  ASSERT_EQ(more->size(), 1u);
  EXPECT_EQ((*more)[0].sequence, 7u);
}

TEST_F(BackfillTest, SinceSelectsByWindowStart) {
  StoreWithoutOutbox();
  Reopen(true);
  auto later = BackfillOutbox(store_.get(), kT0 + kMinute, now_.load());
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->windows + later->probes + later->entries, 0u);
  auto all = BackfillOutbox(store_.get(), kT0, now_.load());
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->windows, 10u);
  EXPECT_EQ(all->entries, 2u);  // one per agent at the default grouping
}

TEST_F(BackfillTest, NeedsTheOutbox) {
  StoreWithoutOutbox();
  auto result = BackfillOutbox(store_.get(), 0, now_.load());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace airfleet::collector::sinks
