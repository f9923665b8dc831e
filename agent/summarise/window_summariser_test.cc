#include "agent/summarise/window_summariser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace airfleet::summarise {
namespace {

using ::testing::ElementsAre;

constexpr int64_t kSec = 1'000'000'000;

Mac M(uint64_t v) { return Mac::FromU64(v); }

// A frame as the dissector would fill it: `ta` transmitted a data frame at ts.
dissect::Frame Tx(uint64_t ta, int64_t ts, uint8_t type = dissect::kTypeData, uint8_t subtype = 0) {
  dissect::Frame f;
  f.timestamp_ns = ts;
  f.has_mac_header = true;
  f.type = type;
  f.subtype = subtype;
  f.has_ta = f.has_ra = f.has_sa = true;
  f.ta = f.sa = M(ta);
  f.ra = M(0x00aa00000001);
  f.mac_frame_len = 100;
  f.captured_len = f.original_len = 100;
  return f;
}

dissect::Frame Ack(uint64_t ra, int64_t ts) {
  dissect::Frame f;
  f.timestamp_ns = ts;
  f.has_mac_header = true;
  f.type = dissect::kTypeControl;
  f.subtype = 13;
  f.has_ra = true;
  f.ra = M(ra);
  f.mac_frame_len = 10;
  return f;
}

dissect::Frame Probe(uint64_t sa, int64_t ts, const std::string& ssid) {
  static std::string storage[64];
  static int next = 0;
  std::string& s = storage[next++ % 64];  // SSID bytes must outlive the frame
  s = ssid;
  dissect::Frame f = Tx(sa, ts, dissect::kTypeManagement, dissect::kMgmtProbeRequest);
  f.ra = M(0xffffffffffff);
  f.has_elements = true;
  f.elements.has_ssid = true;
  f.elements.ssid = reinterpret_cast<const uint8_t*>(s.data());
  f.elements.ssid_len = static_cast<uint8_t>(s.size());
  f.elements.fingerprint = 0x1234;
  return f;
}

std::unique_ptr<WindowSummariser> Make(SummariserOptions o = {}) {
  auto s = WindowSummariser::Create(o);
  EXPECT_TRUE(s.ok()) << s.status();
  return std::move(s).value();
}

std::vector<SealedWindow> FlushAll(WindowSummariser* s) {
  s->Flush();
  return s->TakeSealed();
}

void ExpectCountersAddUp(const SummariserCounters& c) {
  EXPECT_EQ(c.frames_in,
            c.frames_attributed + c.late_frames + c.bad_fcs + c.unattributed + c.devices_overflow);
}

TEST(WindowSummariserTest, RejectsBadOptions) {
  SummariserOptions o;
  o.window_ms = 0;
  EXPECT_FALSE(WindowSummariser::Create(o).ok());
  o.window_ms = 5'000'000;  // offsets would not fit in uint32 microseconds
  EXPECT_FALSE(WindowSummariser::Create(o).ok());
  o = {};
  o.max_devices_per_window = 0;
  EXPECT_FALSE(WindowSummariser::Create(o).ok());
  o = {};
  o.max_probed_ssids = 255;
  EXPECT_FALSE(WindowSummariser::Create(o).ok());
  o = {};
  o.grace_ms = -1;
  EXPECT_FALSE(WindowSummariser::Create(o).ok());
}

TEST(WindowSummariserTest, WindowsAreAlignedToTheClock) {
  auto s = Make();
  // 1700000000 s = 28333333 * 60 s + 20 s, so its window starts at 1699999980 s.
  s->Add(Tx(1, 1'700'000'000 * kSec + 500'000'000));
  s->Add(Tx(1, 1'700'000'039 * kSec + 999'999'999));  // last ns of that window
  s->Add(Tx(1, 1'700'000'040 * kSec));                // first ns of the next
  auto out = FlushAll(s.get());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].window_start_ns, 1'699'999'980 * kSec);
  EXPECT_EQ(out[1].window_start_ns, 1'700'000'040 * kSec);
  ASSERT_EQ(out[0].devices.size(), 1u);
  const auto& d = out[0].devices[0];
  EXPECT_EQ(d.frames(), 2u);
  EXPECT_EQ(d.window_ms(), 60000u);
  EXPECT_EQ(d.first_offset_us(), 20'500'000u);
  EXPECT_EQ(d.last_offset_us(), 59'999'999u);
  EXPECT_EQ(out[1].devices[0].first_offset_us(), 0u);
}

TEST(WindowSummariserTest, WindowLengthIsAnyMillisecondMultiple) {
  SummariserOptions o;
  o.window_ms = 1500;
  auto s = Make(o);
  s->Add(Tx(1, 3 * kSec + 200'000'000));  // [3.0, 4.5)
  s->Add(Tx(1, 4 * kSec + 499'000'000));
  s->Add(Tx(1, 4 * kSec + 500'000'000));  // [4.5, 6.0)
  auto out = FlushAll(s.get());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].window_start_ns, 3 * kSec);
  EXPECT_EQ(out[0].devices[0].frames(), 2u);
  EXPECT_EQ(out[1].window_start_ns, 4 * kSec + 500'000'000);
  EXPECT_EQ(out[1].window_ms, 1500u);
}

TEST(WindowSummariserTest, NegativeTimestampsFloorToTheirWindow) {
  auto s = Make();
  s->Add(Tx(1, -1));
  auto out = FlushAll(s.get());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].window_start_ns, -60 * kSec);
  EXPECT_EQ(out[0].devices[0].first_offset_us(), 59'999'999u);
}

TEST(WindowSummariserTest, SealsAfterGraceAndCountsLateFrames) {
  SummariserOptions o;
  o.grace_ms = 60'000;  // one window
  auto s = Make(o);
  s->Add(Tx(1, 10 * kSec));
  s->Add(Tx(2, 119 * kSec + 999'999'999));  // window [60,120): [0,60) not yet past its grace
  EXPECT_TRUE(s->TakeSealed().empty());
  EXPECT_EQ(s->open_windows(), 2u);
  s->Add(Tx(1, 50 * kSec));   // still in grace: counts
  s->Add(Tx(3, 120 * kSec));  // [0,60) + 60 s grace has passed
  auto sealed = s->TakeSealed();
  ASSERT_EQ(sealed.size(), 1u);
  EXPECT_EQ(sealed[0].window_start_ns, 0);
  ASSERT_EQ(sealed[0].devices.size(), 1u);
  EXPECT_EQ(sealed[0].devices[0].frames(), 2u);

  s->Add(Tx(1, 59 * kSec));  // its window is gone
  EXPECT_EQ(s->counters().late_frames, 1u);
  s->Add(Tx(1, 61 * kSec));  // [60,120) is still open
  auto out = FlushAll(s.get());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].window_start_ns, 60 * kSec);
  EXPECT_EQ(out[0].devices.size(), 2u);
  EXPECT_EQ(out[1].window_start_ns, 120 * kSec);
  EXPECT_EQ(s->counters().frames_attributed, 5u);
  ExpectCountersAddUp(s->counters());
}

TEST(WindowSummariserTest, ZeroGraceSealsAtTheWindowEnd) {
  SummariserOptions o;
  o.grace_ms = 0;
  auto s = Make(o);
  s->Add(Tx(1, 59 * kSec));
  EXPECT_TRUE(s->TakeSealed().empty());
  s->Add(Tx(1, 60 * kSec));
  EXPECT_EQ(s->TakeSealed().size(), 1u);
  s->Add(Tx(1, 59 * kSec));
  EXPECT_EQ(s->counters().late_frames, 1u);
}

TEST(WindowSummariserTest, DefaultGraceIsOneSecond) {
  auto s = Make();
  s->Add(Tx(1, 10 * kSec));
  s->Add(Tx(1, 60 * kSec + 999'999'999));
  EXPECT_TRUE(s->TakeSealed().empty());
  s->Add(Tx(1, 61 * kSec));
  EXPECT_EQ(s->TakeSealed().size(), 1u);
}

TEST(WindowSummariserTest, AdvanceToSealsQuietWindowsAndNeverGoesBack) {
  SummariserOptions o;
  o.grace_ms = 60'000;
  auto s = Make(o);
  s->Add(Tx(1, 10 * kSec));
  s->AdvanceTo(119 * kSec);
  EXPECT_TRUE(s->TakeSealed().empty());
  s->AdvanceTo(120 * kSec);
  EXPECT_EQ(s->TakeSealed().size(), 1u);
  s->AdvanceTo(5 * kSec);  // ignored: the watermark only moves forward
  s->Add(Tx(1, 65 * kSec));
  EXPECT_EQ(s->counters().late_frames, 0u);
  EXPECT_EQ(s->open_windows(), 1u);
}

TEST(WindowSummariserTest, FlushSealsEverythingAndLaterFramesAreLate) {
  auto s = Make();
  s->Add(Tx(1, 10 * kSec));
  s->Add(Tx(1, 70 * kSec));
  auto out = FlushAll(s.get());
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(s->open_windows(), 0u);
  s->Add(Tx(1, 71 * kSec));
  EXPECT_EQ(s->counters().late_frames, 1u);
  s->Add(Tx(1, 121 * kSec));  // a new window
  EXPECT_EQ(FlushAll(s.get()).size(), 1u);
  ExpectCountersAddUp(s->counters());
}

TEST(WindowSummariserTest, ReceivedOnlyFramesCountForTheReceiver) {
  auto s = Make();
  s->Add(Ack(0x00bb00000001, kSec));  // only ever a receiver
  s->Add(Ack(0x00bb00000001, 2 * kSec));
  s->Add(Ack(0x00bb00000002, kSec));  // also transmits
  s->Add(Tx(0x00bb00000002, 3 * kSec));
  s->Add(Ack(0xffffffffffff, kSec));  // group address: nobody
  s->Add(Ack(0x01005e000001, kSec));  // multicast: nobody
  auto out = FlushAll(s.get());
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].devices.size(), 2u);
  const auto& only_rx = out[0].devices[0];
  EXPECT_EQ(only_rx.mac(), 0x00bb00000001u);
  EXPECT_EQ(only_rx.frames(), 0u);
  EXPECT_EQ(only_rx.received_only_frames(), 2u);
  EXPECT_EQ(only_rx.first_offset_us(), 0u);
  EXPECT_EQ(only_rx.signal_count(), 0u);
  EXPECT_TRUE(only_rx.subtype_keys().empty());
  const auto& both = out[0].devices[1];
  EXPECT_EQ(both.frames(), 1u);
  EXPECT_EQ(both.received_only_frames(), 1u);
  EXPECT_EQ(both.first_offset_us(), 3'000'000u);
  EXPECT_EQ(s->counters().unattributed, 2u);
  EXPECT_EQ(s->counters().frames_attributed, 4u);
  ExpectCountersAddUp(s->counters());
}

