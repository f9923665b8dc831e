#include "tools/framegen/scenario.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "tools/framegen/pcap_writer.h"
#include "tools/framegen/test_util.h"

namespace airfleet::framegen {
namespace {

ScenarioOptions Small(uint64_t seed) {
  ScenarioOptions o;
  o.devices = 30;
  o.frames = 3000;
  o.seconds = 200;
  o.seed = seed;
  o.bad_fcs_fraction = 0.02;
  return o;
}

TEST(ScenarioTest, SameSeedSameBytesOtherSeedOtherBytes) {
  const Scenario a = GenerateScenario(Small(5));
  const Scenario b = GenerateScenario(Small(5));
  const Scenario c = GenerateScenario(Small(6));
  ASSERT_EQ(a.records.size(), 3000u);
  ASSERT_EQ(a.records.size(), b.records.size());
  for (size_t i = 0; i < a.records.size(); ++i) {
    ASSERT_EQ(a.records[i].timestamp_ns, b.records[i].timestamp_ns);
    ASSERT_EQ(a.records[i].bytes, b.records[i].bytes);
  }
  EXPECT_EQ(TruthToJson(a.truth), TruthToJson(b.truth));
  EXPECT_NE(TruthToJson(a.truth), TruthToJson(c.truth));
}

TEST(ScenarioTest, TruthAccountsForEveryFrame) {
  const Scenario s = GenerateScenario(Small(9));
  uint64_t sum = s.truth.bad_fcs_frames + s.truth.unattributed_frames;
  for (const auto& d : s.truth.devices) sum += d.frames + d.received_only;
  EXPECT_EQ(sum, s.truth.frames_total);
  EXPECT_GT(s.truth.bad_fcs_frames, 0u);
  int64_t prev = 0;
  for (const auto& r : s.records) {
    EXPECT_GE(r.timestamp_ns, prev);
    prev = r.timestamp_ns;
  }
}

TEST(ScenarioTest, RandomisedClientsRotateAddressesButKeepTheirPersona) {
  ScenarioOptions o = Small(3);
  o.randomised_fraction = 1.0;
  o.seconds = 600;
  const Scenario s = GenerateScenario(o);
  std::map<int, std::set<uint64_t>> macs_by_persona;
  for (const auto& d : s.truth.devices) {
    if (d.persona >= 0) {
      EXPECT_TRUE(d.randomised);
      macs_by_persona[d.persona].insert(d.mac.ToU64());
    }
  }
  size_t rotated = 0;
  for (const auto& [persona, macs] : macs_by_persona) rotated += macs.size() > 1;
  EXPECT_GT(rotated, 0u);
}

// tshark reads the written capture; per MAC, its frame counts must equal the truth's.
TEST(ScenarioTest, TsharkSeesTheFramesTheTruthDescribes) {
  if (!testing::HaveTshark()) GTEST_SKIP() << "tshark not installed";
  const Scenario s = GenerateScenario(Small(11));
  testing::TempDir dir;
  PcapWriter w(127, TimestampResolution::kNano);
  for (const auto& r : s.records) w.Add(r.timestamp_ns, r.bytes.data(), r.bytes.size());
  const std::string path = dir.File("s.pcap");
  ASSERT_TRUE(WriteFile(path, w.data()).ok());
  const auto lines = testing::Tshark("-r " + path +
                                     " -o wlan.check_checksum:TRUE -T fields -E separator='|'"
                                     " -e wlan.fcs.status -e wlan.ta -e wlan.ra -e wlan.ssid"
                                     " -e wlan.fc.type_subtype");
  ASSERT_EQ(lines.size(), s.records.size());
  std::map<std::string, uint64_t> tx, rx_only, probes;
  uint64_t bad = 0;
  for (const auto& l : lines) {
    const auto f = testing::Fields(l);
    ASSERT_EQ(f.size(), 5u) << l;
    if (f[0] != "1") {
      ++bad;
      continue;
    }
    if (!f[1].empty()) {
      ++tx[f[1]];
    } else if (f[2] != "ff:ff:ff:ff:ff:ff") {
      ++rx_only[f[2]];
    }
    if (f[4] == "0x0004") ++probes[f[1]];
  }
  EXPECT_EQ(bad, s.truth.bad_fcs_frames);
  std::map<std::string, uint64_t> want_tx, want_rx, want_probes;
  for (const auto& d : s.truth.devices) {
    if (d.frames) want_tx[d.mac.ToString()] += d.frames;
    if (d.received_only) want_rx[d.mac.ToString()] += d.received_only;
    if (d.probe_requests) want_probes[d.mac.ToString()] += d.probe_requests;
  }
  EXPECT_EQ(tx, want_tx);
  EXPECT_EQ(rx_only, want_rx);
  EXPECT_EQ(probes, want_probes);
}

}  // namespace
}  // namespace airfleet::framegen
