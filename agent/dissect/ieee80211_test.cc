#include "agent/dissect/ieee80211.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace airfleet::dissect {
namespace {

using Bytes = std::vector<uint8_t>;

// Distinct, recognisable addresses; expected roles below come from IEEE 802.11-2020 Table 9-30
// and from what tshark 4.0 prints for the same bytes (wlan.ra/ta/sa/da/bssid).
const Bytes kA1 = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
const Bytes kA2 = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
const Bytes kA3 = {0x02, 0x00, 0x00, 0x00, 0x00, 0x03};
const Bytes kA4 = {0x02, 0x00, 0x00, 0x00, 0x00, 0x04};
const Bytes kA5 = {0x02, 0x00, 0x00, 0x00, 0x00, 0x05};
const Bytes kA6 = {0x02, 0x00, 0x00, 0x00, 0x00, 0x06};
Mac M(const Bytes& b) { return Mac::FromBytes(b.data()); }

constexpr uint8_t kToDs = 0x01, kFromDs = 0x02, kMoreFrag = 0x04, kRetry = 0x08, kPwr = 0x10,
                  kMoreData = 0x20, kProtected = 0x40, kOrder = 0x80;

Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes Fc(uint8_t type, uint8_t subtype, uint8_t flags = 0) {
  return {static_cast<uint8_t>((type << 2) | (subtype << 4)), flags};
}
const Bytes kDur = {0x3a, 0x01};     // 314 us
const Bytes kSeqCtl = {0x35, 0x12};  // sequence 0x123, fragment 5
Bytes Zeros(size_t n) { return Bytes(n, 0); }

// Management or data header: FC, duration, three addresses, sequence control.
Bytes Header3(uint8_t type, uint8_t subtype, uint8_t flags = 0) {
  return Cat({Fc(type, subtype, flags), kDur, kA1, kA2, kA3, kSeqCtl});
}

// Parses from an exactly sized heap copy so AddressSanitizer flags any read past the end; the
// copies outlive the Frame's pointers into them.
Anomaly Parse(const Bytes& b, Frame* f) {
  static std::deque<Bytes> arena;
  arena.emplace_back(b.begin(), b.end());
  const Bytes& copy = arena.back();
  return ParseMacFrame(copy.empty() ? nullptr : copy.data(), copy.size(), f);
}

struct Roles {
  const Bytes* ta;
  const Bytes* ra;
  const Bytes* sa;
  const Bytes* da;
  const Bytes* bssid;
};

void ExpectRoles(const Frame& f, const Roles& r, const std::string& what) {
  SCOPED_TRACE(what);
  auto check = [](bool has, const Mac& got, const Bytes* want, const char* name) {
    EXPECT_EQ(has, want != nullptr) << name;
    if (has && want != nullptr) {
      EXPECT_EQ(got, M(*want)) << name;
    }
  };
  check(f.has_ta, f.ta, r.ta, "ta");
  check(f.has_ra, f.ra, r.ra, "ra");
  check(f.has_sa, f.sa, r.sa, "sa");
  check(f.has_da, f.da, r.da, "da");
  check(f.has_bssid, f.bssid, r.bssid, "bssid");
}

TEST(Ieee80211Test, FrameControlFieldsAndFlags) {
  Frame f;
  const uint8_t flags = kMoreFrag | kRetry | kPwr | kMoreData;
  ASSERT_EQ(Parse(Cat({Header3(0, 9, flags)}), &f), Anomaly::kNone);  // ATIM: no body
  EXPECT_TRUE(f.has_mac_header);
  EXPECT_EQ(f.frame_control, 0x3c90);
  EXPECT_EQ(f.type, 0);
  EXPECT_EQ(f.subtype, 9);
  EXPECT_FALSE(f.to_ds);
  EXPECT_FALSE(f.from_ds);
  EXPECT_TRUE(f.more_fragments);
  EXPECT_TRUE(f.retry);
  EXPECT_TRUE(f.power_mgmt);
  EXPECT_TRUE(f.more_data);
  EXPECT_FALSE(f.protected_frame);
  EXPECT_FALSE(f.order);
  EXPECT_EQ(f.duration, 314);
  ASSERT_TRUE(f.has_seq);
  EXPECT_EQ(f.seq, 0x123);
  EXPECT_EQ(f.frag, 5);
}

TEST(Ieee80211Test, ControlHeaderLengths) {
  struct Case {
    uint8_t subtype;
    size_t header_len;
  };
  // 802.11-2020 9.3.1: CTS/ACK carry RA only; the others RA + TA (or BSSID).
  const Case cases[] = {{2, 16},  {3, 16},  {4, 16},  {5, 16},  {8, 16},  {9, 16},
                        {10, 16}, {11, 16}, {12, 10}, {13, 10}, {14, 16}, {15, 16}};
  for (const Case& c : cases) {
    SCOPED_TRACE("subtype " + std::to_string(c.subtype));
    const Bytes full = Cat({Fc(1, c.subtype), kDur, kA1, kA2});
    Frame f;
    EXPECT_EQ(Parse(Bytes(full.begin(), full.begin() + c.header_len), &f), Anomaly::kNone);
    EXPECT_TRUE(f.has_mac_header);
    EXPECT_FALSE(f.has_seq);  // control frames have no sequence control
    EXPECT_EQ(Parse(Bytes(full.begin(), full.begin() + c.header_len - 1), &f),
              Anomaly::kMacHeaderTruncated);
  }
}

TEST(Ieee80211Test, ManagementAndDataHeaderLengths) {
  struct Case {
    Bytes fc;
    size_t header_len;
    const char* what;
  };
  const Case cases[] = {
      {Fc(0, 9), 24, "ATIM"},
      {Fc(0, 9, kOrder), 28, "ATIM +HTC"},
      {Fc(2, 4), 24, "null"},
      {Fc(2, 4, kToDs | kFromDs), 30, "null 4-address"},
      {Fc(2, 12), 26, "QoS null"},
      {Fc(2, 12, kToDs | kFromDs), 32, "QoS null 4-address"},
      {Fc(2, 12, kOrder), 30, "QoS null +HTC"},
      {Fc(2, 12, kToDs | kFromDs | kOrder), 36, "QoS null 4-address +HTC"},
      {Fc(2, 4, kOrder), 24, "non-QoS null with Order: no HT control"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const Bytes full = Cat({c.fc, kDur, kA1, kA2, kA3, kSeqCtl, Zeros(12)});
    Frame f;
    EXPECT_EQ(Parse(Bytes(full.begin(), full.begin() + c.header_len), &f), Anomaly::kNone);
    EXPECT_EQ(Parse(Bytes(full.begin(), full.begin() + c.header_len - 1), &f),
              Anomaly::kMacHeaderTruncated);
  }
}

TEST(Ieee80211Test, ManagementRolesIgnoreDsBits) {
  for (uint8_t ds = 0; ds < 4; ++ds) {
    Frame f;
    ASSERT_EQ(Parse(Header3(0, 9, ds), &f), Anomaly::kNone);
    ExpectRoles(f, {&kA2, &kA1, &kA2, &kA1, &kA3}, "mgmt ds=" + std::to_string(ds));
  }
}

TEST(Ieee80211Test, DataRolesByDsBits) {
  const Bytes payload = {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00};
  Frame f;
  ASSERT_EQ(Parse(Cat({Header3(2, 0, 0), payload}), &f), Anomaly::kNone);
  ExpectRoles(f, {&kA2, &kA1, &kA2, &kA1, &kA3}, "IBSS");
  ASSERT_EQ(Parse(Cat({Header3(2, 0, kToDs), payload}), &f), Anomaly::kNone);
  ExpectRoles(f, {&kA2, &kA1, &kA2, &kA3, &kA1}, "ToDS");
  ASSERT_EQ(Parse(Cat({Header3(2, 0, kFromDs), payload}), &f), Anomaly::kNone);
  ExpectRoles(f, {&kA2, &kA1, &kA3, &kA1, &kA2}, "FromDS");
  ASSERT_EQ(Parse(Cat({Header3(2, 0, kToDs | kFromDs), kA4, payload}), &f), Anomaly::kNone);
  ExpectRoles(f, {&kA2, &kA1, &kA4, &kA3, nullptr}, "WDS");
  EXPECT_EQ(f.protection, Protection::kOpen);
}

TEST(Ieee80211Test, AmsduRolesComeFromFirstSubframe) {
  const Bytes qos_amsdu = {0x80, 0x00};
  const Bytes subframe = Cat({kA5, kA6, {0x00, 0x08}, {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00}});
  Frame f;
  ASSERT_EQ(Parse(Cat({Header3(2, 8, kToDs), qos_amsdu, subframe}), &f), Anomaly::kNone);
  ExpectRoles(f, {&kA2, &kA1, &kA2, &kA5, &kA1}, "ToDS A-MSDU");
  ASSERT_EQ(Parse(Cat({Header3(2, 8, kFromDs), qos_amsdu, subframe}), &f), Anomaly::kNone);
  ExpectRoles(f, {&kA2, &kA1, &kA6, &kA1, &kA2}, "FromDS A-MSDU");
  ASSERT_EQ(Parse(Cat({Header3(2, 8, kToDs | kFromDs), kA4, qos_amsdu, subframe}), &f),
            Anomaly::kNone);
  ExpectRoles(f, {&kA2, &kA1, &kA6, &kA5, &kA3}, "WDS A-MSDU");
  // Encrypted: the subframe header is unreadable, so the roles it would give stay unset.
  const Bytes ccmp = {0x01, 0x00, 0x00, 0x20, 0, 0, 0, 0, 0x11, 0x22};
  ASSERT_EQ(Parse(Cat({Header3(2, 8, kFromDs | kProtected), qos_amsdu, ccmp}), &f), Anomaly::kNone);
  ExpectRoles(f, {&kA2, &kA1, nullptr, &kA1, &kA2}, "protected FromDS A-MSDU");
  ASSERT_EQ(Parse(Cat({Header3(2, 8, kToDs | kProtected), qos_amsdu, ccmp}), &f), Anomaly::kNone);
  ExpectRoles(f, {&kA2, &kA1, &kA2, nullptr, &kA1}, "protected ToDS A-MSDU");
}

TEST(Ieee80211Test, ControlRoles) {
  Frame f;
  ASSERT_EQ(Parse(Cat({Fc(1, 11), kDur, kA1, kA2}), &f), Anomaly::kNone);
  ExpectRoles(f, {&kA2, &kA1, nullptr, nullptr, nullptr}, "RTS");
  ASSERT_EQ(Parse(Cat({Fc(1, 12), kDur, kA1}), &f), Anomaly::kNone);
  ExpectRoles(f, {nullptr, &kA1, nullptr, nullptr, nullptr}, "CTS");
  ASSERT_EQ(Parse(Cat({Fc(1, 13), kDur, kA1}), &f), Anomaly::kNone);
  ExpectRoles(f, {nullptr, &kA1, nullptr, nullptr, nullptr}, "ACK");
  EXPECT_EQ(f.Transmitter(), nullptr);  // ACK counts only towards its receiver
  ASSERT_EQ(Parse(Cat({Fc(1, 10), {0x01, 0xc0}, kA1, kA2}), &f), Anomaly::kNone);
  ExpectRoles(f, {&kA2, &kA1, nullptr, nullptr, &kA1}, "PS-Poll: addr1 is the BSSID");
  ASSERT_EQ(Parse(Cat({Fc(1, 14), kDur, kA1, kA2}), &f), Anomaly::kNone);
  ExpectRoles(f, {nullptr, &kA1, nullptr, nullptr, &kA2}, "CF-End: addr2 is the BSSID");
  ASSERT_EQ(Parse(Cat({Fc(1, 15), kDur, kA1, kA2}), &f), Anomaly::kNone);
  ExpectRoles(f, {&kA2, &kA1, nullptr, nullptr, nullptr}, "CF-End+CF-Ack");
  ASSERT_EQ(Parse(Cat({Fc(1, 9), kDur, kA1, kA2, Zeros(12)}), &f), Anomaly::kNone);
  ExpectRoles(f, {&kA2, &kA1, nullptr, nullptr, nullptr}, "BlockAck");
  // DMG control frame extension: the flags octet is the extension subtype.
  ASSERT_EQ(Parse(Cat({Fc(1, 6, 4), kDur, kA1, kA2}), &f), Anomaly::kNone);
  ExpectRoles(f, {&kA2, &kA1, nullptr, nullptr, nullptr}, "DMG Grant");
  ASSERT_EQ(Parse(Cat({Fc(1, 6, 6), kDur, kA1, kA2}), &f), Anomaly::kNone);
  ExpectRoles(f, {nullptr, &kA1, nullptr, nullptr, nullptr}, "DMG DTS: NAV-SA, not a TA");
}

TEST(Ieee80211Test, ControlWrapperCarriesInnerFrame) {
  // FC(wrapper), duration, addr1, carried FC (RTS), HT control, then the RTS's TA.
  const Bytes htc = {0x11, 0x22, 0x33, 0x44};
  const Bytes wrapped = Cat({Fc(1, 7), kDur, kA1, Fc(1, 11), htc, kA2});
  Frame f;
  ASSERT_EQ(Parse(wrapped, &f), Anomaly::kNone);
  EXPECT_EQ(f.type, 1);
  EXPECT_EQ(f.subtype, 7);
  EXPECT_TRUE(f.has_htc);
  ExpectRoles(f, {&kA2, &kA1, nullptr, nullptr, nullptr}, "wrapped RTS");

  ASSERT_EQ(Parse(Bytes(wrapped.begin(), wrapped.end() - 1), &f), Anomaly::kMacHeaderTruncated);
  ExpectRoles(f, {nullptr, &kA1, nullptr, nullptr, nullptr}, "wrapped RTS cut short");

  ASSERT_EQ(Parse(Cat({Fc(1, 7), kDur, kA1, Fc(1, 12), htc}), &f), Anomaly::kNone);
  ExpectRoles(f, {nullptr, &kA1, nullptr, nullptr, nullptr}, "wrapped CTS (16 bytes)");
}

TEST(Ieee80211Test, ExtensionFrames) {
  Frame f;
  ASSERT_EQ(Parse(Cat({Fc(3, 0), kDur, kA1, Zeros(20)}), &f), Anomaly::kNone);
  EXPECT_EQ(f.type, kTypeExtension);
  ExpectRoles(f, {nullptr, &kA1, nullptr, nullptr, &kA1}, "DMG beacon");
  EXPECT_EQ(Parse(Cat({Fc(3, 4), kDur, kA1}), &f), Anomaly::kReservedFrameType);
}

TEST(Ieee80211Test, QosAndHtControl) {
  Frame f;
  const Bytes qos = {0x05, 0x01};  // TID 5, mesh-control-present bit
  const Bytes htc = {0x01, 0x02, 0x03, 0x04};
  const Bytes llc = {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00};
  ASSERT_EQ(Parse(Cat({Header3(2, 8, kOrder), qos, htc, llc}), &f), Anomaly::kNone);
  ASSERT_TRUE(f.has_qos);
  EXPECT_EQ(f.qos_control, 0x0105);
  EXPECT_TRUE(f.has_htc);
  EXPECT_TRUE(f.order);

  ASSERT_EQ(Parse(Cat({Header3(2, 8, kToDs | kFromDs), kA4, qos, llc}), &f), Anomaly::kNone);
  EXPECT_EQ(f.qos_control, 0x0105);
  EXPECT_FALSE(f.has_htc);

  // A management frame with Order set carries HT control, so its body starts 4 bytes later.
  const Bytes beacon_fixed = Zeros(12);
  const Bytes ssid = {0x00, 0x03, 'a', 'b', 'c'};
  ASSERT_EQ(Parse(Cat({Header3(0, kMgmtBeacon, kOrder), htc, beacon_fixed, ssid}), &f),
            Anomaly::kNone);
  EXPECT_TRUE(f.has_htc);
  ASSERT_TRUE(f.has_elements);
  ASSERT_TRUE(f.elements.has_ssid);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(f.elements.ssid), f.elements.ssid_len),
            "abc");
}

