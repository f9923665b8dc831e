// Retention per kind (store.h, ApplyRetention): each kind is cut at its own age against the
// store's clock, a kind kept forever is not touched, and what retention never removes (agents,
// stream marks, meta records, the outbox) survives every pass.
#include <climits>
#include <tuple>

#include "collector/store/rocksdb_store.h"
#include "collector/testing/store_fixture.h"
#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

using testing::kDay;
using testing::kT0;

class RetentionTest : public testing::StoreTest {
 protected:
  // One device 0xa seen by pi-1 at kT0: a window, a probe of "cafe", the device record (last
  // seen kT0), an outbox entry no sink has delivered; and a known-device registry record.
  void SetUp() override {
    StoreTest::SetUp();
    ASSERT_TRUE(store_->CommitBatch("pi-1", testing::OneDeviceBatch(1, 1, 0xa, 3)).ok());
    ASSERT_TRUE(store_->WriteMeta({{"known/00000000000a", "phone"}}).ok());
  }

  // Whether 0xa's window, probe and device record are still stored.
  std::tuple<bool, bool, bool> Left() {
    auto w = store_->GetWindows({{"pi-1", 0xa, kT0}});
    auto p = store_->GetProbes({{"pi-1", 0xa, kT0, "cafe"}});
    auto d = store_->GetDevices({0xa});
    EXPECT_TRUE(w.ok() && p.ok() && d.ok());
    if (!w.ok() || !p.ok() || !d.ok()) return {};
    return {(*w)[0].has_value(), (*p)[0].has_value(), (*d)[0].has_value()};
  }

  void ExpectNeverRemovedKindsUntouched() {
    auto agents = store_->ListAgents();
    ASSERT_TRUE(agents.ok());
    ASSERT_EQ(agents->size(), 1u);
    EXPECT_EQ((*agents)[0].agent_id(), "pi-1");
    // The stream mark still makes the re-sent batch a duplicate (nothing stored twice).
    auto resent = store_->CommitBatch("pi-1", testing::OneDeviceBatch(1, 1, 0xa, 3));
    ASSERT_TRUE(resent.ok());
    EXPECT_TRUE(resent->duplicate);
    auto known = store_->ScanMeta("known/");
    ASSERT_TRUE(known.ok());
    EXPECT_EQ(known->size(), 1u);
    // The undelivered outbox entry stays, although the records it names may be gone (delivery
    // then skips them: collector/sinks/materialise.h).
    auto outbox = store_->ReadOutbox(0, 10);
    ASSERT_TRUE(outbox.ok());
    ASSERT_EQ(outbox->size(), 1u);
    EXPECT_EQ((*outbox)[0].entry.windows(0).mac(), 0xau);
    EXPECT_EQ(store_->GetOutboxStats().entries, 1u);
  }
};

TEST_F(RetentionTest, EachKindIsCutAtItsOwnAge) {
  const StoreRetention keep{.windows_days = 2, .probes_days = 5, .devices_days = 10};
  struct Step {
    int64_t now;
    uint64_t windows, probes, devices;  // deleted by this pass
    bool window_left, probe_left, device_left;
  };
  const Step steps[] = {
      // Exactly two days old: the cutoff equals the window start, which is kept.
      {kT0 + 2 * kDay, 0, 0, 0, true, true, true},
      {kT0 + 2 * kDay + 1, 1, 0, 0, false, true, true},
      {kT0 + 5 * kDay, 0, 0, 0, false, true, true},
      {kT0 + 5 * kDay + 1, 0, 1, 0, false, false, true},
      {kT0 + 10 * kDay, 0, 0, 0, false, false, true},
      {kT0 + 10 * kDay + 1, 0, 0, 1, false, false, false},
  };
  for (const Step& step : steps) {
    SCOPED_TRACE((step.now - kT0) / kDay);
    now_ = step.now;
    auto deleted = store_->ApplyRetention(keep);
    ASSERT_TRUE(deleted.ok()) << deleted.status();
    EXPECT_EQ(deleted->windows, step.windows);
    EXPECT_EQ(deleted->probes, step.probes);
    EXPECT_EQ(deleted->devices, step.devices);
    EXPECT_EQ(Left(), std::make_tuple(step.window_left, step.probe_left, step.device_left));
    ExpectNeverRemovedKindsUntouched();
  }
}

TEST_F(RetentionTest, AKindKeptForeverIsNotTouched) {
  now_ = kT0 + 10'000 * kDay;
  auto none = store_->ApplyRetention({});
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->total(), 0u);
  EXPECT_EQ(Left(), std::make_tuple(true, true, true));

  // Windows one day, probes and devices forever.
  auto windows = store_->ApplyRetention({.windows_days = 1});
  ASSERT_TRUE(windows.ok());
  EXPECT_EQ(windows->windows, 1u);
  EXPECT_EQ(windows->total(), 1u);
  EXPECT_EQ(Left(), std::make_tuple(false, true, true));
  ExpectNeverRemovedKindsUntouched();
}

TEST_F(RetentionTest, ADeviceRemovedBeforeItsWindowsComesBackWithItsNextWindow) {
  now_ = kT0 + 2 * kDay;
  auto deleted = store_->ApplyRetention({.windows_days = 30, .probes_days = 30, .devices_days = 1});
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->devices, 1u);
  EXPECT_EQ(Left(), std::make_tuple(true, true, false));
  EXPECT_EQ(store_->GetDevice(0xa, 1).status().code(), absl::StatusCode::kNotFound);

  // Its next window makes a new record, counting from that window on (the old totals went with
  // the old record; the kept windows still hold them).
  v1::Batch next = testing::OneDeviceBatch(1, 2, 0xa, 4);
  next.mutable_windows(0)->set_window_start_ns(kT0 + 2 * kDay);
  ASSERT_TRUE(store_->CommitBatch("pi-1", next).ok());
  auto device = store_->GetDevice(0xa, 10);
  ASSERT_TRUE(device.ok()) << device.status();
  EXPECT_EQ(device->device().first_seen_ns(), kT0 + 2 * kDay);
  EXPECT_EQ(device->device().frames(), 4u);
  EXPECT_EQ(device->recent_windows_size(), 2);
}

TEST_F(RetentionTest, AnAbsurdlyLongRetentionKeepsEverything) {
  EXPECT_EQ(RetentionCutoffNs(kT0, 1), kT0 - kDay);
  EXPECT_EQ(RetentionCutoffNs(INT64_MIN + 5, 1), INT64_MIN);
  // No overflow: the span saturates, and every time after 1970 is inside it.
  EXPECT_EQ(RetentionCutoffNs(kT0, INT_MAX), kT0 - INT64_MAX);
  auto deleted = store_->ApplyRetention(
      {.windows_days = INT_MAX, .probes_days = INT_MAX, .devices_days = INT_MAX});
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->total(), 0u);
  EXPECT_EQ(Left(), std::make_tuple(true, true, true));
}

}  // namespace
}  // namespace airfleet::collector
