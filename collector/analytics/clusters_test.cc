#include "collector/analytics/clusters.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace airfleet::analytics {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr int64_t kS = 1'000'000'000;
constexpr int64_t kT0 = 1'700'000'040 * kS;  // a multiple of 60 s
constexpr uint64_t kFpA = 0xA1A1A1A1A1A1A1A1ULL;
constexpr uint64_t kFpB = 0xB2B2B2B2B2B2B2B2ULL;

// A randomised (locally administered) MAC: 0x02 in the first octet.
constexpr uint64_t R(uint64_t n) { return 0x020000000000ULL | n; }

struct O {
  uint64_t mac;
  int64_t at_s;  // seconds after kT0 of the first probe
  int64_t span_s = 1;
  int32_t signal = -50;  // every probe at this signal
  uint32_t count = 4;
  uint64_t fp = kFpA;
  std::string ssid = "";
  uint32_t first_seq = 0, last_seq = 0;
  bool has_signal = true;
};

v1::ProbeObservation Make(const O& o) {
  v1::ProbeObservation p;
  const int64_t first = kT0 + o.at_s * kS;
  const int64_t window = first / (60 * kS) * (60 * kS);
  p.set_mac(o.mac);
  p.set_window_start_ns(window);
  p.set_ssid(o.ssid);
  p.set_count(o.count);
  p.set_first_offset_us(static_cast<uint32_t>((first - window) / 1000));
  p.set_last_offset_us(static_cast<uint32_t>((first + o.span_s * kS - window) / 1000));
  if (o.has_signal) {
    p.set_signal_min_dbm(o.signal);
    p.set_signal_max_dbm(o.signal);
    p.set_signal_sum_dbm(int64_t{o.signal} * o.count);
    p.set_signal_count(o.count);
  }
  p.set_fingerprint(o.fp);
  p.set_first_seq(o.first_seq);
  p.set_last_seq(o.last_seq);
  return p;
}

v1::ListClustersResponse Cluster(const std::vector<O>& obs, ClusterOptions options = {}) {
  ClusterEngine engine(options);
  for (const O& o : obs) engine.Add(Make(o));
  return engine.Finish();
}

std::vector<uint64_t> Macs(const v1::ProbeCluster& c) { return {c.macs().begin(), c.macs().end()}; }

// Sequence numbers far apart so continuity never links in the signal-only tests.
O Mac(uint64_t n, int64_t at_s, int32_t signal = -50, uint64_t fp = kFpA) {
  return O{.mac = R(n),
           .at_s = at_s,
           .signal = signal,
           .fp = fp,
           .first_seq = static_cast<uint32_t>(n * 500 % 4096),
           .last_seq = static_cast<uint32_t>(n * 500 % 4096 + 3)};
}

TEST(ClusterEngineTest, ThreeRotatingMacsWithOneFingerprintAreOneCluster) {
  auto r = Cluster({Mac(1, 0), Mac(2, 30), Mac(3, 60)});
  ASSERT_EQ(r.clusters_size(), 1);
  const auto& c = r.clusters(0);
  EXPECT_THAT(Macs(c), ElementsAre(R(1), R(2), R(3)));
  EXPECT_EQ(c.probes(), 12u);
  EXPECT_EQ(c.first_seen_ns(), kT0);
  EXPECT_EQ(c.last_seen_ns(), kT0 + 61 * kS);
  EXPECT_EQ(c.fingerprint(), kFpA);
  EXPECT_EQ(c.session_start_ns(), kT0);
  EXPECT_EQ(c.wildcard_probes(), 12u);
  EXPECT_TRUE(c.has_signal());
  EXPECT_EQ(c.signal_min_dbm(), -50);
  EXPECT_EQ(c.signal_max_dbm(), -50);
  ASSERT_EQ(c.signal_histogram_size(), 1);
  EXPECT_EQ(c.signal_histogram(0).low_dbm(), -50);
  EXPECT_EQ(c.signal_histogram(0).probes(), 12u);
  EXPECT_EQ(r.randomised_macs(), 3u);
  EXPECT_EQ(r.groups_below_min_macs(), 0u);
}