TEST(Ieee80211Test, TruncatedHeadersShowWhatWiresharkShows) {
  const Bytes beacon = Cat({Header3(0, 8), Zeros(12)});
  Frame f;
  EXPECT_EQ(Parse(Bytes(beacon.begin(), beacon.begin() + 9), &f), Anomaly::kMacHeaderTruncated);
  EXPECT_FALSE(f.has_mac_header);
  EXPECT_EQ(f.subtype, 8);
  EXPECT_EQ(Parse(Bytes(beacon.begin(), beacon.begin() + 20), &f), Anomaly::kMacHeaderTruncated);
  ExpectRoles(f, {nullptr, &kA1, nullptr, nullptr, nullptr}, "beacon cut in addr3");
  EXPECT_FALSE(f.has_seq);
  // A QoS data header without its QoS field: Wireshark shows no address at all.
  const Bytes qos_data = Cat({Header3(2, 8, kToDs), {0, 0}});
  EXPECT_EQ(Parse(Bytes(qos_data.begin(), qos_data.begin() + 24), &f),
            Anomaly::kMacHeaderTruncated);
  ExpectRoles(f, {nullptr, nullptr, nullptr, nullptr, nullptr}, "QoS data without QoS field");
  // PS-Poll cut before its TA still names addr1 as the BSSID.
  EXPECT_EQ(Parse(Cat({Fc(1, 10), kDur, kA1, {0x02}}), &f), Anomaly::kMacHeaderTruncated);
  ExpectRoles(f, {nullptr, &kA1, nullptr, nullptr, &kA1}, "PS-Poll cut short");
  EXPECT_EQ(Parse({}, &f), Anomaly::kMacHeaderTruncated);
  EXPECT_EQ(Parse({0x80}, &f), Anomaly::kMacHeaderTruncated);
}

