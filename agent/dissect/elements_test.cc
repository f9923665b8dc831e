#include "agent/dissect/elements.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace airfleet::dissect {
namespace {

using Bytes = std::vector<uint8_t>;

// One element: id, length, value.
Bytes Ie(uint8_t id, const Bytes& value) {
  Bytes b = {id, static_cast<uint8_t>(value.size())};
  b.insert(b.end(), value.begin(), value.end());
  return b;
}
Bytes Ie(uint8_t id, const std::string& value) { return Ie(id, Bytes(value.begin(), value.end())); }
Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes Filled(size_t n, uint8_t start) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(start + i);
  return b;
}

// Parses from an exactly sized heap copy so AddressSanitizer flags any read past the end. The
// copies live until the test binary exits, so ssid/mesh_id pointers stay valid after the caller's
// temporary is gone.
Anomaly Parse(const Bytes& b, Elements* e) {
  static std::deque<Bytes> arena;
  arena.emplace_back(b.begin(), b.end());
  const Bytes& copy = arena.back();
  return ParseElements(copy.empty() ? nullptr : copy.data(), copy.size(), e);
}

std::string Ssid(const Elements& e) {
  return std::string(reinterpret_cast<const char*>(e.ssid), e.ssid_len);
}

// RSN element body: version 1, group CCMP, pairwise {CCMP, TKIP}, AKM {PSK}, capabilities.
const Bytes kRsnBody = {0x01, 0x00, 0x00, 0x0f, 0xac, 0x04, 0x02, 0x00, 0x00, 0x0f, 0xac, 0x04,
                        0x00, 0x0f, 0xac, 0x02, 0x01, 0x00, 0x00, 0x0f, 0xac, 0x02, 0x0c, 0x00};

TEST(ElementsTest, EmptyBodyHasNoElementsAndZeroFingerprint) {
  Elements e;
  EXPECT_EQ(Parse({}, &e), Anomaly::kNone);
  EXPECT_EQ(e.element_count, 0);
  EXPECT_EQ(e.fingerprint, 0u);
}

TEST(ElementsTest, ParsesEveryKnownKind) {
  const Bytes ht = Filled(26, 0x10);   // caps info 0x1110 little-endian
  const Bytes vht = Filled(12, 0x40);  // caps info 0x43424140
  const Bytes he = Cat({{35}, Filled(21, 0x60)});
  const Bytes eht = Cat({{108}, Filled(12, 0x80)});
  const Bytes body = Cat({
      Ie(0, "CoffeeShop"),
      Ie(1, Bytes{0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24}),
      Ie(3, Bytes{11}),
      Ie(5, Bytes{0, 1, 0, 0}),
      Ie(7, Bytes{'D', 'E', ' ', 1, 13, 20}),
      Ie(48, kRsnBody),
      Ie(50, Bytes{0x30, 0x48, 0x60, 0x6c}),
      Ie(45, ht),
      Ie(191, vht),
      Ie(127, Bytes{0x04, 0x00, 0x08}),
      Ie(107, Bytes{0x13}),
      Ie(114, "mesh1"),
      Ie(221, Bytes{0x00, 0x50, 0xf2, 0x04, 0x10}),
      Ie(255, he),
      Ie(255, eht),
  });
  Elements e;
  ASSERT_EQ(Parse(body, &e), Anomaly::kNone);
  EXPECT_EQ(e.element_count, 15);
  ASSERT_TRUE(e.has_ssid);
  EXPECT_EQ(Ssid(e), "CoffeeShop");
  ASSERT_TRUE(e.has_ds);
  EXPECT_EQ(e.ds_channel, 11);
  EXPECT_TRUE(e.has_tim);
  ASSERT_TRUE(e.has_country);
  EXPECT_EQ(e.country[0], 'D');
  EXPECT_EQ(e.country[1], 'E');
  ASSERT_EQ(e.num_rates, 12);
  EXPECT_EQ(e.rates[0], 0x82);
  EXPECT_EQ(e.rates[7], 0x24);
  EXPECT_EQ(e.rates[8], 0x30);  // extended rates follow the supported ones
  EXPECT_EQ(e.rates[11], 0x6c);
  ASSERT_TRUE(e.has_rsn);
  EXPECT_EQ(e.rsn_group_cipher, 0x000fac04u);
  ASSERT_EQ(e.rsn_pairwise_count, 2);
  EXPECT_EQ(e.rsn_pairwise[0], 0x000fac04u);
  EXPECT_EQ(e.rsn_pairwise[1], 0x000fac02u);
  ASSERT_EQ(e.rsn_akm_count, 1);
  EXPECT_EQ(e.rsn_akm[0], 0x000fac02u);
  ASSERT_TRUE(e.has_ht_caps);
  EXPECT_EQ(e.ht_caps_info, 0x1110);
  ASSERT_TRUE(e.has_vht_caps);
  EXPECT_EQ(e.vht_caps_info, 0x43424140u);
  EXPECT_TRUE(e.has_ext_caps);
  ASSERT_TRUE(e.has_interworking);
  EXPECT_EQ(e.interworking_access_network, 3);
  ASSERT_TRUE(e.has_mesh_id);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(e.mesh_id), e.mesh_id_len), "mesh1");
  ASSERT_EQ(e.num_vendor, 1);
  EXPECT_EQ(e.vendor[0].oui, 0x0050f2u);
  EXPECT_EQ(e.vendor[0].type, 4);
  EXPECT_TRUE(e.has_he_caps);
  EXPECT_TRUE(e.has_eht_caps);
  EXPECT_NE(e.fingerprint, 0u);
}

