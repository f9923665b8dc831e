#include "agent/spool/rocksdb_spool.h"

#include <filesystem>
#include <fstream>

#include "agent/spool/spool_test_util.h"
#include "gtest/gtest.h"

namespace airfleet::spool {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kMinute = 60'000'000'000;
constexpr int64_t kT0 = 1'700'000'000'000'000'000;

class RocksDbSpoolTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("spool_test"); }
  void TearDown() override { fs::remove_all(dir_); }

  RocksDbSpoolOptions Options() {
    RocksDbSpoolOptions o;
    o.path = dir_ + "/spool";
    o.agent_id = "agent-1";
    o.now_ns = [this] { return now_ns_; };
    return o;
  }

  std::unique_ptr<RocksDbSpool> OpenOrDie(const RocksDbSpoolOptions& o) {
    auto s = RocksDbSpool::Open(o);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }

  // Every stored batch, parsed.
  static std::vector<v1::Batch> All(Spool& spool) {
    auto peeked = spool.Peek(0, SIZE_MAX);
    EXPECT_TRUE(peeked.ok()) << peeked.status();
    std::vector<v1::Batch> out;
    for (const auto& sb : *peeked) {
      v1::Batch b;
      EXPECT_TRUE(b.ParseFromString(sb.data));
      EXPECT_EQ(b.sequence(), sb.sequence);
      out.push_back(std::move(b));
    }
    return out;
  }

  std::string dir_;
  int64_t now_ns_ = kT0;
};

TEST_F(RocksDbSpoolTest, AppendPeekAcknowledge) {
  auto spool = OpenOrDie(Options());
  ASSERT_NE(spool, nullptr);
  EXPECT_NE(spool->stream_id(), 0u);

  auto r1 = spool->Append(testing::MakeWindows(10, 3, kT0), {}, "pos-1");
  ASSERT_TRUE(r1.ok()) << r1.status();
  EXPECT_EQ(r1->first_sequence, 1u);
  EXPECT_EQ(r1->last_sequence, 1u);
  now_ns_ += 5;
  std::vector<v1::ProbeObservation> probes(1);
  probes[0].set_mac(99);
  auto r2 = spool->Append(testing::MakeWindows(20, 2, kT0 + kMinute), probes, "pos-2");
  ASSERT_TRUE(r2.ok()) << r2.status();
  EXPECT_EQ(r2->first_sequence, 2u);

  auto batches = All(*spool);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].agent_id(), "agent-1");
  EXPECT_EQ(batches[0].stream_id(), spool->stream_id());
  EXPECT_EQ(batches[0].created_ns(), kT0);
  ASSERT_EQ(batches[0].windows_size(), 3);
  EXPECT_EQ(batches[0].windows(2).mac(), 12u);
  EXPECT_EQ(batches[1].windows(0).mac(), 20u);
  ASSERT_EQ(batches[1].probes_size(), 1);
  EXPECT_EQ(batches[1].probes(0).mac(), 99u);
  EXPECT_EQ(spool->ReplayPosition(), "pos-2");

  // "Summaries" are device windows (the loss ledger's unit); the probe observation is not one.
  SpoolStats stats = spool->Stats();
  EXPECT_EQ(stats.batches, 2u);
  EXPECT_EQ(stats.summaries, 5u);
  EXPECT_EQ(stats.oldest_created_ns, kT0);
  EXPECT_EQ(stats.next_sequence, 3u);

  ASSERT_TRUE(spool->Acknowledge(1).ok());
  stats = spool->Stats();
  EXPECT_EQ(stats.batches, 1u);
  EXPECT_EQ(stats.summaries, 2u);
  EXPECT_EQ(stats.first_sequence, 2u);
  EXPECT_EQ(stats.acked_sequence, 1u);
  EXPECT_EQ(stats.oldest_created_ns, kT0 + 5);
  auto rest = spool->Peek(1, 10);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].sequence, 2u);
  EXPECT_EQ((*rest)[0].summaries, 2u);

  // A duplicate ack is harmless; an ack for a sequence never assigned is refused.
  EXPECT_TRUE(spool->Acknowledge(1).ok());
  EXPECT_EQ(spool->Acknowledge(3).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(spool->Acknowledge(2).ok());
  stats = spool->Stats();
  EXPECT_EQ(stats.batches, 0u);
  EXPECT_EQ(stats.bytes, 0u);
  EXPECT_EQ(stats.oldest_created_ns, 0);
  EXPECT_EQ(stats.first_sequence, 3u);
}

TEST_F(RocksDbSpoolTest, PeekHonoursCountAndByteLimits) {
  auto spool = OpenOrDie(Options());
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(spool->Append(testing::MakeWindows(i, 10, kT0), {}, "").ok());
  auto two = spool->Peek(2, 2);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].sequence, 2u);
  EXPECT_EQ((*two)[1].sequence, 3u);
  auto one = spool->Peek(1, 10, /*max_bytes=*/1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
}

