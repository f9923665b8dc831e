#include "collector/enrich/enrich.h"

#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

class EnrichTest : public ::testing::Test {
 protected:
  void SetUp() override {
    OuiTableBuilder b;
    b.Add(0x00000C, 24, "Cisco Systems, Inc");
    vendors_ = b.Build();
    v1::KnownDevice d;
    d.set_mac(0x00000C000001);
    d.set_name("core-switch");
    d.set_kind(v1::KNOWN_KIND_KNOWN);
    known_[d.mac()] = d;
    d.set_mac(0x020000000002);
    d.set_name("guest-phone");
    d.set_kind(v1::KNOWN_KIND_GUEST);
    known_[d.mac()] = d;
  }

  v1::DeviceInfo Enriched(uint64_t mac, bool randomised) {
    v1::DeviceInfo d;
    d.set_mac(mac);
    d.set_randomised(randomised);
    d.set_name("stale");  // whatever was there is replaced
    EnrichDevice(*vendors_, known_, &d);
    return d;
  }

  std::shared_ptr<const OuiTable> vendors_;
  KnownDevices::Map known_;
};

TEST_F(EnrichTest, VendorKnownAndName) {
  v1::DeviceInfo sw = Enriched(0x00000C000001, false);
  EXPECT_EQ(sw.vendor(), "Cisco Systems, Inc");
  EXPECT_EQ(sw.known(), v1::KNOWN_KIND_KNOWN);
  EXPECT_EQ(sw.name(), "core-switch");

  v1::DeviceInfo guest = Enriched(0x020000000002, true);
  EXPECT_EQ(guest.vendor(), "");
  EXPECT_EQ(guest.known(), v1::KNOWN_KIND_GUEST);
  EXPECT_EQ(guest.name(), "guest-phone");

  v1::DeviceInfo stranger = Enriched(0x00000C000009, false);
  EXPECT_EQ(stranger.vendor(), "Cisco Systems, Inc");
  EXPECT_EQ(stranger.known(), v1::KNOWN_KIND_UNSPECIFIED);
  EXPECT_EQ(stranger.name(), "");
}

TEST_F(EnrichTest, Filters) {
  v1::DeviceInfo sw = Enriched(0x00000C000001, false);
  v1::DeviceInfo guest = Enriched(0x020000000002, true);
  v1::DeviceInfo stranger = Enriched(0x001122000009, false);
  DeviceFilter none;
  EXPECT_TRUE(MatchesFilter(stranger, none));
  DeviceFilter vendor;
  vendor.vendor_contains = "cisCO";
  EXPECT_TRUE(MatchesFilter(sw, vendor));
  EXPECT_FALSE(MatchesFilter(guest, vendor));
  EXPECT_FALSE(MatchesFilter(stranger, vendor));
  DeviceFilter randomised;
  randomised.randomised_only = true;
  EXPECT_TRUE(MatchesFilter(guest, randomised));
  EXPECT_FALSE(MatchesFilter(sw, randomised));
  DeviceFilter known;
  known.known_only = true;
  EXPECT_TRUE(MatchesFilter(sw, known));
  EXPECT_TRUE(MatchesFilter(guest, known));
  EXPECT_FALSE(MatchesFilter(stranger, known));

  v1::ListDevicesRequest request;
  request.set_vendor_contains("x");
  request.set_known_only(true);
  DeviceFilter from = DeviceFilter::FromRequest(request);
  EXPECT_EQ(from.vendor_contains, "x");
  EXPECT_TRUE(from.known_only);
  EXPECT_FALSE(from.randomised_only);
}

TEST(DeviceFilterTest, FirstSeenQuietAndMinSignal) {
  v1::DeviceInfo d;
  d.set_first_seen_ns(100);
  d.set_last_seen_ns(500);
  d.set_has_signal(true);
  d.set_signal_max_dbm(-60);
  DeviceFilter f;
  f.first_seen_since_ns = 100;
  f.first_seen_until_ns = 101;
  EXPECT_TRUE(MatchesFilter(d, f));
  f.first_seen_until_ns = 100;  // exclusive
  EXPECT_FALSE(MatchesFilter(d, f));
  f = DeviceFilter();
  f.first_seen_since_ns = 101;
  EXPECT_FALSE(MatchesFilter(d, f));
  f = DeviceFilter();
  f.quiet_since_ns = 501;
  EXPECT_TRUE(MatchesFilter(d, f));
  f.quiet_since_ns = 500;  // seen at 500: not quiet before 500
  EXPECT_FALSE(MatchesFilter(d, f));
  f = DeviceFilter();
  f.has_min_signal = true;
  f.min_signal_dbm = -60;
  EXPECT_TRUE(MatchesFilter(d, f));
  f.min_signal_dbm = -59;
  EXPECT_FALSE(MatchesFilter(d, f));
  d.set_has_signal(false);
  f.min_signal_dbm = -100;
  EXPECT_FALSE(MatchesFilter(d, f));  // no signal at all never passes a signal filter
}

}  // namespace
}  // namespace airfleet::collector