TEST(ElementsTest, RatesAreCappedAtSixteen) {
  Elements e;
  ASSERT_EQ(Parse(Cat({Ie(1, Filled(8, 1)), Ie(50, Filled(12, 9))}), &e), Anomaly::kNone);
  ASSERT_EQ(e.num_rates, 16);
  EXPECT_EQ(e.rates[15], 16);
}

TEST(ElementsTest, DuplicateSsidKeepsFirst) {
  Elements e;
  ASSERT_EQ(Parse(Cat({Ie(0, "first"), Ie(0, "second")}), &e), Anomaly::kNone);
  EXPECT_EQ(Ssid(e), "first");
  EXPECT_EQ(e.element_count, 2);
}

TEST(ElementsTest, EmptySsidIsWildcard) {
  Elements e;
  ASSERT_EQ(Parse(Ie(0, ""), &e), Anomaly::kNone);
  EXPECT_TRUE(e.has_ssid);
  EXPECT_EQ(e.ssid_len, 0);
}

TEST(ElementsTest, LengthPastEndIsOverrunAndKeepsEarlierElements) {
  Bytes body = Cat({Ie(0, "net"), Ie(3, Bytes{6})});
  body.insert(body.end(), {45, 26, 1, 2, 3});  // claims 26 bytes, has 3
  Elements e;
  EXPECT_EQ(Parse(body, &e), Anomaly::kElementOverrun);
  EXPECT_EQ(Ssid(e), "net");
  EXPECT_EQ(e.ds_channel, 6);
  EXPECT_FALSE(e.has_ht_caps);
  EXPECT_EQ(e.element_count, 2);
  EXPECT_NE(e.fingerprint, 0u);
}

TEST(ElementsTest, LoneTrailingByteIsOverrun) {
  Bytes body = Ie(0, "x");
  body.push_back(221);
  Elements e;
  EXPECT_EQ(Parse(body, &e), Anomaly::kElementOverrun);
  EXPECT_EQ(e.element_count, 1);
}

TEST(ElementsTest, OverrunAsFirstElementLeavesZeroFingerprint) {
  Elements e;
  EXPECT_EQ(Parse(Bytes{0, 5, 'a'}, &e), Anomaly::kElementOverrun);
  EXPECT_EQ(e.element_count, 0);
  EXPECT_EQ(e.fingerprint, 0u);
}

TEST(ElementsTest, ZeroLengthRsnIsMalformedButParsingContinues) {
  Elements e;
  EXPECT_EQ(Parse(Cat({Ie(48, Bytes{}), Ie(0, "after")}), &e), Anomaly::kElementMalformed);
  EXPECT_FALSE(e.has_rsn);
  EXPECT_EQ(Ssid(e), "after");
}

TEST(ElementsTest, RsnWithHugePairwiseCountIsBounded) {
  // version, group CCMP, pairwise count 65535 but only one suite present.
  const Bytes rsn = {0x01, 0x00, 0x00, 0x0f, 0xac, 0x04, 0xff, 0xff, 0x00, 0x0f, 0xac, 0x04};
  Elements e;
  EXPECT_EQ(Parse(Cat({Ie(48, rsn), Ie(3, Bytes{1})}), &e), Anomaly::kElementMalformed);
  EXPECT_TRUE(e.has_rsn);
  EXPECT_EQ(e.rsn_group_cipher, 0x000fac04u);
  EXPECT_EQ(e.rsn_pairwise_count, 1);
  EXPECT_EQ(e.rsn_pairwise[0], 0x000fac04u);
  EXPECT_EQ(e.rsn_akm_count, 0);
  EXPECT_EQ(e.ds_channel, 1);
}

