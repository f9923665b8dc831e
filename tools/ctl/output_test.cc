#include "tools/ctl/output.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::ctl {
namespace {

using Json = nlohmann::ordered_json;

Table Sample() {
  Table t;
  t.columns = {{"name", "NAME"}, {"frames", "FRAMES"}, {"ok", "OK"}, {"tags", "TAGS"}};
  t.rows.push_back({Cell("a"), Cell(5), Cell(true), Cell(Json::array({"x", "y"}))});
  t.rows.push_back({Cell("longer-name"), Cell(12345), Cell(false), Cell(Json::array())});
  t.rows.push_back({Cell("c"), Cell(nullptr), Cell(nullptr), Cell(nullptr)});
  return t;
}

std::string Render(const Table& t, Format f) {
  std::ostringstream out;
  WriteTable(t, f, out);
  return out.str();
}

TEST(OutputTest, TableAlignsColumnsAndRightAlignsNumbers) {
  EXPECT_EQ(Render(Sample(), Format::kTable),
            "NAME         FRAMES  OK   TAGS\n"
            "a                 5  yes  x,y\n"
            "longer-name   12345  no   -\n"
            "c                 -  -    -\n");
}

TEST(OutputTest, TableUsesDisplayTextWhenGiven) {
  Table t;
  t.columns = {{"last_seen", "LAST SEEN"}, {"id", "ID"}};
  t.rows.push_back({Cell(1700000000000000000LL, "5m"), Cell("a1")});
  EXPECT_EQ(Render(t, Format::kTable), "LAST SEEN  ID\n5m         a1\n");
}

TEST(OutputTest, EmptyTableStillPrintsHeader) {
  Table t;
  t.columns = {{"a", "A"}, {"bb", "BB"}};
  EXPECT_EQ(Render(t, Format::kTable), "A  BB\n");
  EXPECT_EQ(Render(t, Format::kJson), "[]\n");
  EXPECT_EQ(Render(t, Format::kCsv), "a,bb\n");
  EXPECT_EQ(Render(t, Format::kNdjson), "");
}

TEST(OutputTest, JsonIsAnArrayOfObjectsWithMachineValues) {
  Table t = Sample();
  t.rows[0][1] = Cell(5, "five");  // the display text must not leak into json
  Json j = Json::parse(Render(t, Format::kJson));
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0], Json::parse(R"({"name":"a","frames":5,"ok":true,"tags":["x","y"]})"));
  EXPECT_TRUE(j[2]["frames"].is_null());
}

TEST(OutputTest, NdjsonIsOneCompactObjectPerLine) {
  EXPECT_EQ(Render(Sample(), Format::kNdjson),
            "{\"name\":\"a\",\"frames\":5,\"ok\":true,\"tags\":[\"x\",\"y\"]}\n"
            "{\"name\":\"longer-name\",\"frames\":12345,\"ok\":false,\"tags\":[]}\n"
            "{\"name\":\"c\",\"frames\":null,\"ok\":null,\"tags\":null}\n");
}

TEST(OutputTest, CsvFollowsRfc4180) {
  EXPECT_EQ(Render(Sample(), Format::kCsv),
            "name,frames,ok,tags\n"
            "a,5,true,x;y\n"
            "longer-name,12345,false,\n"
            "c,,,\n");
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField(" padded"), "\" padded\"");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvLine({"a", "b,c", ""}), "a,\"b,c\",\n");
}

TEST(OutputTest, RecordPrintsVerticallyOrAsOneObject) {
  Table t;
  t.columns = {{"cn", "CN"}, {"role", "Role (OU)"}};
  t.rows.push_back({Cell("agent-01"), Cell("agent")});
  std::ostringstream table, json, csv;
  WriteRecord(t, Format::kTable, table);
  WriteRecord(t, Format::kJson, json);
  WriteRecord(t, Format::kCsv, csv);
  EXPECT_EQ(table.str(), "CN:         agent-01\nRole (OU):  agent\n");
  EXPECT_EQ(Json::parse(json.str()), Json::parse(R"({"cn":"agent-01","role":"agent"})"));
  EXPECT_EQ(csv.str(), "cn,role\nagent-01,agent\n");
}

TEST(OutputTest, DisplayTextNeutralisesHostileBytes) {
  EXPECT_EQ(DisplayText("CoffeeShop"), "CoffeeShop");
  // An SSID carrying a terminal escape and a newline must not reach the terminal raw.
  EXPECT_EQ(DisplayText(std::string("\x1b[2J\n", 5)), "\\x1b[2J\\x0a");
  EXPECT_EQ(DisplayText(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(DisplayText("back\\slash"), "back\\\\slash");
  EXPECT_EQ(DisplayText("\xc3\xa9"), "\\xc3\\xa9");
}

TEST(OutputTest, AgesUseTheLargestWholeUnit) {
  constexpr int64_t kS = 1000000000;
  EXPECT_EQ(FormatAge(0), "0s");
  EXPECT_EQ(FormatAge(-5 * kS), "0s");
  EXPECT_EQ(FormatAge(59 * kS), "59s");
  EXPECT_EQ(FormatAge(60 * kS), "1m");
  EXPECT_EQ(FormatAge(3599 * kS), "59m");
  EXPECT_EQ(FormatAge(7200 * kS), "2h");
  EXPECT_EQ(FormatAge(3 * 86400 * kS + 5), "3d");
}

TEST(OutputTest, TimesAreRfc3339Utc) {
  // `date -u -d @1700000000` = Tue Nov 14 22:13:20 UTC 2023.
  EXPECT_EQ(FormatTime(1700000000LL * 1000000000 + 999999999), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTime(-1), "1969-12-31T23:59:59Z");
}

TEST(OutputTest, ParseFormat) {
  EXPECT_EQ(*ParseFormat("ndjson"), Format::kNdjson);
  EXPECT_EQ(*ParseFormat("csv"), Format::kCsv);
  EXPECT_FALSE(ParseFormat("yaml").ok());
}

}  // namespace
}  // namespace airfleet::ctl
