#include "tools/ctl/views.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::ctl {
namespace {

using Json = nlohmann::ordered_json;
constexpr int64_t kS = 1000000000;
constexpr int64_t kNow = 1700000000LL * kS;

std::string Render(const Table& t, Format f) {
  std::ostringstream out;
  WriteTable(t, f, out);
  return out.str();
}

v1::ListAgentsResponse TwoAgents() {
  v1::ListAgentsResponse r;
  auto* a = r.add_agents();
  a->set_agent_id("agent-01");
  a->set_peer_address("ipv4:10.0.0.5:40000");
  a->set_connected(true);
  a->set_last_seen_ns(kNow - 90 * kS);
  a->set_batches(12);
  a->set_summaries(3400);
  a->set_committed_sequence(11);
  a->set_version("0.1.0");
  auto* h = a->mutable_last_health();
  h->set_spool_batches(3);
  h->set_spool_bytes(4096);
  h->mutable_capture()->set_dropped_kernel(7);
  h->mutable_capture()->set_dropped_interface(2);
  auto* l1 = h->add_losses();
  l1->set_batches(4);
  l1->set_summaries(100);
  auto* l2 = h->add_losses();
  l2->set_batches(1);
  l2->set_summaries(20);
  a->set_status(v1::AGENT_STATUS_LAGGING);
  a->set_status_reason("3 batches waiting, the oldest 6m0s old (lagging after 5m)");
  a->set_clock_offset_ms(-1200);
  a->set_has_clock_offset(true);
  h->set_periodic(true);
  h->set_frames_per_second(812.34);
  h->set_oldest_unsent_age_ms(360'500);
  h->set_rss_bytes(31'000'000);
  h->set_temperature_millicelsius(48'312);
  auto* b = r.add_agents();  // never sent health
  b->set_agent_id("agent-02");
  b->set_status(v1::AGENT_STATUS_OFFLINE);
  b->set_status_reason("never connected");
  return r;
}

TEST(ViewsTest, AgentsSumLossesAndDropsFromLastHealth) {
  Json j = Json::parse(Render(AgentsTable(TwoAgents(), kNow), Format::kJson));
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["agent"], "agent-01");
  EXPECT_EQ(j[0]["address"], "ipv4:10.0.0.5:40000");
  EXPECT_EQ(j[0]["connected"], true);
  EXPECT_EQ(j[0]["last_seen"].get<int64_t>(), kNow - 90 * kS);
  EXPECT_EQ(j[0]["batches"], 12);
  EXPECT_EQ(j[0]["summaries"], 3400);
  EXPECT_EQ(j[0]["committed_seq"], 11);
  EXPECT_EQ(j[0]["backlog_batches"], 3);
  EXPECT_EQ(j[0]["backlog_bytes"], 4096);
  EXPECT_EQ(j[0]["lost_batches"], 5);
  EXPECT_EQ(j[0]["lost_summaries"], 120);
  EXPECT_EQ(j[0]["capture_drops"], 9);
  EXPECT_EQ(j[0]["version"], "0.1.0");
  EXPECT_EQ(j[0]["status"], "lagging");
  EXPECT_EQ(j[0]["status_reason"], "3 batches waiting, the oldest 6m0s old (lagging after 5m)");
  EXPECT_DOUBLE_EQ(j[0]["frames_per_second"].get<double>(), 812.3);
  EXPECT_EQ(j[0]["backlog_age_s"], 360);
  EXPECT_EQ(j[0]["rss_bytes"], 31'000'000);
  EXPECT_DOUBLE_EQ(j[0]["temperature_c"].get<double>(), 48.3);
  EXPECT_EQ(j[0]["clock_offset_ms"], -1200);
  EXPECT_EQ(j[1]["status"], "offline");
  EXPECT_EQ(j[1]["status_reason"], "never connected");
  // No health yet: unknown, not zero.
  EXPECT_TRUE(j[1]["frames_per_second"].is_null());
  EXPECT_TRUE(j[1]["rss_bytes"].is_null());
  EXPECT_TRUE(j[1]["temperature_c"].is_null());
  EXPECT_TRUE(j[1]["clock_offset_ms"].is_null());
  EXPECT_TRUE(j[1]["backlog_batches"].is_null());
  EXPECT_TRUE(j[1]["lost_batches"].is_null());
  EXPECT_TRUE(j[1]["last_seen"].is_null());
}

TEST(ViewsTest, AgentsTableShowsAgeOfLastSeen) {
  std::string text = Render(AgentsTable(TwoAgents(), kNow), Format::kTable);
  EXPECT_THAT(text, ::testing::HasSubstr(" 1m "));
  EXPECT_THAT(text, ::testing::StartsWith("AGENT     STATUS   ADDRESS"));
}

TEST(ViewsTest, StrongestAgentIsTheLoudestSighting) {
  v1::DeviceInfo d;
  auto add = [&](const char* agent, bool has, int dbm) {
    auto* s = d.add_sightings();
    s->set_agent_id(agent);
    s->set_has_signal(has);
    s->set_last_signal_dbm(dbm);
  };
  add("a", true, -70);
  add("b", false, -10);  // no signal: ignored whatever the field says
  add("c", true, -55);
  add("d", true, -55);  // tie: the smaller id wins
  ASSERT_NE(StrongestSighting(d), nullptr);
  EXPECT_EQ(StrongestSighting(d)->agent_id(), "c");
  EXPECT_EQ(StrongestSighting(v1::DeviceInfo()), nullptr);
}

TEST(ViewsTest, DevicesCarryMacSsidsAndAgents) {
  v1::ListDevicesResponse r;
  auto* d = r.add_devices();
  d->set_mac(0x021122334455ULL);
  d->set_randomised(true);
  d->set_first_seen_ns(kNow - 3600 * kS);
  d->set_last_seen_ns(kNow - 5 * kS);
  d->set_frames(42);
  d->set_probe_requests(7);
  d->set_has_signal(true);
  d->set_signal_min_dbm(-80);
  d->set_signal_max_dbm(-41);
  d->add_probed_ssids("CoffeeShop");
  d->add_probed_ssids(std::string("\x1b[31m", 5));
  d->add_channels_mhz(2437);
  d->add_sightings()->set_agent_id("agent-01");
  d->add_sightings()->set_agent_id("agent-02");
  Json j = Json::parse(Render(DevicesTable(r, kNow), Format::kJson));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["mac"], "02:11:22:33:44:55");
  EXPECT_EQ(j[0]["randomised"], true);
  EXPECT_EQ(j[0]["frames"], 42);
  EXPECT_EQ(j[0]["probes"], 7);
  EXPECT_EQ(j[0]["signal_min"], -80);
  EXPECT_EQ(j[0]["signal_max"], -41);
  EXPECT_TRUE(j[0]["ssid"].is_null());
  EXPECT_EQ(j[0]["probed_ssids"], Json::parse(R"(["CoffeeShop", "\\x1b[31m"])"));
  EXPECT_EQ(j[0]["channels"], Json::parse("[2437]"));
  EXPECT_EQ(j[0]["agents"], Json::parse(R"(["agent-01", "agent-02"])"));
  EXPECT_TRUE(j[0]["strongest_agent"].is_null());  // no sighting carries a signal
  std::string table = Render(DevicesTable(r, kNow), Format::kTable);
  EXPECT_THAT(table, ::testing::HasSubstr("2023-11-14T21:13:20Z"));
  EXPECT_THAT(table, ::testing::HasSubstr("CoffeeShop,\\x1b[31m"));
  EXPECT_EQ(table.find('\x1b'), std::string::npos);
}

TEST(ViewsTest, DeviceJsonHasDetailsSightingsAndWindows) {
  v1::GetDeviceResponse r;
  r.mutable_device()->set_mac(0x001122334455ULL);
  auto* s = r.mutable_device()->add_sightings();
  s->set_agent_id("agent-01");
  s->set_has_signal(true);
  s->set_last_signal_dbm(-55);
  s->set_frames(3);
  auto* w = r.add_recent_windows();
  w->set_mac(0x001122334455ULL);
  w->set_window_start_ns(kNow);
  w->set_frames(3);
  std::ostringstream out;
  WriteDevice(r, Format::kJson, kNow, out);
  Json j = Json::parse(out.str());
  EXPECT_EQ(j["device"]["mac"], "00:11:22:33:44:55");
  EXPECT_EQ(j["sightings"][0]["agent"], "agent-01");
  EXPECT_EQ(j["sightings"][0]["last_signal"], -55);
  EXPECT_EQ(j["recent_windows"][0]["window_start"].get<int64_t>(), kNow);
  EXPECT_EQ(j["recent_windows"][0]["frames"], 3);

  std::ostringstream table;
  WriteDevice(r, Format::kTable, kNow, table);
  EXPECT_THAT(table.str(), ::testing::HasSubstr("Sightings\nAGENT"));
  EXPECT_THAT(table.str(), ::testing::HasSubstr("Recent windows\nWINDOW"));
}

v1::StoredWindow Stored(const char* agent, uint64_t mac, uint32_t frames) {
  v1::StoredWindow sw;
  sw.set_agent_id(agent);
  sw.mutable_window()->set_mac(mac);
  sw.mutable_window()->set_window_start_ns(kNow);
  sw.mutable_window()->set_frames(frames);
  return sw;
}

TEST(ViewsTest, ExportNdjsonIsOneWindowObjectPerLine) {
  std::ostringstream out;
  WindowExportWriter writer(Format::kNdjson, out);
  writer.Write(Stored("agent-01", 1, 10));
  writer.Write(Stored("agent-02", 2, 20));
  writer.Finish();
  EXPECT_EQ(writer.count(), 2u);
  std::istringstream lines(out.str());
  std::string line;
  std::vector<Json> objs;
  while (std::getline(lines, line)) objs.push_back(Json::parse(line));
  ASSERT_EQ(objs.size(), 2u);
  EXPECT_EQ(objs[0]["mac"], "00:00:00:00:00:01");
  EXPECT_EQ(objs[0]["agent"], "agent-01");
  EXPECT_EQ(objs[1]["frames"], 20);
  EXPECT_TRUE(objs[1]["window_start"].is_number_integer());
}

TEST(ViewsTest, ExportJsonIsAValidArrayEvenWhenEmpty) {
  std::ostringstream empty;
  WindowExportWriter e(Format::kJson, empty);
  e.Finish();
  EXPECT_EQ(Json::parse(empty.str()), Json::array());

  std::ostringstream out;
  WindowExportWriter w(Format::kJson, out);
  w.Write(Stored("a", 1, 1));
  w.Write(Stored("b", 2, 2));
  w.Finish();
  Json j = Json::parse(out.str());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[1]["agent"], "b");
}

TEST(ViewsTest, ExportCsvHasWindowKeysAsHeader) {
  std::ostringstream out;
  WindowExportWriter w(Format::kCsv, out);
  v1::StoredWindow sw = Stored("agent-01", 1, 5);
  sw.mutable_window()->add_subtype_keys(0x04);
  sw.mutable_window()->add_subtype_counts(5);
  sw.mutable_window()->add_channels_mhz(2412);
  sw.mutable_window()->add_channels_mhz(2437);
  w.Write(sw);
  w.Finish();
  std::istringstream lines(out.str());
  std::string header, row;
  std::getline(lines, header);
  std::getline(lines, row);
  EXPECT_THAT(header, ::testing::StartsWith("mac,agent,window_start,window_ms,"));
  EXPECT_THAT(row, ::testing::StartsWith("00:00:00:00:00:01,agent-01,1700000000000000000,0,"));
  EXPECT_THAT(row, ::testing::HasSubstr(",\"{\"\"0/4\"\":5}\","));
  EXPECT_THAT(row, ::testing::HasSubstr(",2412;2437,"));

  std::ostringstream none;
  WindowExportWriter n(Format::kCsv, none);
  n.Finish();
  EXPECT_EQ(none.str(), header + "\n");
}

TEST(ViewsTest, ClustersShowMacsHistogramAndHexIds) {
  v1::ListClustersResponse r;
  auto* c = r.add_clusters();
  c->set_id(0xabc);
  c->set_fingerprint(0x7c2e3cfb4a6b75ecULL);
  c->add_macs(0x02aabbccdd01ULL);
  c->add_macs(0x02aabbccdd02ULL);
  c->add_macs(0x02aabbccdd03ULL);
  c->set_probes(12);
  c->set_first_seen_ns(kNow);
  c->set_last_seen_ns(kNow + 60 * kS);
  c->add_probed_ssids("home\x1b");
  c->set_wildcard_probes(6);
  c->set_has_signal(true);
  c->set_signal_min_dbm(-52);
  c->set_signal_max_dbm(-44);
  auto* b1 = c->add_signal_histogram();
  b1->set_low_dbm(-55);
  b1->set_probes(4);
  auto* b2 = c->add_signal_histogram();
  b2->set_low_dbm(-50);
  b2->set_probes(8);
  Json j = Json::parse(Render(ClustersTable(r), Format::kJson));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["id"], "0000000000000abc");
  EXPECT_EQ(j[0]["fingerprint"], "7c2e3cfb4a6b75ec");
  EXPECT_EQ(j[0]["mac_count"], 3);
  EXPECT_EQ(j[0]["macs"], Json({"02:aa:bb:cc:dd:01", "02:aa:bb:cc:dd:02", "02:aa:bb:cc:dd:03"}));
  EXPECT_EQ(j[0]["first_seen"], kNow);
  EXPECT_EQ(j[0]["probed_ssids"], Json({"home\\x1b"}));
  EXPECT_EQ(j[0]["signal_min"], -52);
  EXPECT_EQ(j[0]["histogram"][1]["low_dbm"], -50);
  EXPECT_EQ(j[0]["histogram"][1]["probes"], 8);
  const std::string table = Render(ClustersTable(r), Format::kTable);
  EXPECT_THAT(table, ::testing::HasSubstr("02:aa:bb:cc:dd:01 +2"));
  EXPECT_THAT(table, ::testing::HasSubstr("-55:4 -50:8"));
  // No signal: null, not 0.
  c->set_has_signal(false);
  j = Json::parse(Render(ClustersTable(r), Format::kJson));
  EXPECT_TRUE(j[0]["signal_min"].is_null());
}

}  // namespace
}  // namespace airfleet::ctl
