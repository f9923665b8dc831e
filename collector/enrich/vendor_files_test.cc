#include "collector/enrich/vendor_files.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

TEST(ParseIeeeCsvTest, ReadsEveryRegistryAndQuoting) {
  // The shapes of the real files: CRLF, quoted names with commas, doubled quotes, trailing blanks.
  constexpr char kCsv[] =
      "Registry,Assignment,Organization Name,Organization Address\r\n"
      "MA-L,00000C,\"Cisco Systems, Inc\",170 WEST TASMAN DRIVE SAN JOSE CA US 95134-1706 \r\n"
      "MA-L,A047D7,Best IT World (India) Pvt Ltd,\"87, Road \"\"A\"\", Mumbai \"\r\n"
      "MA-M,208593B,IOG Products LLC,9737 LURLINE AVENUE CHATSWORTH CA US 91311 \r\n"
      "MA-S,70B3D5F2F,TELEPLATFORMS,\"Polbina st., 3/1 Moscow  RU 109388 \"\r\n"
      "IAB,0050C27D5,DEUTA-WERKE GmbH,Paffrather Strasse 140 \r\n"
      "MA-L,ZZ0000,Bad Hex,\r\n"
      "MA-M,20859,Too Short,\r\n"
      "CID,0A1B2C,Not A MAC Block,\r\n";
  OuiTableBuilder b;
  auto stats = ParseIeeeCsv(kCsv, &b);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->entries, 5u);
  EXPECT_EQ(stats->skipped, 3u);
  auto t = b.Build();
  EXPECT_EQ(t->Lookup(0x00000C010203), "Cisco Systems, Inc");
  EXPECT_EQ(t->Lookup(0xA047D7000000), "Best IT World (India) Pvt Ltd");
  EXPECT_EQ(t->Lookup(0x208593B00001), "IOG Products LLC");
  EXPECT_EQ(t->Lookup(0x70B3D5F2F001), "TELEPLATFORMS");
  EXPECT_EQ(t->Lookup(0x0050C27D5ABC), "DEUTA-WERKE GmbH");
}

TEST(ParseIeeeCsvTest, RejectsOtherFiles) {
  OuiTableBuilder b;
  EXPECT_EQ(ParseIeeeCsv("00:00:0C\tCisco\n", &b).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseIeeeCsv("", &b).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseIeeeCsv("Registry,Assignment,Organization Name\nMA-L,00000C,\"open\n", &b)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseManufTest, ShortLongMasksAndComments) {
  constexpr char kManuf[] =
      "# Wireshark manuf header\n"
      "\n"
      "00:00:0C\tCisco\tCisco Systems, Inc\n"
      "00:00:18\tWebsterC\tWebster Computer Corporation\t# Appletalk/Ethernet Gateway\n"
      "00:00:09\tPowerpip\n"
      "00-1B-C5\tIEEERegi\tIEEE Registration Authority\n"
      "00:1B:C5:00:00:00/36\tConvergi\tConverging Systems Inc.\n"
      "8C:1F:64:F0:00:00/28\tMidBlock\tMid Block Ltd\n"
      "01:00:0C:CC:CC:CC\tCDP\tCisco discovery (48 bits: not a vendor prefix)\n"
      "not-a-prefix\tJunk\n"
      "00:00:0D\n";
  OuiTableBuilder b;
  VendorParseStats stats = ParseManuf(kManuf, &b);
  EXPECT_EQ(stats.entries, 6u);
  EXPECT_EQ(stats.skipped, 3u);
  auto t = b.Build();
  EXPECT_EQ(t->Lookup(0x00000C000001), "Cisco Systems, Inc");
  EXPECT_EQ(t->Lookup(0x000018000001), "Webster Computer Corporation");
  EXPECT_EQ(t->Lookup(0x000009000001), "Powerpip");
  EXPECT_EQ(t->Lookup(0x001BC5000123), "Converging Systems Inc.");
  EXPECT_EQ(t->Lookup(0x001BC5999999), "IEEE Registration Authority");
  EXPECT_EQ(t->Lookup(0x8C1F64F12345), "Mid Block Ltd");
}

TEST(ParseManufTest, IeeeAddedFirstWinsOverManuf) {
  OuiTableBuilder b;
  ASSERT_TRUE(ParseIeeeCsv("Registry,Assignment,Organization Name,Organization Address\n"
                           "MA-L,000393,\"Apple, Inc.\",1 Infinite Loop\n",
                           &b)
                  .ok());
  ParseManuf("00:03:93\tApple\tApple Computer (old name)\n00:03:94\tOther\tOther Co\n", &b);
  auto t = b.Build();
  EXPECT_EQ(t->Lookup(0x000393000001), "Apple, Inc.");
  EXPECT_EQ(t->Lookup(0x000394000001), "Other Co");
}

TEST(LoadVendorFilesTest, MissingFilesAreSkipped) {
  auto load = LoadVendorFiles(DefaultVendorFiles("/nonexistent/ieee", "/nonexistent/manuf"));
  ASSERT_TRUE(load.ok()) << load.status();
  EXPECT_EQ(load->missing.size(), 5u);
  EXPECT_EQ(load->table->size(), 0u);
}

// The files Debian installs (ieee-data, and libwireshark-data with tshark), when present.
TEST(LoadVendorFilesTest, InstalledRegistries) {
  if (!std::filesystem::exists("/usr/share/ieee-data/oui.csv") &&
      !std::filesystem::exists("/usr/share/wireshark/manuf")) {
    GTEST_SKIP() << "neither ieee-data nor wireshark's manuf is installed";
  }
  auto load =
      LoadVendorFiles(DefaultVendorFiles("/usr/share/ieee-data", "/usr/share/wireshark/manuf"));
  ASSERT_TRUE(load.ok()) << load.status();
  const OuiTable& t = *load->table;
  EXPECT_GT(t.size(), 30000u);
  EXPECT_THAT(std::string(t.Lookup(0x00000C123456)), ::testing::HasSubstr("Cisco"));
  EXPECT_THAT(std::string(t.Lookup(0x000393000001)), ::testing::HasSubstr("Apple"));
  // Both 70:B3:D5 and 20:85:93 are MA-L blocks the IEEE subdivides: the longer prefix must win.
  EXPECT_EQ(t.Lookup(0x70B3D5F2F001), "TELEPLATFORMS");
  EXPECT_EQ(t.Lookup(0x208593B00001), "IOG Products LLC");
  EXPECT_EQ(t.Lookup(0x02000C123456), "");  // locally administered
}

}  // namespace
}  // namespace airfleet::collector