TEST(ClusterEngineTest, FewerMacsThanTheThresholdIsNoClusterButCounted) {
  auto r = Cluster({Mac(1, 0), Mac(2, 30)});
  EXPECT_EQ(r.clusters_size(), 0);
  EXPECT_EQ(r.groups_below_min_macs(), 1u);
  ClusterOptions two;
  two.min_macs = 2;
  EXPECT_EQ(Cluster({Mac(1, 0), Mac(2, 30)}, two).clusters_size(), 1);
}

TEST(ClusterEngineTest, RepeatedObservationsOfOneMacDoNotCountAsMoreMacs) {
  auto r = Cluster({Mac(1, 0), Mac(1, 10), Mac(1, 70), Mac(2, 80)});
  EXPECT_EQ(r.clusters_size(), 0);
  EXPECT_EQ(r.randomised_macs(), 2u);
}

TEST(ClusterEngineTest, GlobalMacsAndMissingFingerprintsAreIgnored) {
  O global = Mac(1, 0);
  global.mac = 0x001122000001ULL;
  O no_fp = Mac(2, 10);
  no_fp.fp = 0;
  auto r = Cluster({global, no_fp, Mac(3, 20), Mac(4, 30)});
  EXPECT_EQ(r.clusters_size(), 0);
  EXPECT_EQ(r.observations(), 4u);
  EXPECT_EQ(r.randomised_observations(), 2u);
}

TEST(ClusterEngineTest, AGapLongerThanTheSessionGapSplitsSessions) {
  // 3 MACs, quiet for 6 minutes (last probe at 61 s, next at 61 + 360 + 1), 3 more MACs.
  std::vector<O> obs = {Mac(1, 0), Mac(2, 30), Mac(3, 60), Mac(4, 422), Mac(5, 450), Mac(6, 480)};
  auto r = Cluster(obs);
  ASSERT_EQ(r.clusters_size(), 2);
  EXPECT_THAT(Macs(r.clusters(0)), ElementsAre(R(1), R(2), R(3)));
  EXPECT_THAT(Macs(r.clusters(1)), ElementsAre(R(4), R(5), R(6)));
  EXPECT_EQ(r.clusters(1).session_start_ns(), kT0 + 422 * kS);
  EXPECT_NE(r.clusters(0).id(), r.clusters(1).id());
  // A 10 minute gap setting keeps them together.
  ClusterOptions long_gap;
  long_gap.session_gap_ns = 10 * 60 * kS;
  auto joined = Cluster(obs, long_gap);
  ASSERT_EQ(joined.clusters_size(), 1);
  EXPECT_EQ(joined.clusters(0).macs_size(), 6);
}

TEST(ClusterEngineTest, AGapJustUnderTheSessionGapKeepsOneSession) {
  // Last probe ends at 61 s; the next starts 299 s later.
  auto r = Cluster({Mac(1, 0), Mac(2, 30), Mac(3, 60), Mac(4, 360)});
  ASSERT_EQ(r.clusters_size(), 1);
  EXPECT_EQ(r.clusters(0).macs_size(), 4);
}

TEST(ClusterEngineTest, ADeviceSilentForLongerThanTheGapIsClosedWhileItsModelProbesOn) {
  // Phone 1 (-40 dBm) probes at 0 and 30 s, then is silent for 7 minutes and comes back with two
  // MACs; phone 2 (-75 dBm, same model) probes every minute and keeps the session alive.
  std::vector<O> obs = {Mac(1, 0, -40), Mac(2, 30, -40), Mac(3, 450, -40), Mac(4, 480, -40)};
  for (int i = 0; i < 9; ++i) obs.push_back(Mac(20 + static_cast<uint64_t>(i), i * 60, -75));
  auto r = Cluster(obs);
  ASSERT_EQ(r.clusters_size(), 1);  // phone 2 only
  EXPECT_EQ(r.clusters(0).macs_size(), 9);
  EXPECT_EQ(r.groups_below_min_macs(), 2u);  // phone 1 before and after its silence
}

