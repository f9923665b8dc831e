#include "collector/store/window_merge.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

using ::testing::ElementsAre;

constexpr int64_t kWindow = 1'700'000'040'000'000'000;

// First partial: the agent ran 10 s .. 20 s into the window, then restarted.
v1::DeviceWindow FirstPartial() {
  v1::DeviceWindow w;
  w.set_mac(0x021122334455);
  w.set_window_start_ns(kWindow);
  w.set_window_ms(60000);
  w.set_first_offset_us(10'000'000);
  w.set_last_offset_us(20'000'000);
  w.set_frames(10);
  w.set_bytes(1000);
  w.set_retries(1);
  w.add_subtype_keys(0x04);  // probe request
  w.add_subtype_counts(6);
  w.add_subtype_keys(0x28);  // QoS data
  w.add_subtype_counts(4);
  w.set_signal_min_dbm(-70);
  w.set_signal_max_dbm(-50);
  w.set_signal_sum_dbm(-600);
  w.set_signal_count(10);
  w.add_channels_mhz(2412);
  w.add_channels_mhz(2437);
  w.add_probed_ssids("home");
  w.add_probed_ssids("cafe");
  w.set_probe_requests(6);
  w.set_wildcard_probes(2);
  w.set_client_bssid(0xaa);
  w.set_encryption(8);
  w.set_probe_fingerprint(0x1111);
  w.set_first_seq(100);
  w.set_last_seq(200);
  w.set_has_seq(true);
  w.set_randomised(true);
  w.set_data_frames(4);
  return w;
}

// Second partial: 30 s .. 50 s after the restart.
v1::DeviceWindow SecondPartial() {
  v1::DeviceWindow w;
  w.set_mac(0x021122334455);
  w.set_window_start_ns(kWindow);
  w.set_window_ms(60000);
  w.set_first_offset_us(30'000'000);
  w.set_last_offset_us(50'000'000);
  w.set_frames(5);
  w.set_bytes(500);
  w.set_retries(2);
  w.add_subtype_keys(0x04);
  w.add_subtype_counts(1);
  w.add_subtype_keys(0x24);  // null data
  w.add_subtype_counts(4);
  w.set_signal_min_dbm(-80);
  w.set_signal_max_dbm(-60);
  w.set_signal_sum_dbm(-350);
  w.set_signal_count(5);
  w.add_channels_mhz(2437);
  w.add_channels_mhz(5180);
  w.add_probed_ssids("cafe");
  w.add_probed_ssids("work");
  w.set_probed_ssids_overflow(1);
  w.set_probe_requests(1);
  w.set_client_bssid(0xbb);
  w.set_encryption(1);
  w.set_probe_fingerprint(0x2222);
  w.set_first_seq(300);
  w.set_last_seq(400);
  w.set_has_seq(true);
  w.set_data_frames(4);
  return w;
}

TEST(MergeDeviceWindowTest, SumsCountsAndUnionsSets) {
  v1::DeviceWindow acc = FirstPartial();
  MergeDeviceWindow(SecondPartial(), &acc);
  EXPECT_EQ(acc.first_offset_us(), 10'000'000u);
  EXPECT_EQ(acc.last_offset_us(), 50'000'000u);
  EXPECT_EQ(acc.frames(), 15u);
  EXPECT_EQ(acc.bytes(), 1500u);
  EXPECT_EQ(acc.retries(), 3u);
  EXPECT_THAT(acc.subtype_keys(), ElementsAre(0x04, 0x24, 0x28));
  EXPECT_THAT(acc.subtype_counts(), ElementsAre(7, 4, 4));
  EXPECT_EQ(acc.signal_min_dbm(), -80);
  EXPECT_EQ(acc.signal_max_dbm(), -50);
  EXPECT_EQ(acc.signal_sum_dbm(), -950);
  EXPECT_EQ(acc.signal_count(), 15u);
  EXPECT_THAT(acc.channels_mhz(), ElementsAre(2412, 2437, 5180));
  EXPECT_THAT(acc.probed_ssids(), ElementsAre("home", "cafe", "work"));
  EXPECT_EQ(acc.probed_ssids_overflow(), 1u);
  EXPECT_EQ(acc.probe_requests(), 7u);
  EXPECT_EQ(acc.wildcard_probes(), 2u);
  EXPECT_EQ(acc.encryption(), 9u);
  EXPECT_TRUE(acc.randomised());
  EXPECT_EQ(acc.data_frames(), 8u);
  // Latest fields come from the later partial, earliest from the earlier one.
  EXPECT_EQ(acc.client_bssid(), 0xbbu);
  EXPECT_EQ(acc.probe_fingerprint(), 0x2222u);
  EXPECT_EQ(acc.first_seq(), 100u);
  EXPECT_EQ(acc.last_seq(), 400u);
}

