#include "collector/enrich/oui_table.h"

#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

TEST(OuiTableTest, LongestPrefixWins) {
  OuiTableBuilder b;
  ASSERT_TRUE(b.Add(0x70B3D5, 24, "IEEE Registration Authority"));
  ASSERT_TRUE(b.Add(0x70B3D5F, 28, "Medium Block Co"));
  ASSERT_TRUE(b.Add(0x70B3D5F2F, 36, "TELEPLATFORMS"));
  auto t = b.Build();
  EXPECT_EQ(t->Lookup(0x70B3D5F2F123), "TELEPLATFORMS");
  EXPECT_EQ(t->Lookup(0x70B3D5F00001), "Medium Block Co");
  EXPECT_EQ(t->Lookup(0x70B3D5000001), "IEEE Registration Authority");
  EXPECT_EQ(t->Lookup(0x001122334455), "");
  EXPECT_EQ(t->size(), 3u);
}

TEST(OuiTableTest, LocallyAdministeredGetsNoVendor) {
  OuiTableBuilder b;
  // A prefix with the local bit set is never assigned; if a file had one we still ignore it.
  ASSERT_TRUE(b.Add(0x021122, 24, "Nobody"));
  ASSERT_TRUE(b.Add(0x001122, 24, "Somebody"));
  auto t = b.Build();
  EXPECT_EQ(t->Lookup(0x021122334455), "");
  EXPECT_EQ(t->Lookup(0x001122334455), "Somebody");
}

TEST(OuiTableTest, FirstSourceWinsAndBadEntriesAreRefused) {
  OuiTableBuilder b;
  EXPECT_TRUE(b.Add(0x00000C, 24, "Cisco Systems, Inc"));
  EXPECT_TRUE(b.Add(0x00000C, 24, "Cisco"));  // later source: ignored
  EXPECT_FALSE(b.Add(0x00000C, 32, "odd length"));
  EXPECT_FALSE(b.Add(0x1000000, 24, "too wide"));
  EXPECT_FALSE(b.Add(0x00000D, 24, ""));
  auto t = b.Build();
  EXPECT_EQ(t->Lookup(0x00000C123456), "Cisco Systems, Inc");
  EXPECT_EQ(t->size(), 1u);
  EXPECT_EQ(b.Build()->size(), 0u);  // the builder starts over
}

}  // namespace
}  // namespace airfleet::collector
