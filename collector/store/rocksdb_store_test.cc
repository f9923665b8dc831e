#include "collector/store/rocksdb_store.h"

#include <atomic>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

using ::testing::ElementsAre;

constexpr int64_t kT0 = 1'700'000'040'000'000'000;  // a window boundary
constexpr int64_t kMinute = 60'000'000'000;
constexpr int64_t kDay = 24 * 60 * kMinute;

class RocksDbStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::path(::testing::TempDir()) /
        (std::string("store_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto store = RocksDbStore::Open({dir_.string(), [this] { return now_.load(); }, true});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  static v1::DeviceWindow Window(uint64_t mac, int64_t start, uint32_t frames) {
    v1::DeviceWindow w;
    w.set_mac(mac);
    w.set_window_start_ns(start);
    w.set_window_ms(60000);
    w.set_first_offset_us(1000);
    w.set_last_offset_us(2000);
    w.set_frames(frames);
    return w;
  }
  static v1::Batch MakeBatch(uint64_t stream, uint64_t seq, std::vector<v1::DeviceWindow> ws) {
    v1::Batch b;
    b.set_agent_id("pi-1");
    b.set_stream_id(stream);
    b.set_sequence(seq);
    for (auto& w : ws) *b.add_windows() = std::move(w);
    return b;
  }

  std::filesystem::path dir_;
  std::atomic<int64_t> now_{kT0 + 5 * kMinute};
  std::unique_ptr<RocksDbStore> store_;
};

TEST_F(RocksDbStoreTest, CommitThenDuplicateIsNotStoredTwice) {
  v1::Batch b1 = MakeBatch(77, 1, {Window(0xa, kT0, 3), Window(0xb, kT0, 4)});
  auto r1 = store_->CommitBatch("pi-1", b1);
  ASSERT_TRUE(r1.ok()) << r1.status();
  EXPECT_FALSE(r1->duplicate);
  EXPECT_EQ(r1->committed_sequence, 1u);

  auto r2 = store_->CommitBatch("pi-1", b1);
  ASSERT_TRUE(r2.ok());
  EXPECT_TRUE(r2->duplicate);
  EXPECT_EQ(r2->committed_sequence, 1u);

  auto device = store_->GetDevice(0xa, 10);
  ASSERT_TRUE(device.ok()) << device.status();
  EXPECT_EQ(device->device().frames(), 3u);
  ASSERT_EQ(device->recent_windows_size(), 1);
  EXPECT_EQ(device->recent_windows(0).frames(), 3u);

  auto stream = store_->GetStream("pi-1", 77);
  ASSERT_TRUE(stream.ok());
  EXPECT_EQ(stream->committed_sequence, 1u);
  EXPECT_EQ(stream->batches, 1u);
  EXPECT_EQ(stream->summaries, 2u);
}

TEST_F(RocksDbStoreTest, StreamsOfDifferentAgentsAreIndependent) {
  v1::Batch b = MakeBatch(77, 1, {Window(0xa, kT0, 3)});
  ASSERT_TRUE(store_->CommitBatch("pi-1", b).ok());
  auto other = store_->CommitBatch("pi-2", b);  // same stream id, other agent
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->duplicate);
  auto device = store_->GetDevice(0xa, 10);
  ASSERT_TRUE(device.ok());
  EXPECT_EQ(device->device().frames(), 6u);
  EXPECT_EQ(device->device().sightings_size(), 2);
  EXPECT_EQ(device->recent_windows_size(), 2);
}

TEST_F(RocksDbStoreTest, GapIsAcceptedAndRecorded) {
  ASSERT_TRUE(store_->CommitBatch("pi-1", MakeBatch(5, 1, {Window(0xa, kT0, 1)})).ok());
  auto r = store_->CommitBatch("pi-1", MakeBatch(5, 4, {Window(0xa, kT0 + kMinute, 1)}));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->duplicate);
  EXPECT_EQ(r->skipped, 2u);
  EXPECT_EQ(r->committed_sequence, 4u);
  // The skipped sequences can no longer be stored: they are at or below the mark.
  auto late = store_->CommitBatch("pi-1", MakeBatch(5, 3, {Window(0xa, kT0, 1)}));
  ASSERT_TRUE(late.ok());
  EXPECT_TRUE(late->duplicate);
  auto s = store_->GetStream("pi-1", 5);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->skipped_sequences, 2u);
}