TEST(WindowSummariserTest, AnomaliesDecideAttribution) {
  auto s = Make();
  dissect::Frame bad = Tx(1, kSec);
  bad.anomaly = dissect::Anomaly::kBadFcs;
  s->Add(bad);
  dissect::Frame truncated = Tx(2, kSec);
  truncated.anomaly = dissect::Anomaly::kMacHeaderTruncated;
  s->Add(truncated);
  dissect::Frame reserved = Tx(3, kSec);
  reserved.anomaly = dissect::Anomaly::kReservedFrameType;
  s->Add(reserved);
  dissect::Frame overrun = Probe(4, kSec, "x");
  overrun.anomaly = dissect::Anomaly::kElementOverrun;  // still a real probe from device 4
  s->Add(overrun);
  dissect::Frame no_header = Tx(5, kSec);
  no_header.has_mac_header = false;
  no_header.anomaly = dissect::Anomaly::kRadiotapTruncated;
  s->Add(no_header);
  dissect::Frame group_tx = Tx(0x010000000001, kSec);  // TA with the group bit: not a device
  group_tx.has_sa = false;
  s->Add(group_tx);

  auto out = FlushAll(s.get());
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].devices.size(), 1u);
  EXPECT_EQ(out[0].devices[0].mac(), 4u);
  EXPECT_EQ(out[0].devices[0].probe_requests(), 1u);
  const auto& c = s->counters();
  EXPECT_EQ(c.bad_fcs, 1u);
  EXPECT_EQ(c.unattributed, 4u);
  EXPECT_EQ(c.frames_attributed, 1u);
  ExpectCountersAddUp(c);
}