TEST(Ieee80211Test, DataProtection) {
  Frame f;
  // WEP: IV (3 bytes) + key id octet with ExtIV clear.
  ASSERT_EQ(Parse(Cat({Header3(2, 0, kToDs | kProtected), {0x12, 0x34, 0x56, 0x00}, Zeros(8)}), &f),
            Anomaly::kNone);
  EXPECT_EQ(f.protection, Protection::kWep);
  // TKIP: TSC1, WEPSeed = (TSC1 | 0x20) & 0x7f, TSC0, key id with ExtIV.
  ASSERT_EQ(
      Parse(Cat({Header3(2, 0, kToDs | kProtected), {0xda, 0x7a, 0x01, 0x20}, Zeros(12)}), &f),
      Anomaly::kNone);
  EXPECT_EQ(f.protection, Protection::kTkip);
  // CCMP: PN0, PN1, reserved 0, key id with ExtIV.
  ASSERT_EQ(
      Parse(Cat({Header3(2, 8, kFromDs | kProtected), {0, 0}, {0x07, 0x00, 0x00, 0x20}, Zeros(12)}),
            &f),
      Anomaly::kNone);
  EXPECT_EQ(f.protection, Protection::kCcmpGcmp);
  // Protected but too short to hold an IV.
  ASSERT_EQ(Parse(Cat({Header3(2, 0, kToDs | kProtected), {0x01, 0x02}}), &f), Anomaly::kNone);
  EXPECT_EQ(f.protection, Protection::kUnknown);
  // Null frames carry no body, so nothing to classify.
  ASSERT_EQ(Parse(Cat({Header3(2, 4, kToDs | kProtected)}), &f), Anomaly::kNone);
  EXPECT_EQ(f.protection, Protection::kOpen);
}