TEST_F(RocksDbStoreTest, PartialWindowsOfOneAgentAreMerged) {
  v1::DeviceWindow first = Window(0xa, kT0, 3);
  v1::DeviceWindow second = Window(0xa, kT0, 4);
  second.set_first_offset_us(500);
  second.set_last_offset_us(9000);
  ASSERT_TRUE(store_->CommitBatch("pi-1", MakeBatch(1, 1, {first})).ok());
  // Restart mid-window: new stream (spool kept) or next sequence, same window again.
  ASSERT_TRUE(store_->CommitBatch("pi-1", MakeBatch(1, 2, {second})).ok());
  auto device = store_->GetDevice(0xa, 10);
  ASSERT_TRUE(device.ok());
  ASSERT_EQ(device->recent_windows_size(), 1);
  EXPECT_EQ(device->recent_windows(0).frames(), 7u);
  EXPECT_EQ(device->recent_windows(0).first_offset_us(), 500u);
  EXPECT_EQ(device->recent_windows(0).last_offset_us(), 9000u);
  EXPECT_EQ(device->device().frames(), 7u);
}

TEST_F(RocksDbStoreTest, GroupCommitOfSeveralStreams) {
  v1::Batch a1 = MakeBatch(1, 1, {Window(0xa, kT0, 1)});
  v1::Batch a2 = MakeBatch(1, 2, {Window(0xa, kT0 + kMinute, 1)});
  v1::Batch b1 = MakeBatch(2, 1, {Window(0xb, kT0, 1)});
  auto results =
      store_->CommitBatches({{"pi-1", &a1}, {"pi-1", &a2}, {"pi-2", &b1}, {"pi-1", &a1}});
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 4u);
  EXPECT_EQ((*results)[0].committed_sequence, 1u);
  EXPECT_EQ((*results)[1].committed_sequence, 2u);
  EXPECT_FALSE((*results)[2].duplicate);
  EXPECT_TRUE((*results)[3].duplicate);  // a1 again in the same group
  EXPECT_EQ((*results)[3].committed_sequence, 2u);
}

TEST_F(RocksDbStoreTest, MarksAndDataSurviveReopen) {
  ASSERT_TRUE(store_->CommitBatch("pi-1", MakeBatch(9, 1, {Window(0xa, kT0, 2)})).ok());
  ASSERT_TRUE(store_->CommitBatch("pi-1", MakeBatch(9, 2, {Window(0xa, kT0 + kMinute, 2)})).ok());
  Reopen();
  auto s = store_->GetStream("pi-1", 9);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->committed_sequence, 2u);
  auto dup = store_->CommitBatch("pi-1", MakeBatch(9, 2, {Window(0xa, kT0 + kMinute, 2)}));
  ASSERT_TRUE(dup.ok());
  EXPECT_TRUE(dup->duplicate);
  auto agents = store_->ListAgents();
  ASSERT_TRUE(agents.ok());
  ASSERT_EQ(agents->size(), 1u);
  EXPECT_EQ((*agents)[0].agent_id(), "pi-1");
  EXPECT_EQ((*agents)[0].batches(), 2u);
  EXPECT_EQ((*agents)[0].committed_sequence(), 2u);
  auto device = store_->GetDevice(0xa, 10);
  ASSERT_TRUE(device.ok());
  EXPECT_EQ(device->device().frames(), 4u);
  // Newest first.
  ASSERT_EQ(device->recent_windows_size(), 2);
  EXPECT_EQ(device->recent_windows(0).window_start_ns(), kT0 + kMinute);
}