TEST(ElementsTest, RsnStoppingAtFieldBoundaryIsValid) {
  Elements e;
  EXPECT_EQ(Parse(Ie(48, Bytes{0x01, 0x00, 0x00, 0x0f, 0xac, 0x02}), &e), Anomaly::kNone);
  EXPECT_TRUE(e.has_rsn);
  EXPECT_EQ(e.rsn_group_cipher, 0x000fac02u);
  EXPECT_EQ(Parse(Ie(48, Bytes{0x01, 0x00, 0x00, 0x0f}), &e), Anomaly::kElementMalformed);
}

TEST(ElementsTest, ManyRsnSuitesKeepFirstFour) {
  Bytes rsn = {0x01, 0x00, 0x00, 0x0f, 0xac, 0x04, 0x06, 0x00};
  for (uint8_t i = 1; i <= 6; ++i) rsn.insert(rsn.end(), {0x00, 0x0f, 0xac, i});
  Elements e;
  ASSERT_EQ(Parse(Ie(48, rsn), &e), Anomaly::kNone);
  EXPECT_EQ(e.rsn_pairwise_count, 6);
  EXPECT_EQ(e.rsn_pairwise[3], 0x000fac04u);
}

TEST(ElementsTest, TruncatedHtCapsIsMalformed) {
  Elements e;
  EXPECT_EQ(Parse(Cat({Ie(45, Filled(10, 0)), Ie(0, "ok")}), &e), Anomaly::kElementMalformed);
  EXPECT_FALSE(e.has_ht_caps);
  EXPECT_EQ(Ssid(e), "ok");
}

TEST(ElementsTest, ShortFixedPartsAreMalformed) {
  const Bytes cases[] = {Ie(3, Bytes{}),
                         Ie(5, Bytes{1, 2}),
                         Ie(7, Bytes{'U'}),
                         Ie(191, Filled(11, 0)),
                         Ie(221, Bytes{0x00, 0x50}),
                         Ie(255, Bytes{}),
                         Ie(255, Cat({{35}, Filled(5, 0)})),
                         Ie(107, Bytes{}),
                         Ie(0, std::string(33, 'a'))};
  for (const Bytes& c : cases) {
    Elements e;
    EXPECT_EQ(Parse(c, &e), Anomaly::kElementMalformed) << "id " << int(c[0]);
    EXPECT_EQ(e.element_count, 1);
  }
}

TEST(ElementsTest, VendorElementsBeyondCapacityAreCounted) {
  Bytes body;
  for (uint8_t i = 0; i < 10; ++i) {
    const Bytes v = Ie(221, Bytes{0x00, 0x10, i, static_cast<uint8_t>(i + 100)});
    body.insert(body.end(), v.begin(), v.end());
  }
  body = Cat({body, Ie(221, Bytes{0xac, 0xde, 0x48})});  // OUI only, no type byte
  Elements e;
  ASSERT_EQ(Parse(body, &e), Anomaly::kNone);
  EXPECT_EQ(e.num_vendor, 11);
  EXPECT_EQ(e.vendor[7].oui, 0x001007u);
  EXPECT_EQ(e.vendor[7].type, 107);
}

// Independent implementation of H(D) straight from the definition in elements.h: byte-wise,
// over a descriptor the test assembles by hand.
uint64_t ReferenceHash(const Bytes& d) {
  constexpr uint64_t kP1 = 0x9E3779B185EBCA87ULL, kP2 = 0xC2B2AE3D27D4EB4FULL;
  uint64_t h = 0x27D4EB2F165667C5ULL;
  for (size_t i = 0; i < d.size(); i += 8) {
    uint64_t w = 0;
    for (size_t j = 0; j < 8 && i + j < d.size(); ++j) w |= uint64_t{d[i + j]} << (8 * j);
    uint64_t x = h ^ (w * kP2);
    h = ((x << 31) | (x >> 33)) * kP1;
  }
  h ^= d.size();
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h == 0 ? 1 : h;
}

