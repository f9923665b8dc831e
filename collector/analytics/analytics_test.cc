// Unit tests of the pure analytics aggregations; expected values are worked out by hand here.
#include <string>

#include "collector/analytics/device_graph.h"
#include "collector/analytics/fleet_frames.h"
#include "collector/analytics/probe_stats.h"
#include "collector/analytics/window_stats.h"
#include "gtest/gtest.h"

namespace airfleet::collector::analytics {
namespace {

constexpr int64_t kMin = 60'000'000'000;
constexpr int64_t kT0 = 1'700'000'000'000'000'000 / kDayNs * kDayNs;  // a UTC midnight

v1::ProbeObservation Probe(uint64_t mac, int64_t start, std::string ssid, uint32_t count,
                           int32_t smin, int32_t smax, int64_t ssum, uint32_t scount,
                           uint32_t first_us, uint32_t last_us) {
  v1::ProbeObservation p;
  p.set_mac(mac);
  p.set_window_start_ns(start);
  p.set_ssid(std::move(ssid));
  p.set_count(count);
  p.set_signal_min_dbm(smin);
  p.set_signal_max_dbm(smax);
  p.set_signal_sum_dbm(ssum);
  p.set_signal_count(scount);
  p.set_first_offset_us(first_us);
  p.set_last_offset_us(last_us);
  return p;
}

v1::DeviceWindow Window(uint64_t mac, int64_t start, uint32_t frames, uint32_t first_us,
                        uint32_t last_us, bool has_seq = false, uint32_t first_seq = 0,
                        uint32_t last_seq = 0) {
  v1::DeviceWindow w;
  w.set_mac(mac);
  w.set_window_start_ns(start);
  w.set_frames(frames);
  w.set_first_offset_us(first_us);
  w.set_last_offset_us(last_us);
  w.set_has_seq(has_seq);
  w.set_first_seq(first_seq);
  w.set_last_seq(last_seq);
  return w;
}

TEST(ProbeStats, FoldsObservationsPerDevice) {
  ProbeStatsBuilder b;
  auto p1 = Probe(0x021111111111, kT0, "home", 3, -70, -50, -180, 3, 5'000'000, 9'000'000);
  p1.add_destinations(0xffffffffffff);
  auto p2 = Probe(0x021111111111, kT0 + kMin, "", 2, -80, -60, -140, 2, 1'000, 2'000);
  p2.add_destinations(0xffffffffffff);
  p2.add_destinations(0x001122334455);
  auto p3 = Probe(0x021111111111, kT0, "cafe\"\\", 1, 0, 0, 0, 0, 4'000'000, 4'000'000);
  auto other = Probe(0x001111111111, kT0, "x", 1, -40, -40, -40, 1, 0, 0);
  for (const auto& p : {p1, p2, p3, other}) b.Add(p);
  auto out = b.Finish();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].mac(), 0x001111111111u);
  EXPECT_FALSE(out[0].randomised());
  const v1::ProbeStats& s = out[1];
  EXPECT_TRUE(s.randomised());
  EXPECT_EQ(s.probes(), 6u);
  EXPECT_EQ(s.wildcard_probes(), 2u);
  EXPECT_EQ(s.first_ns(), kT0 + 4'000'000'000);  // p3 (no signal) is still the earliest
  EXPECT_EQ(s.last_ns(), kT0 + kMin + 2'000'000);
  EXPECT_TRUE(s.has_signal());
  EXPECT_EQ(s.signal_min_dbm(), -80);
  EXPECT_EQ(s.signal_max_dbm(), -50);
  EXPECT_DOUBLE_EQ(s.signal_avg_dbm(), -320.0 / 5);
  ASSERT_EQ(s.ssids_size(), 2);
  EXPECT_EQ(s.ssids(0), "cafe\"\\");
  EXPECT_EQ(s.ssids(1), "home");
  ASSERT_EQ(s.destinations_size(), 2);
  EXPECT_EQ(s.destinations(0), 0x001122334455u);
}

TEST(SubtypeStats, SumsPerDayAgentAndKey) {
  SubtypeStatsBuilder b;
  auto w = Window(1, kT0 + kMin, 5, 0, 0);
  w.add_subtype_keys(0x04);
  w.add_subtype_counts(3);
  w.add_subtype_keys(0x28);
  w.add_subtype_counts(2);
  b.Add("a", w);
  b.Add("a", w);
  w.set_window_start_ns(kT0 + kDayNs);  // next day
  b.Add("b", w);
  auto bad = w;
  bad.add_subtype_keys(0x08);
  b.Add("b", bad);
  auto out = b.Finish();
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].day_start_ns(), kT0);
  EXPECT_EQ(out[0].agent_id(), "a");
  EXPECT_EQ(out[0].subtype_key(), 0x04u);
  EXPECT_EQ(out[0].frames(), 6u);
  EXPECT_EQ(out[3].day_start_ns(), kT0 + kDayNs);
  EXPECT_EQ(out[3].frames(), 2u);
  EXPECT_EQ(b.malformed(), 1u);
}

TEST(SubtypeStats, Names) {
  EXPECT_EQ(SubtypeName(0x04), "mgmt/probe-req");
  EXPECT_EQ(SubtypeName(0x08), "mgmt/beacon");
  EXPECT_EQ(SubtypeName(0x1d), "ctrl/ack");
  EXPECT_EQ(SubtypeName(0x28), "data/qos-data");
  EXPECT_EQ(SubtypeName(0x07), "mgmt/7");
}

