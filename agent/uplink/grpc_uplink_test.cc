#include "agent/uplink/grpc_uplink.h"

#include <atomic>
#include <filesystem>

#include "absl/strings/match.h"
#include "agent/spool/rocksdb_spool.h"
#include "agent/spool/spool_test_util.h"
#include "agent/uplink/testing/fake_collector.h"
#include "collector/testing/test_pki.h"
#include "gtest/gtest.h"

namespace airfleet::uplink {
namespace {

namespace fs = std::filesystem;
using testing::FakeCollector;
using testing::FakeCollectorOptions;

constexpr absl::Duration kWait = absl::Seconds(30);
constexpr int64_t kT0 = 1'700'000'000'000'000'000;

class GrpcUplinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = spool::testing::MakeTempDir("uplink_test");
    auto pki = airfleet::testing::TestPki::Create(dir_);
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_.emplace(std::move(*pki));
    auto collector_cert = pki_->IssueCollector();
    ASSERT_TRUE(collector_cert.ok()) << collector_cert.status();
    collector_cert_ = *collector_cert;
    auto agent_cert = pki_->Issue("agent", "agent-1", "agent");
    ASSERT_TRUE(agent_cert.ok()) << agent_cert.status();
    agent_cert_ = *agent_cert;

    spool::RocksDbSpoolOptions so;
    so.path = dir_ + "/spool";
    so.agent_id = "agent-1";
    auto s = spool::RocksDbSpool::Open(so);
    ASSERT_TRUE(s.ok()) << s.status();
    spool_ = std::move(*s);
  }

  void TearDown() override {
    uplink_.reset();
    collector_.reset();
    spool_.reset();
    fs::remove_all(dir_);
  }

  void StartCollector(const airfleet::testing::TestCert& cert) {
    FakeCollectorOptions o;
    o.ca_pem = pki_->ca_pem();
    o.cert_pem = cert.cert_pem;
    o.key_pem = cert.key_pem;
    auto c = FakeCollector::Start(o);
    ASSERT_TRUE(c.ok()) << c.status();
    collector_ = std::move(*c);
  }

  GrpcUplinkOptions UplinkOptions(const std::string& address) {
    GrpcUplinkOptions o;
    o.collector = address;
    o.ca_file = pki_->ca_path();
    o.cert_file = agent_cert_.cert_path;
    o.key_file = agent_cert_.key_path;
    o.backoff = BackoffPolicy{.initial_ns = 10'000'000, .max_ns = 200'000'000, .multiplier = 2};
    return o;
  }

  void StartUplink(GrpcUplinkOptions o) {
    uplink_ = std::make_unique<GrpcUplink>(std::move(o), spool_.get());
    ASSERT_TRUE(uplink_->Start().ok());
  }

  // `batches` appends of `per_batch` windows each; macs are unique across calls.
  void AppendBatches(int batches, int per_batch) {
    for (int i = 0; i < batches; ++i) {
      ASSERT_TRUE(
          spool_->Append(spool::testing::MakeWindows(next_mac_, per_batch, kT0), {}, "").ok());
      next_mac_ += per_batch;
    }
  }

  bool WaitForError(const std::string& fragment) {
    return uplink_->WaitForState(
        [&](const UplinkState& s) { return absl::StrContains(s.last_error, fragment); }, kWait);
  }

  std::string dir_;
  std::optional<airfleet::testing::TestPki> pki_;
  airfleet::testing::TestCert collector_cert_;
  airfleet::testing::TestCert agent_cert_;
  std::unique_ptr<spool::RocksDbSpool> spool_;
  std::unique_ptr<FakeCollector> collector_;
  std::unique_ptr<GrpcUplink> uplink_;
  uint64_t next_mac_ = 1;
};

TEST_F(GrpcUplinkTest, DeliversEverythingAndEmptiesTheSpool) {
  StartCollector(collector_cert_);
  AppendBatches(50, 20);
  StartUplink(UplinkOptions(collector_->address()));
  // Appends after the start must wake the uplink.
  ASSERT_TRUE(
      collector_->WaitFor([&] { return collector_->DistinctBatchesLocked() == 50; }, kWait));
  AppendBatches(50, 20);
  ASSERT_TRUE(uplink_->DrainAndStop(absl::Now() + kWait).ok()) << uplink_->State().last_error;

  EXPECT_EQ(collector_->DistinctBatches(), 100u);
  EXPECT_EQ(collector_->Summaries(), 2000u);
  EXPECT_EQ(collector_->LastAgentId(), "agent-1");  // the CN of the agent certificate
  auto received = collector_->ReceivedSequences();
  ASSERT_EQ(received.size(), 100u);
  EXPECT_EQ(received.begin()->first, 1u);
  EXPECT_EQ(received.rbegin()->first, 100u);
  EXPECT_EQ(spool_->Stats().batches, 0u);
  EXPECT_EQ(spool_->Stats().acked_sequence, 100u);
  EXPECT_EQ(uplink_->State().acked_sequence, 100u);
  EXPECT_EQ(uplink_->State().streams_started, 1u);
}