TEST(WindowSummariserTest, UnknownRadiotapFieldDoesNotHideABadFcs) {
  // The dissector keeps only the first anomaly; the summariser checks the FCS itself then.
  uint8_t buf[10 + 4] = {0xd4, 0x00, 0x00, 0x00, 0x02, 0x11, 0x22,
                         0x33, 0x44, 0x55, 0xde, 0xad, 0xbe, 0xef};  // ACK + a wrong FCS
  auto s = Make();
  dissect::Frame f = Ack(0x021122334455, kSec);
  f.anomaly = dissect::Anomaly::kRadiotapUnknownField;
  f.mac_frame = buf;
  f.mac_frame_len = 10;
  f.has_fcs = true;
  s->Add(f);
  EXPECT_EQ(s->counters().bad_fcs, 1u);
  // CRC-32 of those 10 bytes, computed with Python's zlib.crc32: 0x063a4b7a (little-endian).
  buf[10] = 0x7a;
  buf[11] = 0x4b;
  buf[12] = 0x3a;
  buf[13] = 0x06;
  s->Add(f);
  EXPECT_EQ(s->counters().frames_attributed, 1u);
}

TEST(WindowSummariserTest, DeviceCapCountsOverflowAndKeepsKnownDevices) {
  SummariserOptions o;
  o.max_devices_per_window = 3;
  auto s = Make(o);
  for (uint64_t mac : {10, 11, 12, 13, 14}) s->Add(Tx(mac, kSec));
  s->Add(Tx(13, 2 * kSec));
  s->Add(Tx(10, 2 * kSec));  // known: still counted
  auto out = FlushAll(s.get());
  ASSERT_EQ(out[0].devices.size(), 3u);
  EXPECT_EQ(out[0].devices[0].mac(), 10u);
  EXPECT_EQ(out[0].devices[0].frames(), 2u);
  EXPECT_EQ(s->counters().devices_overflow, 3u);
  ExpectCountersAddUp(s->counters());
}