TEST(Ieee80211Test, ManagementFixedParameters) {
  const Bytes ssid = {0x00, 0x04, 'h', 'o', 'm', 'e'};
  struct Case {
    uint8_t subtype;
    size_t fixed;
    bool elements;
  };
  const Case cases[] = {
      {kMgmtAssocRequest, 4, true},    {kMgmtAssocResponse, 6, true},
      {kMgmtReassocRequest, 10, true}, {kMgmtReassocResponse, 6, true},
      {kMgmtProbeRequest, 0, true},    {kMgmtProbeResponse, 12, true},
      {kMgmtBeacon, 12, true},         {11 /* auth */, 6, true},
      {10 /* disassoc */, 2, false},   {12 /* deauth */, 2, false},
      {kMgmtAction, 1, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("subtype " + std::to_string(c.subtype));
    Frame f;
    ASSERT_EQ(Parse(Cat({Header3(0, c.subtype), Zeros(c.fixed), ssid}), &f), Anomaly::kNone);
    ASSERT_EQ(f.has_elements, c.elements);
    if (c.elements) {
      ASSERT_TRUE(f.elements.has_ssid);
      EXPECT_EQ(std::string(reinterpret_cast<const char*>(f.elements.ssid), f.elements.ssid_len),
                "home");
    }
    if (c.fixed > 0) {
      EXPECT_EQ(Parse(Cat({Header3(0, c.subtype), Zeros(c.fixed - 1)}), &f),
                Anomaly::kBodyTruncated);
      EXPECT_FALSE(f.has_elements);
    }
  }
}

TEST(Ieee80211Test, SaeAuthenticationBodyIsNotReadAsElements) {
  // Algorithm 3 (SAE), transaction 1, status 0, then group 19 and a scalar.
  const Bytes body = Cat({{0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x13, 0x00}, Zeros(32)});
  Frame f;
  ASSERT_EQ(Parse(Cat({Header3(0, 11), body}), &f), Anomaly::kNone);
  EXPECT_FALSE(f.has_elements);
}

TEST(Ieee80211Test, ElementAnomalyIsReported) {
  Frame f;
  EXPECT_EQ(Parse(Cat({Header3(0, kMgmtProbeRequest), {0x00, 0x09, 'x'}}), &f),
            Anomaly::kElementOverrun);
  EXPECT_EQ(f.anomaly, Anomaly::kElementOverrun);
  EXPECT_TRUE(f.has_elements);
}

TEST(Ieee80211Test, EarlierAnomalyIsKept) {
  Frame f;
  f.anomaly = Anomaly::kBadFcs;
  EXPECT_EQ(Parse(Cat({Fc(1, 13), kDur}), &f), Anomaly::kMacHeaderTruncated);
  EXPECT_EQ(f.anomaly, Anomaly::kBadFcs);
}

TEST(Ieee80211Test, ReservedTypesAndVersions) {
  Frame f;
  EXPECT_EQ(Parse(Header3(0, 7), &f), Anomaly::kReservedFrameType);
  EXPECT_EQ(Parse(Cat({Header3(2, 13), {0, 0}}), &f), Anomaly::kReservedFrameType);  // QoS-shaped
  EXPECT_EQ(Parse(Cat({Fc(1, 0), kDur, kA1}), &f), Anomaly::kReservedFrameType);
  ExpectRoles(f, {nullptr, &kA1, nullptr, nullptr, nullptr}, "reserved control");
  // Protocol version 1 (802.11ah PV1) has another header layout: not decoded.
  Bytes pv1 = Header3(0, 8);
  pv1[0] |= 0x01;
  EXPECT_EQ(Parse(pv1, &f), Anomaly::kReservedFrameType);
  EXPECT_FALSE(f.has_mac_header);
  EXPECT_FALSE(f.has_ra);
}

TEST(Ieee80211Test, ReusedFrameDoesNotKeepStaleFields) {
  Frame f;
  ASSERT_EQ(Parse(Cat({Header3(2, 8, kToDs | kFromDs | kOrder), kA4, {0, 0}, Zeros(8)}), &f),
            Anomaly::kNone);
  ASSERT_TRUE(f.has_sa && f.has_qos && f.has_htc);
  ASSERT_EQ(Parse(Cat({Fc(1, 13), kDur, kA1}), &f), Anomaly::kNone);
  EXPECT_FALSE(f.has_sa || f.has_qos || f.has_htc || f.has_seq || f.has_ta);
}

TEST(Ieee80211Test, EveryPrefixOfABeaconIsSafe) {
  const Bytes beacon = Cat({Header3(0, kMgmtBeacon),
                            Zeros(8),
                            {0x64, 0x00, 0x31, 0x04},
                            {0x00, 0x05, 'c', 'a', 'f', 'e', '!'},
                            {0x01, 0x04, 0x82, 0x84, 0x8b, 0x96},
                            {0x03, 0x01, 0x06},
                            {0x30, 0x14, 0x01, 0x00, 0x00, 0x0f, 0xac, 0x04, 0x01, 0x00, 0x00,
                             0x0f, 0xac, 0x04, 0x01, 0x00, 0x00, 0x0f, 0xac, 0x02, 0x00, 0x00}});
  for (size_t n = 0; n <= beacon.size(); ++n) {
    Frame f;
    const Anomaly a = Parse(Bytes(beacon.begin(), beacon.begin() + n), &f);
    if (n < 24) {
      EXPECT_EQ(a, Anomaly::kMacHeaderTruncated) << n;
    } else if (n < 36) {
      EXPECT_EQ(a, Anomaly::kBodyTruncated) << n;
    } else if (n < beacon.size()) {
      EXPECT_TRUE(a == Anomaly::kNone || a == Anomaly::kElementOverrun) << n;
    } else {
      EXPECT_EQ(a, Anomaly::kNone);
      EXPECT_EQ(f.elements.element_count, 4);
      EXPECT_EQ(f.elements.ds_channel, 6);
      EXPECT_EQ(f.elements.rsn_akm[0], 0x000fac02u);
    }
  }
}

}  // namespace
}  // namespace airfleet::dissect