TEST(ClusterEngineTest, SignalToleranceSeparatesTwoPhonesWithTheSameFingerprint) {
  // Phone 1 near (-40 dBm), phone 2 far (-75 dBm), interleaved in time, same model.
  std::vector<O> obs = {Mac(1, 0, -40),   Mac(11, 5, -75), Mac(2, 30, -42),
                        Mac(12, 35, -74), Mac(3, 60, -39), Mac(13, 65, -77)};
  auto r = Cluster(obs);
  ASSERT_EQ(r.clusters_size(), 2);
  EXPECT_THAT(Macs(r.clusters(0)), ElementsAre(R(1), R(2), R(3)));
  EXPECT_THAT(Macs(r.clusters(1)), ElementsAre(R(11), R(12), R(13)));
  EXPECT_EQ(r.clusters(0).signal_min_dbm(), -42);
  EXPECT_EQ(r.clusters(0).signal_max_dbm(), -39);
  EXPECT_EQ(r.clusters(1).signal_min_dbm(), -77);
  // A tolerance wider than their distance merges them: the setting is what separates them.
  ClusterOptions wide;
  wide.signal_tolerance_db = 40;
  auto merged = Cluster(obs, wide);
  ASSERT_EQ(merged.clusters_size(), 1);
  EXPECT_EQ(merged.clusters(0).macs_size(), 6);
}

TEST(ClusterEngineTest, DifferentFingerprintsNeverShareACluster) {
  auto r = Cluster({Mac(1, 0, -50, kFpA), Mac(2, 30, -50, kFpB), Mac(3, 60, -50, kFpA),
                    Mac(4, 90, -50, kFpB), Mac(5, 100, -50, kFpA), Mac(6, 110, -50, kFpB)});
  ASSERT_EQ(r.clusters_size(), 2);
  EXPECT_THAT(Macs(r.clusters(0)), ElementsAre(R(1), R(3), R(5)));
  EXPECT_THAT(Macs(r.clusters(1)), ElementsAre(R(2), R(4), R(6)));
}

TEST(ClusterEngineTest, SequenceContinuityJoinsAMacWhoseSignalMoved) {
  // The phone walks away: -40, -41, then -60 (beyond 6 dB) but its sequence numbers continue.
  O a{.mac = R(1), .at_s = 0, .signal = -40, .first_seq = 100, .last_seq = 103};
  O b{.mac = R(2), .at_s = 30, .signal = -41, .first_seq = 104, .last_seq = 107};
  O c{.mac = R(3), .at_s = 60, .signal = -60, .first_seq = 109, .last_seq = 112};
  auto r = Cluster({a, b, c});
  ASSERT_EQ(r.clusters_size(), 1);
  EXPECT_THAT(Macs(r.clusters(0)), ElementsAre(R(1), R(2), R(3)));
  EXPECT_EQ(r.clusters(0).seq_links(), 2u);
  // Without continuity (numbers far apart) the moved MAC is another device.
  c.first_seq = 2000;
  c.last_seq = 2003;
  b.first_seq = 1500;
  EXPECT_EQ(Cluster({a, b, c}).clusters_size(), 0);
}

TEST(ClusterEngineTest, SequenceContinuityPicksThePhoneAmongTwoAtTheSameSignal) {
  // Two identical phones at the same signal, MACs rotating at the same moments; only their
  // sequence numbers tell them apart.
  std::vector<O> obs = {
      {.mac = R(1), .at_s = 0, .span_s = 29, .first_seq = 10, .last_seq = 13},
      {.mac = R(11), .at_s = 1, .span_s = 29, .first_seq = 3000, .last_seq = 3003},
      {.mac = R(12), .at_s = 30, .span_s = 29, .first_seq = 3005, .last_seq = 3008},
      {.mac = R(2), .at_s = 31, .span_s = 29, .first_seq = 15, .last_seq = 18},
      {.mac = R(3), .at_s = 60, .span_s = 29, .first_seq = 20, .last_seq = 23},
      {.mac = R(13), .at_s = 61, .span_s = 29, .first_seq = 3010, .last_seq = 3013},
  };
  auto r = Cluster(obs);
  ASSERT_EQ(r.clusters_size(), 2);
  EXPECT_THAT(Macs(r.clusters(0)), ElementsAre(R(1), R(2), R(3)));
  EXPECT_THAT(Macs(r.clusters(1)), ElementsAre(R(11), R(12), R(13)));
}