TEST(WindowSummariserTest, ProbedSsidsAreCappedInOrderOfFirstAppearance) {
  SummariserOptions o;
  o.max_probed_ssids = 2;
  auto s = Make(o);
  const uint64_t mac = 0x02aabbccddee;
  int64_t t = kSec;
  for (const char* ssid : {"Zeta", "", "Alpha", "Gamma", "Delta", "Gamma", "Zeta", ""}) {
    s->Add(Probe(mac, t, ssid));
    t += kSec;
  }
  auto out = FlushAll(s.get());
  ASSERT_EQ(out[0].devices.size(), 1u);
  const auto& d = out[0].devices[0];
  EXPECT_THAT(d.probed_ssids(), ElementsAre("Zeta", "Alpha"));
  EXPECT_EQ(d.probed_ssids_overflow(), 2u);  // Gamma, Delta (each once)
  EXPECT_EQ(d.probe_requests(), 8u);
  EXPECT_EQ(d.wildcard_probes(), 2u);
  EXPECT_TRUE(d.randomised());
  EXPECT_EQ(d.probe_fingerprint(), 0x1234u);
  // One observation per (device, SSID) kept, wildcard included, ordered by SSID bytes.
  ASSERT_EQ(out[0].probes.size(), 3u);
  EXPECT_EQ(out[0].probes[0].ssid(), "");
  EXPECT_EQ(out[0].probes[0].count(), 2u);
  EXPECT_EQ(out[0].probes[0].first_offset_us(), 2'000'000u);
  EXPECT_EQ(out[0].probes[0].last_offset_us(), 8'000'000u);
  EXPECT_EQ(out[0].probes[1].ssid(), "Alpha");
  EXPECT_EQ(out[0].probes[2].ssid(), "Zeta");
  EXPECT_EQ(out[0].probes[2].count(), 2u);
  EXPECT_THAT(out[0].probes[2].destinations(), ElementsAre(0xffffffffffffu));
  EXPECT_EQ(out[0].probes[2].fingerprint(), 0x1234u);
}

TEST(WindowSummariserTest, ProbeWithoutSsidElementIsWildcard) {
  auto s = Make();
  dissect::Frame f = Tx(7, kSec, dissect::kTypeManagement, dissect::kMgmtProbeRequest);
  f.has_elements = true;  // elements present but no SSID element
  s->Add(f);
  auto out = FlushAll(s.get());
  EXPECT_EQ(out[0].devices[0].wildcard_probes(), 1u);
  ASSERT_EQ(out[0].probes.size(), 1u);
  EXPECT_EQ(out[0].probes[0].ssid(), "");
}