// A replay that lost every window (full disk) has nothing to acknowledge; draining must still
// wait until its ledger reached a collector, or the loss is never reported (found by
// tests/e2e/test_full_disk.py).
TEST_F(GrpcUplinkTest, DrainWaitsForTheLedgerWhenNothingIsLeftToSend) {
  v1::LossRecord loss;
  loss.set_summaries(37);
  loss.set_reason("disk_full");
  ASSERT_TRUE(spool_->RecordLoss(loss).ok());
  ASSERT_EQ(spool_->Stats().batches, 0u);
  // Nobody listens yet: the ledger cannot be delivered, so the uplink is not drained.
  StartUplink(UplinkOptions("127.0.0.1:1"));
  EXPECT_FALSE(uplink_->LedgerDelivered());
  EXPECT_FALSE(uplink_->DrainAndStop(absl::Now() + absl::Milliseconds(300)).ok());

  StartCollector(collector_cert_);
  StartUplink(UplinkOptions(collector_->address()));
  ASSERT_TRUE(uplink_->DrainAndStop(absl::Now() + kWait).ok()) << uplink_->State().last_error;
  EXPECT_TRUE(uplink_->LedgerDelivered());
  // Written is not yet read: give the collector's reader a moment.
  const absl::Time until = absl::Now() + kWait;
  while (collector_->HeartbeatLostSummaries() != 37u && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(collector_->HeartbeatLostSummaries(), 37u);
}

TEST_F(GrpcUplinkTest, CollectorRestartMidStreamLosesNothing) {
  StartCollector(collector_cert_);
  AppendBatches(200, 20);
  collector_->StallAcks(true);
  StartUplink(UplinkOptions(collector_->address()));
  ASSERT_TRUE(
      collector_->WaitFor([&] { return collector_->DistinctBatchesLocked() >= 10; }, kWait));
  ASSERT_TRUE(collector_->Restart().ok());
  collector_->StallAcks(false);
  ASSERT_TRUE(uplink_->DrainAndStop(absl::Now() + kWait).ok()) << uplink_->State().last_error;

  auto received = collector_->ReceivedSequences();
  ASSERT_EQ(received.size(), 200u);
  EXPECT_EQ(received.begin()->first, 1u);
  EXPECT_EQ(received.rbegin()->first, 200u);
  // The unacknowledged batches of the first stream were sent again.
  EXPECT_GE(collector_->Hellos(), 2u);
  EXPECT_GT(collector_->BatchMessages(), 200u);
  EXPECT_GE(uplink_->State().streams_started, 2u);
  EXPECT_EQ(spool_->Stats().batches, 0u);
}

TEST_F(GrpcUplinkTest, AtMostWindowBatchesInFlight) {
  constexpr size_t kWindow = 8;
  StartCollector(collector_cert_);
  collector_->StallAcks(true);
  AppendBatches(100, 5);
  GrpcUplinkOptions o = UplinkOptions(collector_->address());
  o.window = kWindow;
  StartUplink(o);
  ASSERT_TRUE(uplink_->WaitForState(
      [](const UplinkState& s) { return s.in_flight == kWindow && s.window_full_waits > 0; },
      kWait));
  // The sender has parked itself on the full window; the collector saw exactly the window.
  ASSERT_TRUE(
      collector_->WaitFor([&] { return collector_->DistinctBatchesLocked() == kWindow; }, kWait));
  EXPECT_EQ(collector_->BatchMessages(), kWindow);
  EXPECT_EQ(spool_->Stats().batches, 100u);

  collector_->StallAcks(false);
  ASSERT_TRUE(uplink_->DrainAndStop(absl::Now() + kWait).ok()) << uplink_->State().last_error;
  EXPECT_EQ(collector_->DistinctBatches(), 100u);
  EXPECT_LE(collector_->MaxUnackedSeen(), kWindow);
}

// Heartbeats are not batches: with the window full and acks stalled they still go out, on
// schedule, with the caller's capture counters, their rate, and the host readings.
TEST_F(GrpcUplinkTest, PeriodicHeartbeatsFlowEvenWithAFullWindow) {
  StartCollector(collector_cert_);
  collector_->StallAcks(true);
  AppendBatches(40, 2);
  GrpcUplinkOptions o = UplinkOptions(collector_->address());
  o.window = 4;
  o.heartbeat_interval_ms = 50;
  std::atomic<uint64_t> received{0};
  o.fill_health = [&](v1::AgentHealth* h) {
    h->mutable_capture()->set_received(received += 1000);  // 1,000 packets per heartbeat
  };
  o.read_rss_bytes = [] { return std::optional<uint64_t>(123'456'789); };
  o.read_temperature_mc = [] { return std::optional<int32_t>(48'312); };
  StartUplink(o);
  ASSERT_TRUE(uplink_->WaitForState([](const UplinkState& s) { return s.in_flight == 4; }, kWait));
  ASSERT_TRUE(
      collector_->WaitFor([&] { return collector_->PeriodicHeartbeatsLocked() >= 4; }, kWait));
  EXPECT_EQ(uplink_->State().in_flight, 4u);  // the window stayed full throughout
  const v1::AgentHealth h = collector_->LastPeriodicHeartbeat();
  EXPECT_TRUE(h.periodic());
  EXPECT_GE(h.capture().received(), 4000u);
  EXPECT_EQ(h.capture().received() % 1000, 0u);
  // 1,000 packets per interval of >= 50 ms: positive, and at most 20,000/s.
  EXPECT_GT(h.frames_per_second(), 0);
  EXPECT_LE(h.frames_per_second(), 20'000 * 1.01);
  EXPECT_EQ(h.rss_bytes(), 123'456'789u);
  ASSERT_TRUE(h.has_temperature_millicelsius());
  EXPECT_EQ(h.temperature_millicelsius(), 48'312);
  EXPECT_EQ(h.spool_batches(), 40u);  // nothing acknowledged yet
  collector_->StallAcks(false);
  ASSERT_TRUE(uplink_->DrainAndStop(absl::Now() + kWait).ok()) << uplink_->State().last_error;
}

TEST_F(GrpcUplinkTest, NoPeriodicHeartbeatsWhenTurnedOff) {
  StartCollector(collector_cert_);
  AppendBatches(5, 2);
  GrpcUplinkOptions o = UplinkOptions(collector_->address());
  o.heartbeat_interval_ms = 0;
  StartUplink(o);
  ASSERT_TRUE(uplink_->DrainAndStop(absl::Now() + kWait).ok()) << uplink_->State().last_error;
  EXPECT_EQ(collector_->DistinctBatches(), 5u);
  EXPECT_EQ(collector_->PeriodicHeartbeats(), 0u);
}

TEST_F(GrpcUplinkTest, CollectorRefusingOurCertificateIsReportedClearly) {
  StartCollector(collector_cert_);
  auto stranger = pki_->Issue("stranger", "agent-1", "agent",
                              {.sans = {}, .expired = false, .from_other_ca = true});
  ASSERT_TRUE(stranger.ok());
  AppendBatches(3, 2);
  GrpcUplinkOptions o = UplinkOptions(collector_->address());
  o.cert_file = stranger->cert_path;
  o.key_file = stranger->key_path;
  StartUplink(o);
  ASSERT_TRUE(WaitForError("probably refused our certificate " + stranger->cert_path))
      << uplink_->State().last_error;
  EXPECT_TRUE(absl::StrContains(uplink_->State().last_error, collector_->address()));
  EXPECT_FALSE(uplink_->State().connected);
  EXPECT_EQ(collector_->DistinctBatches(), 0u);
  EXPECT_EQ(spool_->Stats().batches, 3u);
  EXPECT_EQ(uplink_->DrainAndStop(absl::Now()).code(), absl::StatusCode::kDeadlineExceeded);
}

TEST_F(GrpcUplinkTest, UnverifiableCollectorIsReportedClearly) {
  auto imposter = pki_->Issue("imposter", "localhost", "collector",
                              {.sans = {"DNS:localhost", "IP:127.0.0.1"}, .from_other_ca = true});
  ASSERT_TRUE(imposter.ok());
  StartCollector(*imposter);
  AppendBatches(1, 1);
  StartUplink(UplinkOptions(collector_->address()));
  ASSERT_TRUE(
      WaitForError("cannot verify the collector's certificate against CA " + pki_->ca_path()))
      << uplink_->State().last_error;
  EXPECT_EQ(collector_->DistinctBatches(), 0u);
}

TEST_F(GrpcUplinkTest, ReconnectsWithGrowingDelaysWhileNobodyListens) {
  StartCollector(collector_cert_);
  const std::string address = collector_->address();
  collector_.reset();  // nothing listens there now
  GrpcUplinkOptions o = UplinkOptions(address);
  o.random64 = [] { return ~0ull; };  // always the ceiling: 10, 20, 40, ... ms
  StartUplink(o);
  ASSERT_TRUE(
      uplink_->WaitForState([](const UplinkState& s) { return s.streams_started >= 4; }, kWait));
  ASSERT_TRUE(WaitForError("cannot connect to collector " + address))
      << uplink_->State().last_error;
  // After the 4th failure the ceiling has doubled 3-4 times from 10 ms (never past the cap).
  ASSERT_TRUE(uplink_->WaitForState(
      [](const UplinkState& s) { return s.next_retry_delay_ns >= 80'000'000; }, kWait));
  EXPECT_LE(uplink_->State().next_retry_delay_ns, 200'000'000);
}

}  // namespace
}  // namespace airfleet::uplink