TEST(MergeDeviceWindowTest, OrderOfArrivalDoesNotMatter) {
  v1::DeviceWindow a = FirstPartial();
  MergeDeviceWindow(SecondPartial(), &a);
  v1::DeviceWindow b = SecondPartial();
  MergeDeviceWindow(FirstPartial(), &b);
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
}

TEST(MergeDeviceWindowTest, SignalBoundsIgnoreAPartialWithoutSignal) {
  v1::DeviceWindow acc = FirstPartial();
  acc.clear_signal_min_dbm();
  acc.clear_signal_max_dbm();
  acc.clear_signal_sum_dbm();
  acc.clear_signal_count();
  MergeDeviceWindow(SecondPartial(), &acc);
  EXPECT_EQ(acc.signal_min_dbm(), -80);
  EXPECT_EQ(acc.signal_max_dbm(), -60);
  EXPECT_EQ(acc.signal_count(), 5u);
}

TEST(MergeDeviceWindowTest, IntoEmptyCopies) {
  v1::DeviceWindow acc;
  MergeDeviceWindow(FirstPartial(), &acc);
  EXPECT_EQ(acc.SerializeAsString(), FirstPartial().SerializeAsString());
}

TEST(MergeDeviceWindowTest, ProbedSsidsAreCappedIntoOverflow) {
  v1::DeviceWindow acc = FirstPartial();
  acc.clear_probed_ssids();
  for (int i = 0; i < kMergedProbedSsidCap; ++i) acc.add_probed_ssids("a" + std::to_string(i));
  v1::DeviceWindow in = SecondPartial();  // "cafe", "work", overflow 1
  MergeDeviceWindow(in, &acc);
  EXPECT_EQ(acc.probed_ssids_size(), kMergedProbedSsidCap);
  EXPECT_EQ(acc.probed_ssids_overflow(), 3u);
}

TEST(MergeProbeObservationTest, MergesCountsSignalAndDestinations) {
  v1::ProbeObservation a;
  a.set_mac(1);
  a.set_window_start_ns(kWindow);
  a.set_ssid("cafe");
  a.set_count(3);
  a.set_first_offset_us(500);
  a.set_last_offset_us(900);
  a.set_signal_min_dbm(-60);
  a.set_signal_max_dbm(-40);
  a.set_signal_sum_dbm(-150);
  a.set_signal_count(3);
  a.add_destinations(0xffffffffffff);
  a.add_channels_mhz(2437);
  a.set_first_seq(10);
  a.set_last_seq(12);
  v1::ProbeObservation b = a;
  b.set_count(2);
  b.set_first_offset_us(100);
  b.set_last_offset_us(400);
  b.set_signal_min_dbm(-70);
  b.set_signal_max_dbm(-65);
  b.set_signal_sum_dbm(-135);
  b.set_signal_count(2);
  b.clear_destinations();
  b.add_destinations(0x001122334455);
  b.add_destinations(0xffffffffffff);
  b.clear_channels_mhz();
  b.add_channels_mhz(2412);
  b.set_first_seq(5);
  b.set_last_seq(6);
  MergeProbeObservation(b, &a);
  EXPECT_EQ(a.count(), 5u);
  EXPECT_EQ(a.first_offset_us(), 100u);
  EXPECT_EQ(a.last_offset_us(), 900u);
  EXPECT_EQ(a.first_seq(), 5u);
  EXPECT_EQ(a.last_seq(), 12u);
  EXPECT_EQ(a.signal_min_dbm(), -70);
  EXPECT_EQ(a.signal_max_dbm(), -40);
  EXPECT_EQ(a.signal_sum_dbm(), -285);
  EXPECT_EQ(a.signal_count(), 5u);
  EXPECT_THAT(a.destinations(), ElementsAre(0xffffffffffffu, 0x001122334455u));
  EXPECT_THAT(a.channels_mhz(), ElementsAre(2412, 2437));
}

}  // namespace
}  // namespace airfleet::collector
