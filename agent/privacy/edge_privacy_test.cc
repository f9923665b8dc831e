#include "agent/privacy/edge_privacy.h"

#include <gtest/gtest.h>

#include <map>

#include "agent/spool/batch_sealer.h"

namespace airfleet::privacy {
namespace {

// Expected pseudonyms were computed independently with Python's hmac module (see
// common/pseudonym_test.cc for the recipe), key = bytes(range(32)), no rotation:
constexpr uint64_t kPhone = 0x001122334455;  // globally administered
constexpr uint64_t kPhonePseudonym = 0xa800774a8385;
constexpr uint64_t kPhoneKeepVendor = 0x001122aa0077;
constexpr uint64_t kRandomised = 0x02aabbccddee;  // locally administered
constexpr uint64_t kRandomisedPseudonym = 0xf2d113ad1d04;
constexpr uint64_t kAp = 0x001122000001;
constexpr uint64_t kApPseudonym = 0xc8b9111a5c5d;
constexpr char kHomeNetHash[] = "hmac:a923bb2ea784a448";
constexpr char kCafeWifiHash[] = "hmac:4a099d06759e1701";

std::string TestKey() {
  std::string k;
  for (int i = 0; i < 32; ++i) k.push_back(static_cast<char>(i));
  return k;
}

summarise::SealedWindow MakeWindow(int64_t start_ns) {
  summarise::SealedWindow w;
  w.window_start_ns = start_ns;
  w.window_ms = 60'000;
  v1::DeviceWindow phone;
  phone.set_mac(kPhone);
  phone.set_window_start_ns(start_ns);
  phone.set_client_bssid(kAp);
  phone.add_probed_ssids("HomeNet");
  phone.add_probed_ssids("CafeWifi");
  phone.set_probe_fingerprint(0x1234);
  v1::DeviceWindow ap;
  ap.set_mac(kAp);
  ap.set_window_start_ns(start_ns);
  ap.set_ap_bssid(kAp);
  ap.set_ap_ssid("HomeNet");
  v1::DeviceWindow randomised;
  randomised.set_mac(kRandomised);
  randomised.set_window_start_ns(start_ns);
  randomised.set_randomised(true);
  w.devices = {phone, ap, randomised};
  auto probe = [&](uint64_t mac, const char* ssid, uint32_t count, uint32_t first, uint32_t last,
                   int sig) {
    v1::ProbeObservation p;
    p.set_mac(mac);
    p.set_window_start_ns(start_ns);
    p.set_ssid(ssid);
    p.set_count(count);
    p.set_first_offset_us(first);
    p.set_last_offset_us(last);
    p.set_signal_min_dbm(sig);
    p.set_signal_max_dbm(sig);
    p.set_signal_sum_dbm(int64_t{sig} * count);
    p.set_signal_count(count);
    p.set_fingerprint(0x1234);
    p.add_destinations(0xffffffffffff);
    p.add_destinations(kAp);
    p.add_channels_mhz(2437);
    return p;
  };
  w.probes = {probe(kPhone, "", 1, 50, 50, -40), probe(kPhone, "CafeWifi", 2, 10, 90, -50),
              probe(kPhone, "HomeNet", 3, 5, 80, -60)};
  return w;
}

PrivacyOptions Pseudonymise(SsidMode ssids, bool keep_vendor = false) {
  PrivacyOptions o;
  o.mode = PrivacyMode::kPseudonymise;
  o.ssids = ssids;
  o.keep_vendor_prefix = keep_vendor;
  o.key = TestKey();
  return o;
}

const v1::DeviceWindow& Find(const summarise::SealedWindow& w, uint64_t mac) {
  for (const auto& d : w.devices) {
    if (d.mac() == mac) return d;
  }
  ADD_FAILURE() << "no device " << std::hex << mac;
  static v1::DeviceWindow none;
  return none;
}

TEST(EdgePrivacyTest, EveryAddressAndSsidIsReplaced) {
  auto privacy = EdgePrivacy::Create(Pseudonymise(SsidMode::kHash));
  ASSERT_TRUE(privacy.ok()) << privacy.status();
  summarise::SealedWindow w = MakeWindow(0);
  (*privacy)->Apply(&w);

  const v1::DeviceWindow& phone = Find(w, kPhonePseudonym);
  EXPECT_EQ(phone.client_bssid(), kApPseudonym);
  ASSERT_EQ(phone.probed_ssids_size(), 2);
  EXPECT_EQ(phone.probed_ssids(0), kHomeNetHash);
  EXPECT_EQ(phone.probed_ssids(1), kCafeWifiHash);
  EXPECT_EQ(phone.probe_fingerprint(), 0x1234u);  // kept on purpose (edge_privacy.h)
  const v1::DeviceWindow& ap = Find(w, kApPseudonym);
  EXPECT_EQ(ap.ap_bssid(), kApPseudonym);
  EXPECT_EQ(ap.ap_ssid(), kHomeNetHash);
  EXPECT_TRUE(Find(w, kRandomisedPseudonym).randomised());
  // Still ascending by (pseudonymous) MAC.
  for (size_t i = 1; i < w.devices.size(); ++i)
    EXPECT_LT(w.devices[i - 1].mac(), w.devices[i].mac());

  ASSERT_EQ(w.probes.size(), 3u);
  for (const auto& p : w.probes) {
    EXPECT_EQ(p.mac(), kPhonePseudonym);
    ASSERT_EQ(p.destinations_size(), 2);
    EXPECT_EQ(p.destinations(0), 0xffffffffffffu);  // broadcast names no device
    EXPECT_EQ(p.destinations(1), kApPseudonym);
  }
  EXPECT_EQ(w.probes[0].ssid(), "");  // wildcard stays wildcard
  EXPECT_EQ((*privacy)->counters().ssids_hashed, 5u);
}

TEST(EdgePrivacyTest, VendorPrefixKeptForGlobalAddressesOnly) {
  auto privacy = EdgePrivacy::Create(Pseudonymise(SsidMode::kKeep, /*keep_vendor=*/true));
  ASSERT_TRUE(privacy.ok());
  summarise::SealedWindow w = MakeWindow(0);
  (*privacy)->Apply(&w);
  EXPECT_EQ(Find(w, kPhoneKeepVendor).probed_ssids(0), "HomeNet");
  // Locally administered: fully replaced (python: 0x02aabbf3d113 would keep the random prefix).
  Find(w, kRandomisedPseudonym);
}

TEST(EdgePrivacyTest, DropRemovesSsidsAndMergesProbeObservations) {
  auto privacy = EdgePrivacy::Create(Pseudonymise(SsidMode::kDrop));
  ASSERT_TRUE(privacy.ok());
  summarise::SealedWindow w = MakeWindow(0);
  (*privacy)->Apply(&w);
  EXPECT_EQ(Find(w, kPhonePseudonym).probed_ssids_size(), 0);
  EXPECT_EQ(Find(w, kApPseudonym).ap_ssid(), "");
  ASSERT_EQ(w.probes.size(), 1u);
  const v1::ProbeObservation& p = w.probes[0];
  EXPECT_EQ(p.ssid(), "");
  EXPECT_EQ(p.count(), 6u);
  EXPECT_EQ(p.first_offset_us(), 5u);
  EXPECT_EQ(p.last_offset_us(), 90u);
  EXPECT_EQ(p.signal_min_dbm(), -60);
  EXPECT_EQ(p.signal_max_dbm(), -40);
  EXPECT_EQ(p.signal_sum_dbm(), -40 - 100 - 180);
  EXPECT_EQ(p.signal_count(), 6u);
  EXPECT_EQ(p.destinations_size(), 2);
  // 2 probed + 1 AP SSID on device windows, 2 named probe observations.
  EXPECT_EQ((*privacy)->counters().ssids_dropped, 5u);
  EXPECT_EQ((*privacy)->counters().probes_merged, 2u);
}

TEST(EdgePrivacyTest, OffChangesNothing) {
  auto privacy = EdgePrivacy::Create(PrivacyOptions{});
  ASSERT_TRUE(privacy.ok());
  summarise::SealedWindow w = MakeWindow(0);
  (*privacy)->Apply(&w);
  EXPECT_EQ(w.devices[0].mac(), kPhone);
  EXPECT_EQ(w.probes[1].ssid(), "CafeWifi");
}

TEST(EdgePrivacyTest, BadConfigurationsAreRefused) {
  PrivacyOptions off;
  off.ssids = SsidMode::kHash;
  EXPECT_EQ(EdgePrivacy::Create(off).status().code(), absl::StatusCode::kInvalidArgument);
  PrivacyOptions no_key = Pseudonymise(SsidMode::kKeep);
  no_key.key = "short";
  EXPECT_EQ(EdgePrivacy::Create(no_key).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(EdgePrivacyTest, RotationChangesPseudonymsAtTheBoundaryAndBatchesNeverMixPeriods) {
  PrivacyOptions o = Pseudonymise(SsidMode::kKeep);
  o.rotation_period_ns = pseudonym::kNsPerDay;
  auto privacy = EdgePrivacy::Create(o);
  ASSERT_TRUE(privacy.ok());
  const int64_t day = pseudonym::kNsPerDay;
  const int64_t monday = 1728864000000000000;  // 2024-10-14 00:00 UTC
  const int64_t minute = 60'000'000'000;
  summarise::SealedWindow last_before = MakeWindow(monday + day - minute);
  summarise::SealedWindow first_of_day = MakeWindow(monday);
  summarise::SealedWindow next_day = MakeWindow(monday + day);
  (*privacy)->Apply(&last_before);
  (*privacy)->Apply(&first_of_day);
  (*privacy)->Apply(&next_day);
  EXPECT_EQ(last_before.devices[0].mac(), first_of_day.devices[0].mac());
  EXPECT_NE(last_before.devices[0].mac(), next_day.devices[0].mac());
  EXPECT_EQ((*privacy)->InfoFor(monday + day - 1).rotation_start_ns(), monday);
  EXPECT_EQ((*privacy)->InfoFor(monday + day).rotation_start_ns(), monday + day);

  // Two windows of different periods in one append: separate batches, each labelled.
  std::map<int64_t, v1::PrivacyInfo> infos;
  spool::PrivacyForWindow label = [&](int64_t start) {
    const int64_t period = pseudonym::PeriodStart(start, day);
    auto it = infos.find(period);
    if (it == infos.end()) it = infos.emplace(period, (*privacy)->InfoFor(start)).first;
    return &it->second;
  };
  std::vector<v1::DeviceWindow> windows = last_before.devices;
  windows.insert(windows.end(), next_day.devices.begin(), next_day.devices.end());
  std::vector<v1::Batch> batches = spool::SealBatches(windows, {}, 1 << 20, label);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].privacy().rotation_start_ns(), monday);
  EXPECT_EQ(batches[0].windows_size(), 3);
  EXPECT_EQ(batches[1].privacy().rotation_start_ns(), monday + day);
  EXPECT_EQ(batches[1].privacy().mode(), v1::PRIVACY_MODE_PSEUDONYMISE);
}

}  // namespace
}  // namespace airfleet::privacy
