#include "tools/ctl/known_csv.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::ctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ParseKnownCsvTest, ReadsEveryColumn) {
  auto devices = ParseKnownCsv(
      "\xEF\xBB\xBFmac,name,owner,kind,tags\r\n"
      "00:11:22:33:44:55,alice-laptop,alice,known,staff;laptop\r\n"
      "02-AA-BB-CC-DD-EE,\"visitor, phone\",,guest,\r\n"
      "001122334477,printer,,,\r\n");
  ASSERT_TRUE(devices.ok()) << devices.status();
  ASSERT_EQ(devices->size(), 3u);
  const v1::KnownDevice& a = (*devices)[0];
  EXPECT_EQ(a.mac(), 0x001122334455u);
  EXPECT_EQ(a.name(), "alice-laptop");
  EXPECT_EQ(a.owner(), "alice");
  EXPECT_EQ(a.kind(), v1::KNOWN_KIND_KNOWN);
  EXPECT_THAT(a.tags(), ElementsAre("staff", "laptop"));
  EXPECT_EQ((*devices)[1].name(), "visitor, phone");
  EXPECT_EQ((*devices)[1].kind(), v1::KNOWN_KIND_GUEST);
  EXPECT_EQ((*devices)[2].kind(), v1::KNOWN_KIND_KNOWN);
}

TEST(ParseKnownCsvTest, ColumnsInAnyOrderAndOptional) {
  auto devices = ParseKnownCsv("name,mac\nrouter,00:00:0c:00:00:01\n");
  ASSERT_TRUE(devices.ok()) << devices.status();
  EXPECT_EQ((*devices)[0].mac(), 0x00000C000001u);
}

TEST(ParseKnownCsvTest, ReportsEveryBadLine) {
  auto devices = ParseKnownCsv(
      "mac,name,owner,kind,tags\n"
      "00:11:22:33:44:55,ok,,,\n"
      "zz:11:22:33:44:55,bad mac,,,\n"
      "00:11:22:33:44:66,,,,\n"
      "00:11:22:33:44:77,x,,owner,\n"
      "00:11:22:33:44:55,again,,,\n"
      "00:11:22:33:44:88,x,,,,extra\n");
  ASSERT_FALSE(devices.ok());
  EXPECT_EQ(devices.status().message(),
            "line 3: 'zz:11:22:33:44:55' is not a MAC address\n"
            "line 4: name is empty\n"
            "line 5: kind 'owner' is not known or guest\n"
            "line 6: 00:11:22:33:44:55 is already on line 2\n"
            "line 7: 6 fields but the header has 5");
}

TEST(ParseKnownCsvTest, BadHeaders) {
  EXPECT_THAT(ParseKnownCsv("").status().message(), HasSubstr("empty file"));
  EXPECT_THAT(ParseKnownCsv("mac,nmae\n").status().message(),
              HasSubstr("line 1: unknown or repeated column 'nmae'"));
  EXPECT_THAT(ParseKnownCsv("mac,owner\n").status().message(), HasSubstr("mac and name"));
}

TEST(ParseKnownCsvTest, CapsTheErrorList) {
  std::string csv = "mac,name\n";
  for (int i = 0; i < 25; ++i) csv += "nope,x\n";
  auto devices = ParseKnownCsv(csv);
  EXPECT_THAT(devices.status().message(), HasSubstr("\n... and 5 more"));
}

}  // namespace
}  // namespace airfleet::ctl