TEST_F(RocksDbStoreTest, ListDevicesFilters) {
  ASSERT_TRUE(store_->CommitBatch("pi-1", MakeBatch(1, 1, {Window(0xa, kT0, 1)})).ok());
  ASSERT_TRUE(
      store_->CommitBatch("pi-2", MakeBatch(2, 1, {Window(0xb, kT0 + 10 * kMinute, 1)})).ok());
  auto all = store_->ListDevices({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
  auto recent = store_->ListDevices({kT0 + 5 * kMinute, "", 0});
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 1u);
  EXPECT_EQ((*recent)[0].mac(), 0xbu);
  auto by_agent = store_->ListDevices({0, "pi-1", 0});
  ASSERT_TRUE(by_agent.ok());
  ASSERT_EQ(by_agent->size(), 1u);
  EXPECT_EQ((*by_agent)[0].mac(), 0xau);
  EXPECT_EQ(store_->GetDevice(0xc, 1).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RocksDbStoreTest, ExportWindowsPagesThroughTimeRange) {
  std::vector<v1::DeviceWindow> ws;
  for (uint64_t mac = 1; mac <= 3; ++mac) {
    for (int m = 0; m < 4; ++m) ws.push_back(Window(mac, kT0 + m * kMinute, 1));
  }
  ASSERT_TRUE(store_->CommitBatch("pi-1", MakeBatch(1, 1, ws)).ok());
  // Minutes 1 and 2 of each device: 6 windows, fetched 4 at a time.
  std::vector<std::pair<uint64_t, int64_t>> got;
  std::string cursor;
  int pages = 0;
  do {
    auto page = store_->ExportWindows(kT0 + kMinute, kT0 + 3 * kMinute, cursor, 4);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& sw : page->windows) {
      EXPECT_EQ(sw.agent_id(), "pi-1");
      got.emplace_back(sw.window().mac(), sw.window().window_start_ns());
    }
    cursor = page->next_cursor;
    ASSERT_LT(++pages, 10);
  } while (!cursor.empty());
  EXPECT_THAT(got, ElementsAre(std::pair<uint64_t, int64_t>{1, kT0 + kMinute},
                               std::pair<uint64_t, int64_t>{1, kT0 + 2 * kMinute},
                               std::pair<uint64_t, int64_t>{2, kT0 + kMinute},
                               std::pair<uint64_t, int64_t>{2, kT0 + 2 * kMinute},
                               std::pair<uint64_t, int64_t>{3, kT0 + kMinute},
                               std::pair<uint64_t, int64_t>{3, kT0 + 2 * kMinute}));
}

TEST_F(RocksDbStoreTest, RetentionDeletesOldWindowsProbesAndDevices) {
  v1::Batch b = MakeBatch(
      1, 1,
      {Window(0xa, kT0 - 10 * kDay, 1), Window(0xa, kT0, 1), Window(0xb, kT0 - 10 * kDay, 1)});
  v1::ProbeObservation* old_probe = b.add_probes();
  old_probe->set_mac(0xa);
  old_probe->set_window_start_ns(kT0 - 10 * kDay);
  old_probe->set_ssid("cafe");
  old_probe->set_count(1);
  ASSERT_TRUE(store_->CommitBatch("pi-1", b).ok());
  // Every kind kept one day (retention_days alone); per-kind ages are in retention_test.cc.
  const StoreRetention one_day{.windows_days = 1, .probes_days = 1, .devices_days = 1};
  auto deleted = store_->ApplyRetention(one_day);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  // Two old windows, one old probe, device 0xb (last seen 10 days ago).
  EXPECT_EQ(deleted->windows, 2u);
  EXPECT_EQ(deleted->probes, 1u);
  EXPECT_EQ(deleted->devices, 1u);
  auto a = store_->GetDevice(0xa, 10);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->recent_windows_size(), 1);
  EXPECT_EQ(a->recent_windows(0).window_start_ns(), kT0);
  EXPECT_EQ(store_->GetDevice(0xb, 1).status().code(), absl::StatusCode::kNotFound);
  auto again = store_->ApplyRetention(one_day);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->total(), 0u);
}