TEST(WindowSummariserTest, FillsRadioTypeAndApFields) {
  auto s = Make();
  const uint64_t ap = 0x001a2b000001, sta = 0x001a2b000002;
  dissect::Frame beacon = Tx(ap, kSec, dissect::kTypeManagement, dissect::kMgmtBeacon);
  beacon.ra = M(0xffffffffffff);
  beacon.has_bssid = true;
  beacon.bssid = M(ap);
  beacon.has_elements = true;
  beacon.elements.has_ssid = true;
  static const uint8_t kEmpty[1] = {0};
  beacon.elements.ssid = kEmpty;  // hidden: an SSID element of one zero byte
  beacon.elements.ssid_len = 0;
  beacon.radio.has_signal = true;
  beacon.radio.signal_dbm = -40;
  beacon.radio.has_freq = true;
  beacon.radio.freq_mhz = 2437;
  beacon.has_seq = true;
  beacon.seq = 4095;
  s->Add(beacon);
  dissect::Frame resp = beacon;
  resp.subtype = dissect::kMgmtProbeResponse;
  static const uint8_t kName[] = {'L', 'a', 'b'};
  resp.elements.ssid = kName;
  resp.elements.ssid_len = 3;
  resp.radio.signal_dbm = -52;
  resp.radio.freq_mhz = 2412;
  resp.radio.has_noise = true;
  resp.radio.noise_dbm = -95;
  resp.retry = true;
  resp.seq = 0;
  s->Add(resp);
  beacon.timestamp_ns = 2 * kSec;  // a later hidden beacon must not erase the name
  beacon.radio.freq_mhz = 2437;
  s->Add(beacon);

  // Station: open data, CCMP data, a QoS Null (no body: no encryption bit), to the AP.
  dissect::Frame data = Tx(sta, kSec);
  data.to_ds = true;
  data.has_bssid = true;
  data.bssid = M(ap);
  s->Add(data);
  data.subtype = 8;
  data.protected_frame = true;
  data.protection = dissect::Protection::kCcmpGcmp;
  s->Add(data);
  data.subtype = 12;
  data.protected_frame = false;
  data.protection = dissect::Protection::kOpen;
  data.mac_frame_len = 26;
  data.captured_len = data.original_len = 26;
  s->Add(data);
  // A frame cut by the snap length still counts its full length (FCS excluded).
  data.subtype = 8;
  data.protected_frame = true;
  data.protection = dissect::Protection::kWep;
  data.mac_frame_len = 200;
  data.captured_len = 240;   // incl. a 40-byte radio header
  data.original_len = 1540;  // incl. a 4-byte FCS (radiotap says so)
  data.radio.fcs_at_end = true;
  s->Add(data);

  auto out = FlushAll(s.get());
  ASSERT_EQ(out[0].devices.size(), 2u);
  const auto& a = out[0].devices[0];
  EXPECT_EQ(a.mac(), ap);
  EXPECT_EQ(a.frames(), 3u);
  EXPECT_EQ(a.beacons(), 2u);
  EXPECT_EQ(a.ap_ssid(), "Lab");
  EXPECT_EQ(a.ap_bssid(), ap);
  EXPECT_EQ(a.client_bssid(), 0u);
  EXPECT_EQ(a.retries(), 1u);
  EXPECT_EQ(a.signal_min_dbm(), -52);
  EXPECT_EQ(a.signal_max_dbm(), -40);
  EXPECT_EQ(a.signal_sum_dbm(), -132);
  EXPECT_EQ(a.signal_count(), 3u);
  EXPECT_EQ(a.noise_sum_dbm(), -95);
  EXPECT_EQ(a.noise_count(), 1u);
  EXPECT_THAT(a.channels_mhz(), ElementsAre(2412u, 2437u));
  EXPECT_THAT(a.subtype_keys(), ElementsAre(0x05u, 0x08u));
  EXPECT_THAT(a.subtype_counts(), ElementsAre(1u, 2u));
  EXPECT_TRUE(a.has_seq());
  EXPECT_EQ(a.first_seq(), 4095u);
  EXPECT_EQ(a.last_seq(), 4095u);
  EXPECT_FALSE(a.randomised());
  EXPECT_EQ(a.probe_fingerprint(), 0u);
  EXPECT_EQ(a.data_frames(), 0u);

  const auto& c = out[0].devices[1];
  EXPECT_EQ(c.mac(), sta);
  EXPECT_EQ(c.data_frames(), 4u);
  EXPECT_EQ(c.client_bssid(), ap);
  EXPECT_EQ(c.encryption(), static_cast<uint32_t>(v1::ENCRYPTION_OPEN | v1::ENCRYPTION_CCMP_GCMP |
                                                  v1::ENCRYPTION_WEP));
  EXPECT_EQ(c.bytes(), 100u + 100u + 26u + (200u + 1300u - 4u));
  EXPECT_THAT(c.subtype_keys(), ElementsAre(0x20u, 0x28u, 0x2cu));
  EXPECT_THAT(c.subtype_counts(), ElementsAre(1u, 2u, 1u));
  EXPECT_FALSE(c.has_seq());
  EXPECT_EQ(c.signal_count(), 0u);
}