TEST(ElementsTest, FingerprintMatchesDocumentedDefinition) {
  const Bytes rates = {0x02, 0x04, 0x0b, 0x16};
  const Bytes ht = Filled(26, 0xa0);
  const Bytes he = Cat({{35}, Filled(21, 0x30)});
  const Bytes body = Cat({Ie(0, "HomeNet"), Ie(1, rates), Ie(3, Bytes{6}), Ie(45, ht),
                          Ie(221, Bytes{0x00, 0x17, 0xf2, 0x0a, 0x00, 0x01}),
                          Ie(255, Bytes{0x02, 0x01}), Ie(255, he)});
  // D: [0][0] [1][4][rates] [3][0] [45][26][ht] [221][4][00 17 f2 0a] [255][1][02]
  //    [255][22][he]
  const Bytes d = Cat({{0, 0},
                       {1, 4},
                       rates,
                       {3, 0},
                       {45, 26},
                       ht,
                       {221, 4, 0x00, 0x17, 0xf2, 0x0a},
                       {255, 1, 0x02},
                       {255, 22},
                       he});
  Elements e;
  ASSERT_EQ(Parse(body, &e), Anomaly::kNone);
  EXPECT_EQ(e.fingerprint, ReferenceHash(d));
}

// A probe request as one device sends it, varying only what differs between its probes.
Bytes Probe(const std::string& ssid, uint8_t channel) {
  return Cat({Ie(0, ssid), Ie(1, Bytes{0x02, 0x04, 0x0b, 0x16}), Ie(50, Bytes{0x0c, 0x12}),
              Ie(3, Bytes{channel}), Ie(45, Filled(26, 0x20)), Ie(127, Bytes{0, 0, 8, 0}),
              Ie(221, Bytes{0x00, 0x50, 0xf2, 0x08, 0x00, 0x10})});
}

TEST(ElementsTest, FingerprintIgnoresSsidAndChannel) {
  Elements a, b;
  ASSERT_EQ(Parse(Probe("", 1), &a), Anomaly::kNone);
  ASSERT_EQ(Parse(Probe("SomeLongerNetworkName", 11), &b), Anomaly::kNone);
  EXPECT_EQ(a.fingerprint, b.fingerprint);
}

TEST(ElementsTest, FingerprintChangesWithOrderCapsAndVendorType) {
  Elements base;
  ASSERT_EQ(Parse(Probe("x", 1), &base), Anomaly::kNone);

  Elements swapped;  // extended rates before supported rates
  const Bytes reordered =
      Cat({Ie(0, "x"), Ie(50, Bytes{0x0c, 0x12}), Ie(1, Bytes{0x02, 0x04, 0x0b, 0x16}),
           Ie(3, Bytes{1}), Ie(45, Filled(26, 0x20)), Ie(127, Bytes{0, 0, 8, 0}),
           Ie(221, Bytes{0x00, 0x50, 0xf2, 0x08, 0x00, 0x10})});
  ASSERT_EQ(Parse(reordered, &swapped), Anomaly::kNone);
  EXPECT_NE(base.fingerprint, swapped.fingerprint);

  Bytes ht_changed = Probe("x", 1);
  constexpr size_t kHtValue = 3 + 6 + 4 + 3 + 2;  // after SSID, rates, ext rates, DS, HT header
  ht_changed[kHtValue + 5] ^= 0x01;
  Elements c;
  ASSERT_EQ(Parse(ht_changed, &c), Anomaly::kNone);
  ASSERT_TRUE(c.has_ht_caps);
  EXPECT_NE(base.fingerprint, c.fingerprint);

  Bytes vendor_type = Probe("x", 1);
  vendor_type[vendor_type.size() - 3] = 0x09;  // the vendor type byte
  Elements v;
  ASSERT_EQ(Parse(vendor_type, &v), Anomaly::kNone);
  EXPECT_EQ(v.vendor[0].type, 0x09);
  EXPECT_NE(base.fingerprint, v.fingerprint);
}

TEST(ElementsTest, FingerprintIgnoresTimAndVendorPayload) {
  Elements a, b;
  ASSERT_EQ(Parse(Cat({Ie(5, Bytes{0, 1, 0, 0}), Ie(221, Bytes{0, 0x50, 0xf2, 4, 1})}), &a),
            Anomaly::kNone);
  ASSERT_EQ(Parse(Cat({Ie(5, Bytes{3, 3, 1, 0xff}), Ie(221, Bytes{0, 0x50, 0xf2, 4, 9, 9})}), &b),
            Anomaly::kNone);
  EXPECT_EQ(a.fingerprint, b.fingerprint);
}

TEST(ElementsTest, EveryPrefixIsSafe) {
  const Bytes full = Probe("prefix-test", 6);
  for (size_t n = 0; n <= full.size(); ++n) {
    Elements e;
    const Anomaly a = Parse(Bytes(full.begin(), full.begin() + n), &e);
    EXPECT_TRUE(a == Anomaly::kNone || a == Anomaly::kElementOverrun ||
                a == Anomaly::kElementMalformed)
        << n;
    if (n == full.size()) {
      EXPECT_EQ(a, Anomaly::kNone);
    }
  }
}

}  // namespace
}  // namespace airfleet::dissect