TEST(ClusterEngineTest, MacsHeardAtTheSameTimeAreTwoDevices) {
  // Same fingerprint, signal within tolerance, but R(1) and R(11) probe during the same minute.
  std::vector<O> obs = {
      {.mac = R(1), .at_s = 0, .span_s = 50, .first_seq = 100, .last_seq = 110},
      {.mac = R(11), .at_s = 10, .span_s = 50, .signal = -53, .first_seq = 900, .last_seq = 910},
      {.mac = R(2), .at_s = 70, .span_s = 5, .first_seq = 1500, .last_seq = 1510},
  };
  auto r = Cluster(obs, {.min_macs = 1});
  ASSERT_EQ(r.clusters_size(), 2);
  EXPECT_THAT(Macs(r.clusters(0)), ElementsAre(R(1), R(2)));
  EXPECT_THAT(Macs(r.clusters(1)), ElementsAre(R(11)));
  ClusterOptions overlapping;
  overlapping.min_macs = 1;
  overlapping.one_mac_at_a_time = false;
  EXPECT_EQ(Cluster(obs, overlapping).clusters_size(), 1);
}

TEST(ClusterEngineTest, SequenceContinuityWrapsAt4096) {
  auto r = Cluster({{.mac = R(1), .at_s = 0, .signal = -30, .first_seq = 4090, .last_seq = 4094},
                    {.mac = R(2), .at_s = 30, .signal = -60, .first_seq = 1, .last_seq = 5},
                    {.mac = R(3), .at_s = 60, .signal = -80, .first_seq = 7, .last_seq = 9}});
  ASSERT_EQ(r.clusters_size(), 1);
  EXPECT_EQ(r.clusters(0).seq_links(), 2u);
}

TEST(ClusterEngineTest, SsidsInFirstAppearanceOrderAndWildcardsCountedApart) {
  O a = Mac(1, 0);
  a.ssid = "home";
  O a2 = Mac(1, 0);  // same MAC and window, wildcard
  O b = Mac(2, 30);
  b.ssid = "work";
  O c = Mac(3, 60);
  c.ssid = "home";
  auto r = Cluster({c, b, a2, a});  // input order does not matter
  ASSERT_EQ(r.clusters_size(), 1);
  EXPECT_THAT(r.clusters(0).probed_ssids(), ElementsAre("home", "work"));
  EXPECT_EQ(r.clusters(0).wildcard_probes(), 4u);
  EXPECT_EQ(r.clusters(0).probes(), 16u);
}

TEST(ClusterEngineTest, HistogramUsesFiveDbBucketsOfObservationAverages) {
  auto r = Cluster({Mac(1, 0, -41), Mac(2, 30, -45), Mac(3, 60, -46)});
  ASSERT_EQ(r.clusters_size(), 1);
  const auto& h = r.clusters(0).signal_histogram();
  ASSERT_EQ(h.size(), 2);
  EXPECT_EQ(h[0].low_dbm(), -50);
  EXPECT_EQ(h[0].probes(), 4u);
  EXPECT_EQ(h[1].low_dbm(), -45);
  EXPECT_EQ(h[1].probes(), 8u);
}

TEST(ClusterEngineTest, IdIsStableAndIndependentOfInputOrder) {
  std::vector<O> obs = {Mac(1, 0), Mac(2, 30), Mac(3, 60)};
  auto r1 = Cluster(obs);
  std::vector<O> reversed(obs.rbegin(), obs.rend());
  auto r2 = Cluster(reversed);
  ASSERT_EQ(r1.clusters_size(), 1);
  ASSERT_EQ(r2.clusters_size(), 1);
  EXPECT_EQ(r1.clusters(0).id(), r2.clusters(0).id());
  EXPECT_NE(r1.clusters(0).id(), 0u);
  // Other content, other id.
  auto r3 = Cluster({Mac(4, 0), Mac(2, 30), Mac(3, 60)});
  EXPECT_NE(r3.clusters(0).id(), r1.clusters(0).id());
}

TEST(ClusterEngineTest, ObservationsBeyondTheCapAreCountedNotClustered) {
  ClusterOptions capped;
  capped.max_observations = 2;
  auto r = Cluster({Mac(1, 0), Mac(2, 30), Mac(3, 60)}, capped);
  EXPECT_EQ(r.clusters_size(), 0);
  EXPECT_EQ(r.observations_dropped(), 1u);
  EXPECT_EQ(r.randomised_observations(), 3u);
}

TEST(ClusterEngineTest, AMacWithoutSignalJoinsTheMostRecentDevice) {
  O quiet = Mac(3, 60);
  quiet.has_signal = false;
  auto r = Cluster({Mac(1, 0), Mac(2, 30), quiet});
  ASSERT_EQ(r.clusters_size(), 1);
  EXPECT_EQ(r.clusters(0).macs_size(), 3);
}

}  // namespace
}  // namespace airfleet::analytics