namespace airfleet::dissect {
namespace {

// Radio Measurement neighbour report request (category 5, action 4, dialog token 45) with an SSID
// element "WML": the bytes of frame 18854 of aircrack-ng__pmkid-not-recognized.cap, whose SSID
// tshark shows.
TEST(Ieee80211ActionTest, NeighborReportRequestCarriesSsid) {
  const uint8_t bytes[] = {0xd0, 0x00, 0x3a, 0x01, 0x8c, 0xde, 0xf9, 0xd0, 0xb4, 0x61, 0x00,
                           0x9e, 0xc8, 0xe7, 0x36, 0x1c, 0x8c, 0xde, 0xf9, 0xd0, 0xb4, 0x61,
                           0xb0, 0xd6, 0x05, 0x04, 0x2d, 0x00, 0x03, 0x57, 0x4d, 0x4c};
  std::vector<uint8_t> frame(bytes, bytes + sizeof(bytes));
  Frame f;
  EXPECT_EQ(ParseMacFrame(frame.data(), frame.size(), &f), Anomaly::kNone);
  ASSERT_TRUE(f.has_elements);
  ASSERT_TRUE(f.elements.has_ssid);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(f.elements.ssid), f.elements.ssid_len),
            "WML");
}

// Other action frames are not read as elements (their bodies are action-specific fields).
TEST(Ieee80211ActionTest, OtherActionsHaveNoElements) {
  std::vector<uint8_t> frame = {0xd0, 0x00, 0x3a, 0x01, 0x8c, 0xde, 0xf9, 0xd0, 0xb4, 0x61, 0x00,
                                0x9e, 0xc8, 0xe7, 0x36, 0x1c, 0x8c, 0xde, 0xf9, 0xd0, 0xb4, 0x61,
                                0xb0, 0xd6, 0x03, 0x00, 0x2d, 0x00, 0x03, 0x57, 0x4d, 0x4c};
  Frame f;
  EXPECT_EQ(ParseMacFrame(frame.data(), frame.size(), &f), Anomaly::kNone);
  EXPECT_FALSE(f.has_elements);
}

}  // namespace
}  // namespace airfleet::dissect

