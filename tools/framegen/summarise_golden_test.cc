// Golden tests of the agent's dissect + summarise path against the scenario generator's ground
// truth. The truth is computed by the generator from what it decided to write, never from
// parsing, so these compare two independent computations of every DeviceWindow field.

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>

#include "agent/dissect/dissector.h"
#include "agent/summarise/window_summariser.h"
#include "tools/framegen/frame_builder.h"
#include "tools/framegen/scenario.h"

namespace airfleet {
namespace {

using framegen::Scenario;
using framegen::ScenarioOptions;
using framegen::TruthDevice;

struct Result {
  std::map<std::pair<int64_t, uint64_t>, v1::DeviceWindow> devices;
  std::map<std::pair<int64_t, uint64_t>, std::map<std::string, v1::ProbeObservation>> probes;
  summarise::SummariserCounters counters;
};

Result Summarise(const Scenario& s, int64_t window_ms) {
  summarise::SummariserOptions o;
  o.window_ms = window_ms;
  auto summ = summarise::WindowSummariser::Create(o);
  EXPECT_TRUE(summ.ok());
  // The generator corrupts FCSs on purpose and its truth expects them caught.
  dissect::DissectOptions options;
  options.verify_fcs = true;
  dissect::Frame f;
  Result r;
  for (const auto& rec : s.records) {
    f.timestamp_ns = rec.timestamp_ns;
    f.original_len = static_cast<uint32_t>(rec.bytes.size());
    dissect::Dissect(dissect::kLinktypeRadiotap, rec.bytes.data(), rec.bytes.size(), options, &f);
    (*summ)->Add(f);
  }
  (*summ)->Flush();
  for (auto& w : (*summ)->TakeSealed()) {
    for (auto& d : w.devices) r.devices[{w.window_start_ns, d.mac()}] = d;
    for (auto& p : w.probes) r.probes[{w.window_start_ns, p.mac()}][p.ssid()] = p;
  }
  r.counters = (*summ)->counters();
  return r;
}

void ExpectMatchesTruth(const Scenario& s, const Result& r) {
  const auto& t = s.truth;
  EXPECT_EQ(r.counters.frames_in, t.frames_total);
  EXPECT_EQ(r.counters.bad_fcs, t.bad_fcs_frames);
  EXPECT_EQ(r.counters.unattributed, t.unattributed_frames);
  EXPECT_EQ(r.counters.late_frames, 0u);
  EXPECT_EQ(r.counters.devices_overflow, 0u);
  ASSERT_EQ(r.devices.size(), t.devices.size());

  std::map<int, std::set<uint64_t>> fingerprints_by_persona;
  for (const TruthDevice& want : t.devices) {
    const std::string who = want.mac.ToString() + " @" + std::to_string(want.window_start_ns);
    SCOPED_TRACE(who);
    auto it = r.devices.find({want.window_start_ns, want.mac.ToU64()});
    ASSERT_NE(it, r.devices.end());
    const v1::DeviceWindow& got = it->second;
    EXPECT_EQ(got.window_ms(), static_cast<uint32_t>(t.window_ns / 1'000'000));
    EXPECT_EQ(got.frames(), want.frames);
    EXPECT_EQ(got.bytes(), want.bytes);
    EXPECT_EQ(got.retries(), want.retries);
    EXPECT_EQ(got.data_frames(), want.data_frames);
    EXPECT_EQ(got.beacons(), want.beacons);
    EXPECT_EQ(got.probe_requests(), want.probe_requests);
    EXPECT_EQ(got.wildcard_probes(), want.wildcard_probes);
    EXPECT_EQ(got.received_only_frames(), want.received_only);
    if (want.frames > 0) {
      EXPECT_EQ(got.first_offset_us(), (want.first_ns - want.window_start_ns) / 1000);
      EXPECT_EQ(got.last_offset_us(), (want.last_ns - want.window_start_ns) / 1000);
    }
    std::map<uint32_t, uint32_t> subtypes;
    ASSERT_EQ(got.subtype_keys_size(), got.subtype_counts_size());
    for (int i = 0; i < got.subtype_keys_size(); ++i) {
      subtypes[got.subtype_keys(i)] = got.subtype_counts(i);
    }
    EXPECT_EQ(subtypes, want.subtype_counts);
    EXPECT_EQ(got.signal_count(), want.signal_count);
    EXPECT_EQ(got.signal_sum_dbm(), want.signal_sum);
    if (want.signal_count > 0) {
      EXPECT_EQ(got.signal_min_dbm(), want.signal_min);
      EXPECT_EQ(got.signal_max_dbm(), want.signal_max);
    }
    EXPECT_EQ(got.noise_count(), want.noise_count);
    EXPECT_EQ(got.noise_sum_dbm(), want.noise_sum);
    EXPECT_EQ(std::vector<uint32_t>(got.channels_mhz().begin(), got.channels_mhz().end()),
              want.channels_mhz);
    EXPECT_EQ(std::vector<std::string>(got.probed_ssids().begin(), got.probed_ssids().end()),
              want.probed_ssids);
    EXPECT_EQ(got.probed_ssids_overflow(), 0u);
    EXPECT_EQ(got.ap_ssid(), want.ap_ssid);
    EXPECT_EQ(got.ap_bssid(), want.ap_bssid);
    EXPECT_EQ(got.client_bssid(), want.client_bssid);
    EXPECT_EQ(got.encryption(), want.encryption);
    EXPECT_EQ(got.has_seq(), want.has_seq);
    EXPECT_EQ(got.first_seq(), want.first_seq);
    EXPECT_EQ(got.last_seq(), want.last_seq);
    EXPECT_EQ(got.randomised(), want.randomised);
    if (want.persona >= 0) {
      EXPECT_NE(got.probe_fingerprint(), 0u);
      fingerprints_by_persona[want.persona].insert(got.probe_fingerprint());
    } else {
      EXPECT_EQ(got.probe_fingerprint(), 0u);
    }
    // One ProbeObservation per (device, window, SSID), wildcard included.
    const auto p = r.probes.find({want.window_start_ns, want.mac.ToU64()});
    if (want.probes_by_ssid.empty()) {
      EXPECT_EQ(p, r.probes.end());
    } else {
      ASSERT_NE(p, r.probes.end());
      ASSERT_EQ(p->second.size(), want.probes_by_ssid.size());
      for (const auto& [ssid, count] : want.probes_by_ssid) {
        auto o = p->second.find(ssid);
        ASSERT_NE(o, p->second.end()) << "ssid '" << ssid << "'";
        EXPECT_EQ(o->second.count(), count);
        EXPECT_EQ(o->second.fingerprint(), got.probe_fingerprint());
      }
    }
  }
  // A persona's rotating addresses share one fingerprint; different personas differ.
  std::set<uint64_t> all;
  for (const auto& [persona, fps] : fingerprints_by_persona) {
    EXPECT_EQ(fps.size(), 1u) << "persona " << persona;
    all.insert(*fps.begin());
  }
  EXPECT_EQ(all.size(), fingerprints_by_persona.size());
}

class GoldenTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(GoldenTest, ScenarioMatchesGeneratorTruth) {
  ScenarioOptions o;
  o.devices = 60;
  o.frames = 20000;
  o.seconds = 400;
  o.seed = GetParam();
  o.bad_fcs_fraction = 0.02;
  const Scenario s = framegen::GenerateScenario(o);
  ExpectMatchesTruth(s, Summarise(s, 60'000));
}

INSTANTIATE_TEST_SUITE_P(Seeds, GoldenTest, ::testing::Values(1, 2, 3, 42));

TEST(GoldenTest, WithoutFcsAndShortWindows) {
  ScenarioOptions o;
  o.devices = 25;
  o.frames = 8000;
  o.seconds = 95;
  o.seed = 77;
  o.fcs = false;
  o.window_ns = 2'500'000'000;
  const Scenario s = framegen::GenerateScenario(o);
  EXPECT_EQ(s.truth.bad_fcs_frames, 0u);
  ExpectMatchesTruth(s, Summarise(s, 2'500));
}

// summary.proto: signal is the first antenna's (the combined value in the first present word),
// also when per-chain values follow in extended present words.
TEST(GoldenTest, MultiAntennaSignalIsTheFirstOne) {
  ScenarioOptions o;
  o.devices = 20;
  o.frames = 3000;
  o.seconds = 120;
  o.seed = 5;
  o.multi_antenna_fraction = 0.5;
  const Scenario s = framegen::GenerateScenario(o);
  ExpectMatchesTruth(s, Summarise(s, 60'000));
}

// A CCMP header whose PN1 happens to equal (PN0 | 0x20) & 0x7f looks like a TKIP WEPSeed byte;
// CCMP's reserved third octet is zero, which a TKIP TSC0 is only 1 time in 256. Long sessions
// reach such packet numbers (PN >= 8192) all the time, so this must still read as CCMP.
TEST(GoldenTest, CcmpWithTkipLookingPacketNumberIsCcmp) {
  const Mac sta = *Mac::Parse("3c:2e:00:80:00:02"), ap = *Mac::Parse("00:1a:2b:00:00:01");
  framegen::PacketSpec p;
  p.radiotap = framegen::RadiotapSpec{};
  p.mac = framegen::Data(sta, ap, ap, /*to_ds=*/true, /*qos=*/true, framegen::Bytes(64, 1));
  framegen::ProtectCcmp(&p.mac, 0x2101);  // PN0 = 0x01, PN1 = 0x21 = (0x01 | 0x20) & 0x7f
  p.with_fcs = true;
  const framegen::Bytes b = framegen::BuildPacket(p);
  dissect::Frame f;
  ASSERT_EQ(dissect::Dissect(dissect::kLinktypeRadiotap, b.data(), b.size(), {}, &f),
            dissect::Anomaly::kNone);
  EXPECT_EQ(f.protection, dissect::Protection::kCcmpGcmp);
}

}  // namespace
}  // namespace airfleet