TEST(WindowSummariserTest, CountsEverySubtypeBeyondTheInlineSlots) {
  auto s = Make();
  // 20 distinct (type, subtype) keys from one device, key k sent k % 3 + 1 times; another
  // device in between so the side table has to keep devices apart.
  for (int round = 0; round < 3; ++round) {
    for (uint32_t k = 0; k < 20; ++k) {
      if (static_cast<int>(k % 3) < round) continue;
      s->Add(Tx(0x00cc00000001, kSec, static_cast<uint8_t>(k >> 4), static_cast<uint8_t>(k & 15)));
      s->Add(Tx(0x00cc00000002, kSec, static_cast<uint8_t>(k >> 4), static_cast<uint8_t>(k & 15)));
    }
  }
  auto out = FlushAll(s.get());
  ASSERT_EQ(out[0].devices.size(), 2u);
  for (const auto& d : out[0].devices) {
    ASSERT_EQ(d.subtype_keys_size(), 20);
    ASSERT_EQ(d.subtype_counts_size(), 20);
    uint32_t total = 0;
    for (int k = 0; k < 20; ++k) {
      EXPECT_EQ(d.subtype_keys(k), static_cast<uint32_t>(k));
      EXPECT_EQ(d.subtype_counts(k), static_cast<uint32_t>(k % 3 + 1)) << "key " << k;
      total += d.subtype_counts(k);
    }
    EXPECT_EQ(total, d.frames());
  }
}

TEST(WindowSummariserTest, OutputOrderIsDeterministic) {
  // Same input -> identical bytes out; devices ascending by MAC whatever the arrival order.
  std::vector<dissect::Frame> frames;
  for (uint64_t i = 0; i < 200; ++i) {
    const uint64_t mac = 0x001000000000 + ((i * 7919) % 97);
    frames.push_back(i % 3 == 0 ? Probe(mac, (10 + i % 50) * kSec, i % 2 ? "a" : "b")
                                : Tx(mac, (10 + i % 50) * kSec));
  }
  auto run = [](const std::vector<dissect::Frame>& fs) {
    auto s = Make();
    for (const auto& f : fs) s->Add(f);
    std::string bytes;
    for (const auto& w : FlushAll(s.get())) {
      for (const auto& d : w.devices) bytes += d.SerializeAsString();
      for (const auto& p : w.probes) bytes += p.SerializeAsString();
    }
    return bytes;
  };
  auto reversed = frames;
  std::reverse(reversed.begin(), reversed.end());
  const std::string a = run(frames);
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, run(frames));
  // Devices must come out in ascending MAC order.
  auto s = Make();
  for (const auto& f : reversed) s->Add(f);
  auto out = FlushAll(s.get());
  ASSERT_EQ(out.size(), 1u);
  for (size_t i = 1; i < out[0].devices.size(); ++i) {
    EXPECT_LT(out[0].devices[i - 1].mac(), out[0].devices[i].mac());
  }
  EXPECT_EQ(out[0].devices.size(), 97u);
}

TEST(WindowSummariserTest, ReusedTablesStartClean) {
  auto s = Make();
  s->Add(Probe(1, 10 * kSec, "first"));
  s->Add(Tx(1, 200 * kSec));  // seals [0,60) and recycles its tables
  s->Add(Tx(2, 400 * kSec));
  auto out = FlushAll(s.get());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1].devices.size(), 1u);
  EXPECT_EQ(out[1].devices[0].probe_requests(), 0u);
  EXPECT_TRUE(out[1].probes.empty());
  EXPECT_EQ(out[2].devices[0].mac(), 2u);
  EXPECT_GT(s->MemoryBytes(), 0u);
}

}  // namespace
}  // namespace airfleet::summarise