TEST(Timeline, CountsDistinctTransmittersPerIntervalAndFleet) {
  TimelineBuilder b(5 * kMin);
  b.Add("a", Window(1, kT0, 3, 0, 0));
  b.Add("a", Window(1, kT0 + kMin, 3, 0, 0));  // same device, same 5m interval
  b.Add("b", Window(1, kT0 + kMin, 1, 0, 0));  // heard by b too
  b.Add("b", Window(2, kT0 + 2 * kMin, 1, 0, 0));
  b.Add("b", Window(3, kT0 + 2 * kMin, 0, 0, 0));  // received only: absent
  b.Add("a", Window(2, kT0 + 5 * kMin, 1, 0, 0));
  auto out = b.Finish();
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].agent_id(), "");
  EXPECT_EQ(out[0].devices(), 2u);
  EXPECT_EQ(out[1].agent_id(), "a");
  EXPECT_EQ(out[1].devices(), 1u);
  EXPECT_EQ(out[2].agent_id(), "b");
  EXPECT_EQ(out[2].devices(), 2u);
  EXPECT_EQ(out[3].interval_start_ns(), kT0 + 5 * kMin);
  EXPECT_EQ(out[3].devices(), 1u);
  EXPECT_EQ(FloorTo(-1, 10), -10);
}

TEST(FleetFrames, SameFramesTakeTheMaxDisjointOnesAdd) {
  // Two sensors hearing the same burst (overlapping time and sequence numbers).
  auto a = Window(7, kT0, 10, 100, 900, true, 50, 59);
  auto b = Window(7, kT0, 8, 150, 900, true, 51, 59);
  EXPECT_TRUE(SameFrames(a, b));
  EXPECT_EQ(FleetFramesOfWindow({&a, &b}), 10u);
  // Disjoint in time: add.
  auto c = Window(7, kT0, 4, 1000, 2000, true, 60, 63);
  EXPECT_FALSE(SameFrames(a, c));
  EXPECT_EQ(FleetFramesOfWindow({&a, &b, &c}), 14u);
  // Overlapping time but disjoint sequence numbers: add.
  auto d = Window(7, kT0, 5, 100, 900, true, 100, 104);
  EXPECT_EQ(FleetFramesOfWindow({&a, &d}), 15u);
  // A range wrapping past 4095 overlaps one near 0.
  auto e = Window(7, kT0, 6, 100, 900, true, 4093, 2);
  auto f = Window(7, kT0, 3, 100, 900, true, 1, 3);
  EXPECT_TRUE(SameFrames(e, f));
  EXPECT_EQ(FleetFramesOfWindow({&e, &f}), 6u);
  // No sequence numbers and overlapping time: cannot tell them apart, so not added.
  auto g = Window(7, kT0, 2, 100, 900);
  EXPECT_EQ(FleetFramesOfWindow({&a, &g}), 10u);
  // Transitive: b~a, a~d? no; chain through e and f is separate.
  EXPECT_EQ(FleetFramesOfWindow({}), 0u);
}

TEST(FleetFrames, BuilderGroupsByDeviceAndWindow) {
  FleetFramesBuilder b;
  b.Add("a", Window(7, kT0, 10, 100, 900, true, 50, 59));
  b.Add("b", Window(7, kT0, 10, 100, 900, true, 50, 59));
  b.Add("a", Window(7, kT0 + kMin, 3, 100, 900, true, 60, 62));
  b.Add("b", Window(8, kT0, 1, 0, 0, true, 1, 1));
  auto out = b.Finish();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].mac(), 7u);
  EXPECT_EQ(out[0].fleet_frames(), 13u);
  EXPECT_EQ(out[0].frames_sum(), 23u);
  ASSERT_EQ(out[0].agents_size(), 2);
  EXPECT_EQ(out[0].agents(0).frames(), 13u);
  EXPECT_EQ(out[1].fleet_frames(), 1u);
}

TEST(DeviceGraph, EdgesFromProbesAndWindows) {
  DeviceGraphBuilder b;
  auto ap = Window(0x001111111111, kT0, 5, 0, 0);
  ap.set_ap_ssid("old");
  b.AddWindow(ap);
  ap.set_window_start_ns(kT0 + kMin);
  ap.set_ap_ssid("corp");
  b.AddWindow(ap);
  auto client = Window(0x021111111111, kT0, 5, 0, 0);
  client.set_client_bssid(0x001111111111);
  b.AddWindow(client);
  b.AddWindow(Window(0x029999999999, kT0, 0, 0, 0));  // received only: no node
  b.AddProbe(Probe(0x021111111111, kT0, "corp", 2, 0, 0, 0, 0, 0, 0));
  b.AddProbe(Probe(0x021111111111, kT0 + kMin, "corp", 1, 0, 0, 0, 0, 0, 0));
  b.AddProbe(Probe(0x021111111111, kT0, "", 4, 0, 0, 0, 0, 0, 0));
  auto out = b.Finish();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].ap_ssid(), "corp");
  EXPECT_EQ(out[1].client_bssid(), 0x001111111111u);
  ASSERT_EQ(out[1].probes_for_size(), 1);
  EXPECT_EQ(out[1].probes_for(0).probes(), 3u);
  EXPECT_TRUE(out[1].randomised());
}

}  // namespace
}  // namespace airfleet::collector::analytics