namespace airfleet::dissect {
namespace {

// Without keys one IV pattern is ambiguous: CCMP PN0/PN1 that happen to satisfy TKIP's WEPSeed
// rule, or TKIP with TSC0 == 0. The documented choice (ClassifyProtection) is CCMP in both cases.
TEST(Ieee80211ProtectionTest, AmbiguousIvReadsAsCcmp) {
  const std::vector<uint8_t> header = {0x88, 0x41, 0, 0, 1, 2, 3, 4, 5, 6,    0x02, 0, 0,
                                       0,    0,    1, 1, 2, 3, 4, 5, 7, 0x10, 0,    0, 0};
  auto with_iv = [&](std::vector<uint8_t> iv) {
    std::vector<uint8_t> f = header;
    f.insert(f.end(), iv.begin(), iv.end());
    f.insert(f.end(), 16, 0x3c);
    Frame out;
    ParseMacFrame(f.data(), f.size(), &out);
    return out.protection;
  };
  EXPECT_EQ(with_iv({0x00, 0x20, 0x00, 0x20, 0, 0, 0, 0}),
            Protection::kCcmpGcmp);  // CCMP PN 0x2000
  EXPECT_EQ(with_iv({0x01, 0x21, 0x00, 0x20, 0, 0, 0, 0}), Protection::kCcmpGcmp);  // TKIP TSC0 0
  EXPECT_EQ(with_iv({0x01, 0x21, 0x05, 0x20, 0, 0, 0, 0}), Protection::kTkip);
  EXPECT_EQ(with_iv({0x05, 0x01, 0x00, 0x20, 0, 0, 0, 0}), Protection::kCcmpGcmp);
}

}  // namespace
}  // namespace airfleet::dissect