TEST_F(RocksDbStoreTest, ScanProbesReturnsTheTimeRangeOfEveryDevice) {
  v1::Batch b = MakeBatch(1, 1, {});
  // Three devices, probes in minutes 0..3; two SSIDs for device 2 in minute 1.
  for (uint64_t mac : {1u, 2u, 3u}) {
    for (int m = 0; m < 4; ++m) {
      v1::ProbeObservation* p = b.add_probes();
      p->set_mac(mac);
      p->set_window_start_ns(kT0 + m * kMinute);
      p->set_count(static_cast<uint32_t>(m + 1));
    }
  }
  v1::ProbeObservation* extra = b.add_probes();
  extra->set_mac(2);
  extra->set_window_start_ns(kT0 + kMinute);
  extra->set_ssid("cafe");
  extra->set_count(9);
  ASSERT_TRUE(store_->CommitBatch("pi-1", b).ok());
  std::vector<std::tuple<uint64_t, int64_t, std::string>> got;
  auto collect = [&](std::string_view, const v1::ProbeObservation& p) {
    got.emplace_back(p.mac(), p.window_start_ns(), p.ssid());
    return absl::OkStatus();
  };
  ASSERT_TRUE(store_->ScanProbes(ScanRange{kT0 + kMinute, kT0 + 3 * kMinute}, collect).ok());
  using T = std::tuple<uint64_t, int64_t, std::string>;
  EXPECT_THAT(got, ElementsAre(T{1, kT0 + kMinute, ""}, T{1, kT0 + 2 * kMinute, ""},
                               T{2, kT0 + kMinute, ""}, T{2, kT0 + kMinute, "cafe"},
                               T{2, kT0 + 2 * kMinute, ""}, T{3, kT0 + kMinute, ""},
                               T{3, kT0 + 2 * kMinute, ""}));
  got.clear();
  ASSERT_TRUE(store_->ScanProbes(ScanRange{}, collect).ok());
  EXPECT_EQ(got.size(), 13u);
  // The visitor's error stops the scan and comes back.
  int calls = 0;
  absl::Status st =
      store_->ScanProbes(ScanRange{}, [&](std::string_view, const v1::ProbeObservation&) {
        ++calls;
        return absl::ResourceExhaustedError("enough");
      });
  EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(calls, 1);
}

// The analytics scans: time range, one MAC, one agent; probes report the agent from their key.
TEST_F(RocksDbStoreTest, ScansFilterByRangeMacAndAgent) {
  v1::Batch a = MakeBatch(1, 1,
                          {Window(0xa, kT0, 1), Window(0xa, kT0 + kMinute, 2),
                           Window(0xa, kT0 + 2 * kMinute, 3), Window(0xb, kT0 + kMinute, 4)});
  for (int64_t start : {kT0, kT0 + kMinute}) {
    v1::ProbeObservation* p = a.add_probes();
    p->set_mac(0xa);
    p->set_window_start_ns(start);
    p->set_ssid("cafe");
    p->set_count(1);
  }
  ASSERT_TRUE(store_->CommitBatch("pi-1", a).ok());
  v1::Batch b = MakeBatch(2, 1, {Window(0xa, kT0 + kMinute, 5)});
  b.set_agent_id("pi-22");
  ASSERT_TRUE(store_->CommitBatch("pi-22", b).ok());

  auto frames = [&](const ScanRange& range) {
    std::vector<std::string> seen;
    absl::Status st =
        store_->ScanWindows(range, [&](std::string_view agent, const v1::DeviceWindow& w) {
          seen.push_back(absl::StrCat(std::string(agent), ":", w.frames()));
          return absl::OkStatus();
        });
    EXPECT_TRUE(st.ok()) << st;
    return seen;
  };
  using ::testing::ElementsAre;
  EXPECT_THAT(frames({}), ElementsAre("pi-1:1", "pi-1:2", "pi-22:5", "pi-1:3", "pi-1:4"));
  EXPECT_THAT(frames({kT0 + kMinute, kT0 + 2 * kMinute, 0, ""}),
              ElementsAre("pi-1:2", "pi-22:5", "pi-1:4"));
  EXPECT_THAT(frames({kT0 + kMinute, 0, 0xa, ""}), ElementsAre("pi-1:2", "pi-22:5", "pi-1:3"));
  EXPECT_THAT(frames({0, 0, 0, "pi-22"}), ElementsAre("pi-22:5"));

  std::vector<std::string> probes;
  ASSERT_TRUE(store_
                  ->ScanProbes({kT0 + kMinute, 0, 0xa, "pi-1"},
                               [&](std::string_view agent, const v1::ProbeObservation& p) {
                                 probes.push_back(absl::StrCat(std::string(agent), ":", p.ssid()));
                                 return absl::OkStatus();
                               })
                  .ok());
  EXPECT_THAT(probes, ElementsAre("pi-1:cafe"));
  // A visitor's error stops the scan and comes back.
  absl::Status stop = store_->ScanWindows(
      {}, [](std::string_view, const v1::DeviceWindow&) { return absl::CancelledError("enough"); });
  EXPECT_EQ(stop.code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace airfleet::collector
