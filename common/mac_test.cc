#include "common/mac.h"

#include <gtest/gtest.h>

namespace airfleet {
namespace {

TEST(Mac, RoundTripsThroughTextAndInteger) {
  auto m = Mac::Parse("00:11:22:Aa:bB:ff");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->ToString(), "00:11:22:aa:bb:ff");
  EXPECT_EQ(m->ToU64(), 0x001122aabbffULL);
  EXPECT_EQ(Mac::FromU64(0x001122aabbffULL), *m);
  EXPECT_EQ(Mac::Parse("001122aabbff"), m);
  EXPECT_EQ(Mac::Parse("00-11-22-aa-bb-ff"), m);
}

TEST(Mac, RejectsMalformedText) {
  EXPECT_FALSE(Mac::Parse("").has_value());
  EXPECT_FALSE(Mac::Parse("00:11:22:aa:bb").has_value());
  EXPECT_FALSE(Mac::Parse("00:11:22:aa:bb:fg").has_value());
  EXPECT_FALSE(Mac::Parse("00:11:22:aa:bb:ff:00").has_value());
}

TEST(Mac, ClassifiesAddressBits) {
  EXPECT_TRUE(Mac::Parse("ff:ff:ff:ff:ff:ff")->IsBroadcast());
  EXPECT_TRUE(Mac::Parse("01:00:5e:00:00:01")->IsGroup());
  EXPECT_FALSE(Mac::Parse("00:00:5e:00:00:01")->IsGroup());
  EXPECT_TRUE(Mac::Parse("da:a1:19:00:00:01")->IsLocallyAdministered());
  EXPECT_FALSE(Mac::Parse("d8:a1:19:00:00:01")->IsLocallyAdministered());
}

}  // namespace
}  // namespace airfleet
