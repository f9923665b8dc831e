#include "collector/store/device_merge.h"

#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

using ::testing::ElementsAre;

constexpr int64_t kW0 = 1'700'000'040'000'000'000;
constexpr int64_t kMinute = 60'000'000'000;

v1::DeviceWindow Window(int64_t start, uint32_t first_us, uint32_t last_us, uint32_t frames,
                        int signal_avg) {
  v1::DeviceWindow w;
  w.set_mac(0x001122334455);
  w.set_window_start_ns(start);
  w.set_first_offset_us(first_us);
  w.set_last_offset_us(last_us);
  w.set_frames(frames);
  w.set_signal_min_dbm(signal_avg - 5);
  w.set_signal_max_dbm(signal_avg + 5);
  w.set_signal_sum_dbm(int64_t{signal_avg} * 4);
  w.set_signal_count(4);
  return w;
}

TEST(DeviceDeltaTest, FromWindow) {
  v1::DeviceWindow w = Window(kW0, 2'000'000, 7'000'000, 9, -55);
  w.add_channels_mhz(2437);
  w.add_probed_ssids("cafe");
  w.set_probe_requests(3);
  v1::DeviceInfo d = DeviceDeltaFromWindow("pi-1", w);
  EXPECT_EQ(d.mac(), 0x001122334455u);
  EXPECT_EQ(d.first_seen_ns(), kW0 + 2'000'000'000);
  EXPECT_EQ(d.last_seen_ns(), kW0 + 7'000'000'000);
  EXPECT_EQ(d.frames(), 9u);
  EXPECT_EQ(d.probe_requests(), 3u);
  EXPECT_TRUE(d.has_signal());
  EXPECT_EQ(d.signal_min_dbm(), -60);
  EXPECT_EQ(d.signal_max_dbm(), -50);
  EXPECT_THAT(d.channels_mhz(), ElementsAre(2437));
  EXPECT_THAT(d.probed_ssids(), ElementsAre("cafe"));
  ASSERT_EQ(d.sightings_size(), 1);
  EXPECT_EQ(d.sightings(0).agent_id(), "pi-1");
  EXPECT_EQ(d.sightings(0).last_seen_ns(), kW0 + 7'000'000'000);
  EXPECT_EQ(d.sightings(0).last_signal_dbm(), -55);
  EXPECT_EQ(d.sightings(0).frames(), 9u);
}

TEST(MergeDeviceInfoTest, MergesTwoAgentsAndTwoWindows) {
  v1::DeviceInfo acc = DeviceDeltaFromWindow("pi-1", Window(kW0, 1'000'000, 2'000'000, 5, -40));
  MergeDeviceInfo(DeviceDeltaFromWindow("pi-2", Window(kW0, 500'000, 3'000'000, 7, -80)), &acc);
  MergeDeviceInfo(
      DeviceDeltaFromWindow("pi-1", Window(kW0 + kMinute, 1'000'000, 4'000'000, 2, -60)), &acc);
  EXPECT_EQ(acc.first_seen_ns(), kW0 + 500'000'000);
  EXPECT_EQ(acc.last_seen_ns(), kW0 + kMinute + 4'000'000'000);
  EXPECT_EQ(acc.frames(), 14u);
  EXPECT_EQ(acc.signal_min_dbm(), -85);
  EXPECT_EQ(acc.signal_max_dbm(), -35);
  ASSERT_EQ(acc.sightings_size(), 2);
  EXPECT_EQ(acc.sightings(0).agent_id(), "pi-1");
  EXPECT_EQ(acc.sightings(0).frames(), 7u);
  EXPECT_EQ(acc.sightings(0).last_signal_dbm(), -60);  // from the later window
  EXPECT_EQ(acc.sightings(0).last_seen_ns(), kW0 + kMinute + 4'000'000'000);
  EXPECT_EQ(acc.sightings(1).agent_id(), "pi-2");
  EXPECT_EQ(acc.sightings(1).frames(), 7u);
}

TEST(MergeDeviceInfoTest, OlderDeltaDoesNotOverwriteLatestSignal) {
  v1::DeviceInfo acc =
      DeviceDeltaFromWindow("pi-1", Window(kW0 + kMinute, 1'000'000, 2'000'000, 1, -60));
  MergeDeviceInfo(DeviceDeltaFromWindow("pi-1", Window(kW0, 1'000'000, 2'000'000, 1, -30)), &acc);
  EXPECT_EQ(acc.sightings(0).last_signal_dbm(), -60);
  EXPECT_EQ(acc.sightings(0).frames(), 2u);
  EXPECT_EQ(acc.first_seen_ns(), kW0 + 1'000'000'000);
}

TEST(AddWindowToDeviceTest, EqualsMergingTheDelta) {
  std::vector<std::pair<std::string, v1::DeviceWindow>> windows;
  v1::DeviceWindow a = Window(kW0, 1'000'000, 2'000'000, 5, -40);
  a.add_channels_mhz(5180);
  a.add_probed_ssids("home");
  a.set_probe_fingerprint(0x77);
  v1::DeviceWindow b = Window(kW0 + kMinute, 0, 9'000'000, 3, -70);
  b.add_channels_mhz(2412);
  b.add_channels_mhz(5180);
  b.add_probed_ssids("cafe");
  b.add_probed_ssids("home");
  b.set_ap_ssid("net");
  v1::DeviceWindow c = Window(kW0 - kMinute, 0, 1'000, 1, -90);
  c.clear_signal_count();
  c.add_channels_mhz(2437);
  windows = {{"pi-1", a}, {"pi-2", b}, {"pi-1", c}, {"pi-2", a}};
  v1::DeviceInfo merged;
  v1::DeviceInfo added;
  for (const auto& [agent, w] : windows) {
    MergeDeviceInfo(DeviceDeltaFromWindow(agent, w), &merged);
    AddWindowToDevice(agent, w, &added);
  }
  EXPECT_EQ(added.SerializeAsString(), merged.SerializeAsString())
      << added.DebugString() << "\n---\n"
      << merged.DebugString();
  EXPECT_THAT(added.channels_mhz(), ElementsAre(2412, 2437, 5180));
}

// The commit path's plain-struct accumulator must store exactly what the proto fold stores.
// Random windows with few distinct values force ties (equal last-seen, repeated SSIDs and
// channels, shared agents) where "latest wins" rules could diverge.
TEST(DeviceAccumulatorTest, MatchesProtoFoldOnRandomWindows) {
  std::mt19937_64 rng(7);
  const std::vector<std::string> agents = {"pi-1", "pi-2", "a-much-longer-agent-identifier-42"};
  const std::vector<std::string> ssids = {"", "cafe", "home", "x", "guest-network-5g"};
  DeviceAccumulator acc;
  for (int round = 0; round < 500; ++round) {
    const int n = 1 + static_cast<int>(rng() % 6);
    std::vector<v1::DeviceWindow> windows(n);
    std::vector<const std::string*> window_agents(n);
    for (int i = 0; i < n; ++i) {
      v1::DeviceWindow& w = windows[i];
      w.set_mac(0x020000000000 + round);
      w.set_window_start_ns(kW0 + static_cast<int64_t>(rng() % 3) * kMinute);
      w.set_first_offset_us(static_cast<uint32_t>(rng() % 3) * 1'000'000);
      w.set_last_offset_us(w.first_offset_us() + static_cast<uint32_t>(rng() % 2) * 1'000'000);
      w.set_frames(static_cast<uint32_t>(rng() % 5));
      w.set_probe_requests(static_cast<uint32_t>(rng() % 3));
      w.set_randomised(rng() % 2 == 0);
      w.set_ap_ssid(ssids[rng() % ssids.size()]);
      w.set_probe_fingerprint(rng() % 3 == 0 ? 0 : rng() % 4);
      for (int k = static_cast<int>(rng() % 4); k > 0; --k) {
        w.add_probed_ssids(ssids[rng() % ssids.size()]);
      }
      for (uint32_t ch : {2412u, 2437u, 5180u}) {
        if (rng() % 2 == 0) w.add_channels_mhz(ch);
      }
      if (rng() % 4 != 0) {
        w.set_signal_count(1 + static_cast<uint32_t>(rng() % 4));
        w.set_signal_min_dbm(-90 + static_cast<int>(rng() % 20));
        w.set_signal_max_dbm(w.signal_min_dbm() + static_cast<int>(rng() % 30));
        w.set_signal_sum_dbm(int64_t{w.signal_min_dbm()} * w.signal_count() +
                             static_cast<int64_t>(rng() % 7));
      }
      window_agents[i] = &agents[rng() % agents.size()];
    }
    v1::DeviceInfo expected;
    acc.Reset();
    for (int i = 0; i < n; ++i) {
      AddWindowToDevice(*window_agents[i], windows[i], &expected);
      acc.Add(*window_agents[i], windows[i]);
    }
    std::string encoded;
    acc.AppendSerialized(&encoded);
    v1::DeviceInfo actual;
    ASSERT_TRUE(actual.ParseFromString(encoded)) << "round " << round;
    ASSERT_EQ(actual.SerializeAsString(), expected.SerializeAsString())
        << "round " << round << "\nexpected: " << expected.ShortDebugString()
        << "\nactual: " << actual.ShortDebugString();
  }
}

TEST(DeviceAccumulatorTest, EncodesNegativeTimesAndSignals) {
  v1::DeviceWindow w = Window(-kMinute, 0, 1'000'000, 3, -70);
  w.set_mac(0xffffffffffff);
  w.set_probe_fingerprint(~uint64_t{0});
  DeviceAccumulator acc;
  acc.Reset();
  acc.Add("pi-1", w);
  std::string encoded;
  acc.AppendSerialized(&encoded);
  v1::DeviceInfo actual;
  ASSERT_TRUE(actual.ParseFromString(encoded));
  EXPECT_EQ(actual.SerializeAsString(), DeviceDeltaFromWindow("pi-1", w).SerializeAsString());
}

}  // namespace
}  // namespace airfleet::collector