TEST_F(RocksDbSpoolTest, StateSurvivesReopen) {
  uint64_t stream_id = 0;
  {
    auto spool = OpenOrDie(Options());
    stream_id = spool->stream_id();
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(
          spool->Append(testing::MakeWindows(100 * i, 4, kT0), {}, "p" + std::to_string(i)).ok());
    }
    ASSERT_TRUE(spool->Acknowledge(1).ok());
    ASSERT_TRUE(spool->PutMetadata("capture", "wlan0").ok());
  }
  auto spool = OpenOrDie(Options());
  EXPECT_EQ(spool->stream_id(), stream_id);
  EXPECT_EQ(spool->ReplayPosition(), "p2");
  SpoolStats stats = spool->Stats();
  EXPECT_EQ(stats.first_sequence, 2u);
  EXPECT_EQ(stats.next_sequence, 4u);
  EXPECT_EQ(stats.acked_sequence, 1u);
  EXPECT_EQ(stats.batches, 2u);
  EXPECT_EQ(stats.summaries, 8u);
  auto r = spool->Append(testing::MakeWindows(900, 1, kT0), {}, "p3");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first_sequence, 4u);
  auto meta = spool->GetMetadata("capture");
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->value_or(""), "wlan0");
  auto missing = spool->GetMetadata("nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(RocksDbSpoolTest, SplitsLargeAppendsIntoContiguousBatchesUnderTheLimit) {
  RocksDbSpoolOptions o = Options();
  o.max_batch_bytes = 32 * 1024;
  auto spool = OpenOrDie(o);
  constexpr size_t kCount = 5000;
  auto r = spool->Append(testing::MakeWindows(1, kCount, kT0), {}, "end");
  ASSERT_TRUE(r.ok());
  auto batches = All(*spool);
  ASSERT_GT(batches.size(), 5u);
  EXPECT_EQ(r->first_sequence, 1u);
  EXPECT_EQ(r->last_sequence, batches.size());
  uint64_t mac = 1;
  for (size_t i = 0; i < batches.size(); ++i) {
    EXPECT_EQ(batches[i].sequence(), i + 1);
    EXPECT_LE(batches[i].ByteSizeLong(), o.max_batch_bytes);
    for (const auto& w : batches[i].windows()) EXPECT_EQ(w.mac(), mac++);
  }
  EXPECT_EQ(mac, kCount + 1);
}

TEST_F(RocksDbSpoolTest, QuotaDropsOldestAndLedgerAccountsForEverySummary) {
  RocksDbSpoolOptions o = Options();
  o.quota_bytes = 64 * 1024;
  auto spool = OpenOrDie(o);
  constexpr int kAppends = 100;
  constexpr int kPerAppend = 50;  // ~3 KB per batch: ~20 batches fit
  for (int i = 0; i < kAppends; ++i) {
    auto r = spool->Append(testing::MakeWindows(i * 1000, kPerAppend, kT0 + i * kMinute), {}, "");
    ASSERT_TRUE(r.ok()) << r.status();
  }
  auto stored = All(*spool);
  uint64_t stored_summaries = 0;
  for (const auto& b : stored) stored_summaries += b.windows_size();
  auto losses = spool->Losses();
  ASSERT_EQ(losses.size(), 1u) << "contiguous quota drops merge into one record";
  const v1::LossRecord& loss = losses[0];
  EXPECT_EQ(loss.reason(), "spool_quota");
  EXPECT_EQ(stored_summaries + loss.summaries(), uint64_t{kAppends * kPerAppend});
  EXPECT_EQ(stored.size() + loss.batches(), uint64_t{kAppends});
  EXPECT_EQ(loss.first_sequence(), 1u);
  ASSERT_FALSE(stored.empty());
  EXPECT_EQ(loss.last_sequence() + 1, stored.front().sequence());
  EXPECT_EQ(stored.back().sequence(), uint64_t{kAppends});
  EXPECT_EQ(loss.first_window_ns(), kT0);
  EXPECT_EQ(loss.last_window_ns(), kT0 + static_cast<int64_t>(loss.last_sequence() - 1) * kMinute);
  EXPECT_LE(spool->Stats().bytes, o.quota_bytes);
  // The ledger travels with the data: the newest batch carries it.
  ASSERT_TRUE(stored.back().has_health());
  ASSERT_GE(stored.back().health().losses_size(), 1);
  EXPECT_EQ(stored.back().health().losses(0).reason(), "spool_quota");

  // And it survives a restart.
  spool.reset();
  spool = OpenOrDie(o);
  ASSERT_EQ(spool->Losses().size(), 1u);
  EXPECT_EQ(spool->Losses()[0].summaries(), loss.summaries());
}

