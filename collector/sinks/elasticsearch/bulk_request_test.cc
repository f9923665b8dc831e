#include "collector/sinks/elasticsearch/bulk_request.h"

#include "absl/strings/str_split.h"
#include "collector/sinks/elasticsearch/test_records.h"
#include "gtest/gtest.h"

namespace airfleet::collector::sinks::elasticsearch {
namespace {

using nlohmann::json;
using testing::kNov23_10h;

TEST(IndexName, MonthlyIndicesFollowTheRecordsOwnUtcTime) {
  // 2026-11-30T23:59:59Z and one second later (python calendar.timegm).
  constexpr int64_t kLastSecondOfNov = 1796083199LL * 1'000'000'000;
  EXPECT_EQ(IndexName(testing::FullWindow(1, kLastSecondOfNov), "airfleet"),
            "airfleet-windows-2026.11");
  EXPECT_EQ(IndexName(testing::FullWindow(1, kLastSecondOfNov + 1'000'000'000), "airfleet"),
            "airfleet-windows-2026.12");
  EXPECT_EQ(IndexName(testing::FullProbe(), "x"), "x-probes-2026.11");
  EXPECT_EQ(IndexName(testing::FullDevice(), "x"), "x-devices-2026.11");
  EXPECT_EQ(IndexName(testing::FullAgent(), "x"), "x-agents");
  EXPECT_EQ(IndexName(testing::FullEvent(), "x"), "x-events-2026.11");
}

TEST(IsoTime, UtcWithMilliseconds) {
  EXPECT_EQ(IsoTime(kNov23_10h), "2026-11-23T10:00:00.000Z");
  EXPECT_EQ(IsoTime(kNov23_10h + 1'999'999), "2026-11-23T10:00:00.001Z");
  EXPECT_EQ(IsoTime(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(IsoTime(-1), "1969-12-31T23:59:59.999Z");
}

TEST(EncodeSsid, Utf8KeptInvalidBytesHexWithFlag) {
  bool hex = true;
  EXPECT_EQ(EncodeSsid("café", &hex), "café");
  EXPECT_FALSE(hex);
  EXPECT_EQ(EncodeSsid(std::string("\xff\xfe", 2), &hex), "hex:fffe");
  EXPECT_TRUE(hex);
  // An SSID that looks like our encoding is encoded too, so decoding is unambiguous.
  EXPECT_EQ(EncodeSsid("hex:ab", &hex), "hex:6865783a6162");
  EXPECT_TRUE(hex);
  EXPECT_EQ(EncodeSsid("\xc0\x80"), "hex:c080");        // overlong NUL
  EXPECT_EQ(EncodeSsid("\xed\xa0\x80"), "hex:eda080");  // surrogate
  EXPECT_EQ(EncodeSsid(""), "");
}

TEST(Document, WindowFields) {
  json d = Document(testing::FullWindow());
  EXPECT_EQ(d["mac"], "02:11:22:33:44:aa");
  EXPECT_EQ(d["agent_id"], "pi-01");
  EXPECT_EQ(d["window_start"], "2026-11-23T10:00:00.000Z");
  EXPECT_EQ(d["window_end"], "2026-11-23T10:01:00.000Z");
  EXPECT_EQ(d["first_seen"], "2026-11-23T10:00:00.001Z");
  EXPECT_EQ(d["signal"]["avg"], -43.3);  // -130 / 3
  EXPECT_EQ(d["signal"]["count"], 3);
  EXPECT_EQ(d["noise_avg"], -95.0);
  EXPECT_EQ(d["subtypes"], (json{{"mgmt_4", 3}, {"data_8", 9}}));
  EXPECT_EQ(d["probed_ssids"], (json{"home", "hex:fffe"}));
  EXPECT_EQ(d["client_bssid"], "00:11:22:33:44:55");
  EXPECT_EQ(d["encryption"], (json{"ccmp_gcmp"}));
  EXPECT_EQ(d["probe_fingerprint"], "fedcba9876543210");
  EXPECT_EQ(d["location"], (json{{"lat", 52.52}, {"lon", 13.405}}));
  EXPECT_FALSE(d.contains("ap_ssid"));  // not an AP
}

TEST(Document, NoSignalNoLocationMeansNoField) {
  WindowRecord w = testing::FullWindow();
  w.window.set_signal_count(0);
  w.agent_location.reset();
  json d = Document(w);
  EXPECT_FALSE(d.contains("signal"));
  EXPECT_FALSE(d.contains("location"));
}

TEST(Document, ProbeDeviceAgentEvent) {
  json p = Document(testing::FullProbe());
  EXPECT_EQ(p["ssid"], "café");
  EXPECT_EQ(p["ssid_hex"], false);
  EXPECT_EQ(p["wildcard"], false);
  EXPECT_EQ(p["signal"]["avg"], -55.0);
  EXPECT_EQ(p["destinations"], (json{"ff:ff:ff:ff:ff:ff"}));
  json d = Document(testing::FullDevice());
  EXPECT_EQ(d["vendor"], "Raspberry Pi Trading Ltd");
  EXPECT_EQ(d["known"], "known");
  EXPECT_EQ(d["name"], "front door camera");
  EXPECT_EQ(d["ap_ssid"], "office");
  EXPECT_EQ(d["sightings"][0]["last_signal_dbm"], -45);
  json a = Document(testing::FullAgent());
  EXPECT_EQ(a["stream_id"], "deadbeefcafef00d");
  EXPECT_EQ(a["health"]["lost_summaries"], 40);
  EXPECT_EQ(a["location"]["lat"], 48.1);
  json e = Document(testing::FullEvent());
  EXPECT_EQ(e["time"], "2026-11-23T10:00:00.000Z");  // recorded_ns, not when we learnt of it
  EXPECT_EQ(e["learnt"], "2026-11-23T10:00:05.000Z");
  EXPECT_EQ(e["loss"]["reason"], "spool_quota");
}

TEST(BulkBody, TwoLinesPerRecordWithDeterministicIdAndIndexAction) {
  std::vector<Record> records = testing::OneOfEachKind();
  std::string body = BulkBody(records, {});
  ASSERT_FALSE(body.empty());
  EXPECT_EQ(body.back(), '\n');
  std::vector<std::string> lines = absl::StrSplit(body, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2 * records.size());
  json action = json::parse(lines[0]);
  EXPECT_EQ(action, (json{{"index",
                           {{"_index", "airfleet-windows-2026.11"},
                            {"_id", "w:pi-01:0211223344aa:1795428000000000000"}}}}));
  EXPECT_EQ(json::parse(lines[6])["index"]["_index"], "airfleet-agents");
  EXPECT_EQ(json::parse(lines[6])["index"]["_id"], "a:pi-01");
  // The same records give byte-identical bodies (no clock, no randomness).
  EXPECT_EQ(BulkBody(records, {}), body);
}

TEST(BulkBody, LegacyTypeForEs7) {
  std::string item = BulkItem(testing::FullAgent(), {"fleet", true});
  json action = json::parse(item.substr(0, item.find('\n')));
  EXPECT_EQ(action["index"]["_type"], "_doc");
  EXPECT_EQ(action["index"]["_index"], "fleet-agents");
}

TEST(BulkBody, InvalidUtf8InFreeTextIsReplacedNotThrown) {
  AgentRecord a = testing::FullAgent();
  a.agent.set_version("\xff");
  std::string item;
  ASSERT_NO_THROW(item = BulkItem(a, {}));
  EXPECT_NE(item.find("\"version\":\"\xef\xbf\xbd\""), std::string::npos);  // U+FFFD
}

TEST(BulkBody, CounterBeyondSignedLongIsWrittenAsIsForTheEngineToReject) {
  WindowRecord w = testing::FullWindow();
  w.window.set_bytes(~uint64_t{0});
  EXPECT_NE(BulkItem(w, {}).find("\"bytes\":18446744073709551615"), std::string::npos);
}

}  // namespace
}  // namespace airfleet::collector::sinks::elasticsearch
