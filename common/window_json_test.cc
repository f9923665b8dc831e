#include "common/window_json.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet {
namespace {

// A client probing for "CoffeeShop" and "Home" (expected values worked out from summary.proto).
v1::DeviceWindow ProbingClient() {
  v1::DeviceWindow w;
  w.set_mac(0x021122334455ULL);
  w.set_window_start_ns(1700000040000000000LL);
  w.set_window_ms(60000);
  w.set_first_offset_us(1500);     // +1.5 ms
  w.set_last_offset_us(59000000);  // +59 s
  w.set_frames(7);
  w.set_data_frames(2);
  w.set_bytes(1234);
  w.set_retries(1);
  w.add_subtype_keys(0x04);  // management / probe request
  w.add_subtype_counts(5);
  w.add_subtype_keys(0x28);  // data / QoS data
  w.add_subtype_counts(2);
  w.set_signal_min_dbm(-71);
  w.set_signal_max_dbm(-40);
  w.set_signal_sum_dbm(-170);  // three frames: average -56.666.. -> -56.7
  w.set_signal_count(3);
  w.add_channels_mhz(2412);
  w.add_channels_mhz(2437);
  w.add_probed_ssids("CoffeeShop");
  w.add_probed_ssids(std::string("\x00\xff", 2));
  w.set_probed_ssids_overflow(3);
  w.set_probe_requests(5);
  w.set_wildcard_probes(2);
  w.set_client_bssid(0xa0b1c2d3e4f5ULL);
  w.set_encryption(v1::ENCRYPTION_OPEN | v1::ENCRYPTION_CCMP_GCMP);
  w.set_probe_fingerprint(0x00000000deadbeefULL);
  w.set_first_seq(10);
  w.set_last_seq(4095);
  w.set_has_seq(true);
  w.set_randomised(true);
  return w;
}

TEST(WindowJsonTest, KeysAreTheDocumentedOnesInOrder) {
  auto j = WindowToJson(ProbingClient(), "agent-01");
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  EXPECT_THAT(
      keys, ::testing::ElementsAre(
                "mac", "agent", "window_start", "window_ms", "first_seen", "last_seen", "frames",
                "data_frames", "bytes", "retries", "subtypes", "received_only_frames", "signal_min",
                "signal_max", "signal_avg", "signal_count", "noise_avg", "channels",
                "probe_requests", "wildcard_probes", "probed_ssids", "probed_ssids_overflow",
                "ap_ssid", "ap_bssid", "beacons", "client_bssid", "encryption", "probe_fingerprint",
                "first_seq", "last_seq", "randomised"));
}

TEST(WindowJsonTest, ValuesFollowTheWireContract) {
  auto j = nlohmann::json::parse(WindowToJsonLine(ProbingClient(), "agent-01"));
  EXPECT_EQ(j["mac"], "02:11:22:33:44:55");
  EXPECT_EQ(j["agent"], "agent-01");
  ASSERT_TRUE(j["window_start"].is_number_integer());
  EXPECT_EQ(j["window_start"].get<int64_t>(), 1700000040000000000LL);
  EXPECT_EQ(j["window_ms"], 60000);
  EXPECT_EQ(j["first_seen"].get<int64_t>(), 1700000040001500000LL);
  EXPECT_EQ(j["last_seen"].get<int64_t>(), 1700000099000000000LL);
  EXPECT_EQ(j["frames"], 7);
  EXPECT_EQ(j["data_frames"], 2);
  EXPECT_EQ(j["bytes"], 1234);
  EXPECT_EQ(j["retries"], 1);
  EXPECT_EQ(j["subtypes"], nlohmann::json::parse(R"({"0/4": 5, "2/8": 2})"));
  EXPECT_EQ(j["signal_min"], -71);
  EXPECT_EQ(j["signal_max"], -40);
  EXPECT_DOUBLE_EQ(j["signal_avg"].get<double>(), -56.7);
  EXPECT_EQ(j["signal_count"], 3);
  EXPECT_TRUE(j["noise_avg"].is_null());
  EXPECT_EQ(j["channels"], nlohmann::json::parse("[2412, 2437]"));
  // tshark prints wlan.ssid "CoffeeShop" as 436f6666656553686f70.
  EXPECT_EQ(j["probed_ssids"], nlohmann::json::parse(R"(["436f6666656553686f70", "00ff"])"));
  EXPECT_EQ(j["probed_ssids_overflow"], 3);
  EXPECT_EQ(j["probe_requests"], 5);
  EXPECT_EQ(j["wildcard_probes"], 2);
  EXPECT_TRUE(j["ap_ssid"].is_null());
  EXPECT_TRUE(j["ap_bssid"].is_null());
  EXPECT_EQ(j["client_bssid"], "a0:b1:c2:d3:e4:f5");
  EXPECT_EQ(j["encryption"], nlohmann::json::parse(R"(["open", "ccmp_gcmp"])"));
  EXPECT_EQ(j["probe_fingerprint"], "00000000deadbeef");
  EXPECT_EQ(j["first_seq"], 10);
  EXPECT_EQ(j["last_seq"], 4095);
  EXPECT_EQ(j["randomised"], true);
}

TEST(WindowJsonTest, EmptyWindowHasNullsNotZeros) {
  v1::DeviceWindow w;
  w.set_mac(0xffeeddccbbaaULL);
  std::string line = WindowToJsonLine(w);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["mac"], "ff:ee:dd:cc:bb:aa");
  for (const char* key :
       {"agent", "signal_min", "signal_max", "signal_avg", "noise_avg", "ap_ssid", "ap_bssid",
        "client_bssid", "probe_fingerprint", "first_seq", "last_seq"}) {
    EXPECT_TRUE(j[key].is_null()) << key;
  }
  EXPECT_EQ(j["subtypes"], nlohmann::json::object());
  EXPECT_EQ(j["channels"], nlohmann::json::array());
  EXPECT_EQ(j["encryption"], nlohmann::json::array());
}

TEST(WindowJsonTest, AccessPointWithHiddenSsid) {
  v1::DeviceWindow w;
  w.set_mac(0x001122334455ULL);
  w.set_beacons(600);
  w.set_ap_bssid(0x001122334455ULL);
  w.set_noise_sum_dbm(-190);
  w.set_noise_count(2);
  auto j = WindowToJson(w);
  EXPECT_EQ(j["ap_ssid"], "");
  EXPECT_EQ(j["ap_bssid"], "00:11:22:33:44:55");
  EXPECT_EQ(j["beacons"], 600);
  EXPECT_DOUBLE_EQ(j["noise_avg"].get<double>(), -95.0);
  EXPECT_EQ(j["randomised"], false);
}

TEST(WindowJsonTest, MismatchedSubtypeListsAreCutToTheShorter) {
  v1::DeviceWindow w;
  w.add_subtype_keys(0x08);
  w.add_subtype_keys(0x1d);
  w.add_subtype_counts(9);
  EXPECT_EQ(WindowToJson(w)["subtypes"], nlohmann::ordered_json::parse(R"({"0/8": 9})"));
}

TEST(WindowJsonTest, InvalidUtf8AgentDoesNotThrow) {
  v1::DeviceWindow w;
  std::string line = WindowToJsonLine(w, std::string("\xff\xfe", 2));
  EXPECT_NO_THROW(nlohmann::json::parse(line));
}

}  // namespace
}  // namespace airfleet