TEST_F(RocksDbSpoolTest, AppendLargerThanQuotaKeepsNewestAndRecordsTheRest) {
  RocksDbSpoolOptions o = Options();
  o.quota_bytes = 20 * 1024;
  o.max_batch_bytes = 16 * 1024;
  auto spool = OpenOrDie(o);
  constexpr size_t kCount = 3000;
  auto r = spool->Append(testing::MakeWindows(1, kCount, kT0), {}, "x");
  ASSERT_TRUE(r.ok()) << r.status();
  auto stored = All(*spool);
  uint64_t stored_summaries = 0;
  for (const auto& b : stored) stored_summaries += b.windows_size();
  ASSERT_EQ(spool->Losses().size(), 1u);
  EXPECT_EQ(stored_summaries + spool->Losses()[0].summaries(), kCount);
  EXPECT_EQ(r->dropped_summaries, spool->Losses()[0].summaries());
  ASSERT_FALSE(stored.empty());
  EXPECT_EQ(stored.back().windows(stored.back().windows_size() - 1).mac(), kCount);
  EXPECT_EQ(spool->Stats().first_sequence, stored.front().sequence());
}

void Clobber(const fs::path& file) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << std::string(4096, '\xAB');
}

class CorruptionTest : public RocksDbSpoolTest,
                       public ::testing::WithParamInterface<std::string> {};

TEST_P(CorruptionTest, UnreadableSpoolIsQuarantinedAndReplaced) {
  RocksDbSpoolOptions o = Options();
  uint64_t old_stream = 0;
  {
    auto spool = OpenOrDie(o);
    old_stream = spool->stream_id();
    ASSERT_TRUE(spool->Append(testing::MakeWindows(1, 10, kT0), {}, "p").ok());
  }
  bool clobbered = false;
  for (const auto& entry : fs::directory_iterator(o.path)) {
    if (entry.path().filename().string().rfind(GetParam(), 0) == 0) {
      Clobber(entry.path());
      clobbered = true;
    }
  }
  ASSERT_TRUE(clobbered) << "no file starting with " << GetParam();

  auto reopened = RocksDbSpool::Open(o);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto& spool = *reopened;
  ASSERT_TRUE(spool->quarantine().has_value());
  const std::string expected_prefix = o.path + ".corrupt-" + std::to_string(kT0 / 1'000'000'000);
  EXPECT_EQ(spool->quarantine()->quarantine_path.rfind(expected_prefix, 0), 0u)
      << spool->quarantine()->quarantine_path;
  EXPECT_TRUE(fs::exists(spool->quarantine()->quarantine_path));
  EXPECT_NE(spool->stream_id(), old_stream);
  EXPECT_EQ(spool->Stats().batches, 0u);
  EXPECT_EQ(spool->ReplayPosition(), "");
  ASSERT_EQ(spool->Losses().size(), 1u);
  EXPECT_EQ(spool->Losses()[0].reason(), "spool_corrupt");
  // Still a working spool.
  auto r = spool->Append(testing::MakeWindows(1, 1, kT0), {}, "q");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first_sequence, 1u);
}

INSTANTIATE_TEST_SUITE_P(Files, CorruptionTest, ::testing::Values("CURRENT", "MANIFEST"));

TEST_F(RocksDbSpoolTest, SpoolHeldByAnotherOpenerIsNotQuarantined) {
  auto first = OpenOrDie(Options());
  auto second = RocksDbSpool::Open(Options());
  EXPECT_FALSE(second.ok());
  EXPECT_FALSE(fs::exists(Options().path + ".corrupt-" + std::to_string(kT0 / 1'000'000'000)));
  // The first opener is unaffected.
  EXPECT_TRUE(first->Append(testing::MakeWindows(1, 1, kT0), {}, "").ok());
}

TEST_F(RocksDbSpoolTest, ListenerFiresOnlyWhenBatchesAreStored) {
  auto spool = OpenOrDie(Options());
  int calls = 0;
  spool->SetAppendListener([&] { ++calls; });
  ASSERT_TRUE(spool->Append({}, {}, "only-position").ok());
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(spool->ReplayPosition(), "only-position");
  ASSERT_TRUE(spool->Append(testing::MakeWindows(1, 1, kT0), {}, "p").ok());
  EXPECT_EQ(calls, 1);
}

TEST_F(RocksDbSpoolTest, StreamIdsComeFromTheInjectedRandomSource) {
  RocksDbSpoolOptions o = Options();
  o.random64 = [] { return 0x1234'5678'9abc'def0ULL; };
  auto spool = OpenOrDie(o);
  EXPECT_EQ(spool->stream_id(), 0x1234'5678'9abc'def0ULL);
}

}  // namespace
}  // namespace airfleet::spool
