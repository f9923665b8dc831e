#include "tools/framegen/frame_builder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tools/framegen/pcap_writer.h"
#include "tools/framegen/test_util.h"

namespace airfleet::framegen {
namespace {

using ::testing::ElementsAre;

const Mac kAp = *Mac::Parse("00:1a:2b:00:00:01");
const Mac kSta = *Mac::Parse("3c:2e:00:80:00:02");
const Mac kRnd = *Mac::Parse("da:a1:19:00:00:03");

TEST(RadiotapTest, FieldsAreAlignedFromTheHeaderStart) {
  RadiotapSpec rt;
  rt.tsft_us = 0x0102030405060708;
  rt.fcs_at_end = true;
  rt.rate_500kbps = 2;
  rt.freq_mhz = 2437;
  rt.signal_dbm = -42;
  rt.noise_dbm = -95;
  rt.antenna = 1;
  rt.mcs_index = 7;
  // radiotap.org: TSFT at 8 (8-aligned), Flags, Rate, Channel (2-aligned), dBm signal, dBm
  // noise, Antenna, MCS (known, flags, index). Present = bits 0,1,2,3,5,6,11,19.
  EXPECT_THAT(BuildRadiotap(rt), ElementsAre(0, 0, 28, 0, 0x6f, 0x08, 0x08, 0x00,  // header
                                             8, 7, 6, 5, 4, 3, 2, 1,               // TSFT
                                             0x10, 2, 0x85, 0x09, 0xa0, 0x00,      // flags..channel
                                             0xd6, 0xa1, 1, 0x07, 0x00, 7));       // signal..MCS
}

TEST(RadiotapTest, ChannelIsPaddedToTwoBytes) {
  RadiotapSpec rt;
  rt.flags = 0;
  rt.freq_mhz = 5180;  // 0x143c, 5 GHz + OFDM = 0x0140
  EXPECT_THAT(BuildRadiotap(rt),
              ElementsAre(0, 0, 14, 0, 0x0a, 0, 0, 0, 0x00, 0x00, 0x3c, 0x14, 0x40, 0x01));
}

TEST(RadiotapTest, PerChainSignalsUseExtendedPresentWords) {
  RadiotapSpec rt;
  rt.flags = 0;
  rt.signal_dbm = -40;
  rt.chain_signals_dbm = {-43, -37};
  // word 0: flags, dBm signal, radiotap namespace, ext; word 1: dBm signal, antenna, namespace,
  // ext; word 2: dBm signal, antenna. Data: flags, signal, then (signal, antenna) per chain.
  EXPECT_THAT(BuildRadiotap(rt), ElementsAre(0, 0, 22, 0, 0x22, 0, 0, 0xa0, 0x20, 0x08, 0, 0xa0,
                                             0x20, 0x08, 0, 0, 0x00, 0xd8, 0xd5, 0, 0xdb, 1));
}

TEST(RadiotapTest, OverrideLengthWritesABrokenLength) {
  RadiotapSpec rt;
  rt.flags = 0;
  rt.override_length = 4;
  const Bytes b = BuildRadiotap(rt);
  EXPECT_EQ(b.size(), 9u);
  EXPECT_EQ(b[2], 4);
}

TEST(MacFrameTest, ControlFramesCarryOnlyTheirAddresses) {
  EXPECT_THAT(BuildMacFrame(Ack(kSta)),
              ElementsAre(0xd4, 0x00, 0x00, 0x00, 0x3c, 0x2e, 0x00, 0x80, 0x00, 0x02));
  const Bytes rts = BuildMacFrame(Rts(kAp, kSta));
  ASSERT_EQ(rts.size(), 16u);
  EXPECT_EQ(rts[0], 0xb4);
  EXPECT_EQ(Mac::FromBytes(&rts[4]), kAp);
  EXPECT_EQ(Mac::FromBytes(&rts[10]), kSta);
  EXPECT_EQ(BuildMacFrame(Cts(kSta)).size(), 10u);
  EXPECT_EQ(BuildMacFrame(BlockAck(kSta, kAp)).size(), 16u + 12u);
}

TEST(MacFrameTest, DataHeaderFollowsDsBitsQosAndOrder) {
  MacFrameSpec up = Data(kSta, kAp, kRnd, /*to_ds=*/true, /*qos=*/false, {1, 2});
  Bytes b = BuildMacFrame(up);
  EXPECT_EQ(b[0], 0x08);
  EXPECT_EQ(b[1], kFlagToDs);
  EXPECT_EQ(Mac::FromBytes(&b[4]), kAp);  // addr1 = BSSID
  EXPECT_EQ(Mac::FromBytes(&b[10]), kSta);
  EXPECT_EQ(Mac::FromBytes(&b[16]), kRnd);
  EXPECT_EQ(b.size(), 24u + 8u + 2u);  // header, LLC/SNAP, payload

  MacFrameSpec wds = Data(kSta, kAp, kRnd, true, /*qos=*/true, {});
  wds.flags |= kFlagFromDs | kFlagOrder;
  wds.addr4 = kRnd;
  wds.qos_control = 0x0005;
  wds.seq = 0xabc;
  wds.frag = 3;
  EXPECT_EQ(MacHeaderLength(wds), 24u + 6u + 2u + 4u);
  b = BuildMacFrame(wds);
  EXPECT_EQ(b[22], 0xc3);  // sequence control: frag 3, seq 0xabc
  EXPECT_EQ(b[23], 0xab);
  EXPECT_EQ(Mac::FromBytes(&b[24]), kRnd);
  EXPECT_EQ(b[30], 0x05);  // QoS control after addr4
}

TEST(MacFrameTest, ProtectionHeaders) {
  MacFrameSpec s = Data(kSta, kAp, kRnd, true, false, {});
  ProtectCcmp(&s, 0x0000665544332211);
  EXPECT_TRUE(s.flags & kFlagProtected);
  EXPECT_THAT(Bytes(s.body.begin(), s.body.begin() + 8),
              ElementsAre(0x11, 0x22, 0x00, 0x20, 0x33, 0x44, 0x55, 0x66));
  MacFrameSpec t = Data(kSta, kAp, kRnd, true, false, {});
  ProtectTkip(&t, 0x0405);
  EXPECT_THAT(Bytes(t.body.begin(), t.body.begin() + 4), ElementsAre(0x04, 0x24, 0x05, 0x20));
  MacFrameSpec w = Data(kSta, kAp, kRnd, true, false, {});
  ProtectWep(&w, 0x030201);
  EXPECT_THAT(Bytes(w.body.begin(), w.body.begin() + 4), ElementsAre(0x01, 0x02, 0x03, 0x00));
}

TEST(ElementWriterTest, RatesSplitAndOverrun) {
  ElementWriter w;
  w.Rates({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}).Overrun(221, 10, {0x00, 0x50});
  EXPECT_THAT(w.bytes(),
              ElementsAre(1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 50, 2, 9, 10, 221, 10, 0x00, 0x50));
}

TEST(FcsTest, MatchesTheCrc32CheckValue) {
  const std::string check = "123456789";  // CRC-32/ISO-HDLC check value 0xcbf43926
  EXPECT_EQ(Fcs(reinterpret_cast<const uint8_t*>(check.data()), check.size()), 0xcbf43926u);
}

// Every frame kind the builder makes, decoded by tshark: the independent check that the bytes
// mean what the builder says.
TEST(FrameBuilderTsharkTest, TsharkDecodesWhatWasBuilt) {
  if (!testing::HaveTshark()) GTEST_SKIP() << "tshark not installed";
  struct Case {
    PacketSpec p;
    std::string subtype, ta, ra, ssid_hex, protection;
    bool good_fcs = true;
  };
  std::vector<Case> cases;
  auto radio = [](int8_t signal) {
    RadiotapSpec rt;
    rt.freq_mhz = 2437;
    rt.signal_dbm = signal;
    rt.tsft_us = 12345;
    return rt;
  };
  auto add = [&](MacFrameSpec mac, const std::string& subtype, const std::string& ta,
                 const std::string& ra, const std::string& ssid_hex = "",
                 const std::string& prot = "") {
    Case c;
    c.p.radiotap = radio(static_cast<int8_t>(-30 - static_cast<int>(cases.size())));
    c.p.mac = std::move(mac);
    c.p.mac.seq = static_cast<uint16_t>(cases.size());
    c.p.with_fcs = true;
    c.subtype = subtype;
    c.ta = ta;
    c.ra = ra;
    c.ssid_hex = ssid_hex;
    c.protection = prot;
    cases.push_back(std::move(c));
  };
  const std::string ap = kAp.ToString(), sta = kSta.ToString(), bc = "ff:ff:ff:ff:ff:ff";
  ElementWriter beacon_ies;
  beacon_ies.Ssid("Lab")
      .Rates({0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24, 0x30, 0x48})
      .DsChannel(6)
      .Tim()
      .Rsn()
      .HtCaps()
      .VhtCaps()
      .ExtCaps()
      .HeCaps()
      .Vendor(0x0050f2, 2, {0, 1, 0});
  add(Beacon(kAp, beacon_ies.bytes()), "0x0008", ap, bc, "4c6162");
  ElementWriter wild;
  wild.Ssid("").Rates({0x02, 0x04}).HtCaps().ExtCaps().Vendor(0x0017f2, 10, {0, 1, 1});
  add(ProbeRequest(kRnd, wild.bytes()), "0x0004", kRnd.ToString(), bc, "<MISSING>");
  ElementWriter directed;
  directed.Ssid("Cafe").Rates({0x02, 0x04});
  add(ProbeRequest(kSta, directed.bytes(), kAp, kAp), "0x0004", sta, ap, "43616665");
  add(ProbeResponse(kAp, kSta, beacon_ies.bytes()), "0x0005", ap, sta, "4c6162");
  add(Authentication(kSta, kAp, kAp, 1), "0x000b", sta, ap);
  add(AssocRequest(kSta, kAp, directed.bytes()), "0x0000", sta, ap, "43616665");
  add(AssocResponse(kAp, kSta, ElementWriter().Rates({0x82, 0x84}).bytes()), "0x0001", ap, sta);
  add(Ack(kSta), "0x001d", "", sta);
  add(Cts(kSta), "0x001c", "", sta);
  add(Rts(kAp, kSta), "0x001b", sta, ap);
  add(BlockAck(kSta, kAp, 100), "0x0019", ap, sta);
  MacFrameSpec ccmp = Data(kSta, kAp, kRnd, true, true, Bytes(100, 7));
  ProtectCcmp(&ccmp, 77);
  add(ccmp, "0x0028", sta, ap, "", "ccmp");
  MacFrameSpec tkip = Data(kSta, kAp, kRnd, false, false, Bytes(60, 7));
  ProtectTkip(&tkip, 0x1234);
  add(tkip, "0x0020", ap, sta, "", "tkip");
  MacFrameSpec wep = Data(kSta, kAp, kRnd, true, false, Bytes(60, 7));
  ProtectWep(&wep, 0x112233);
  add(wep, "0x0020", sta, ap, "", "wep");
  add(Data(kSta, kAp, kRnd, true, false, Bytes(10, 1)), "0x0020", sta, ap);
  add(Ack(kAp), "0x001d", "", ap);
  cases.back().p.corrupt_fcs = true;
  cases.back().good_fcs = false;
  cases[1].p.radiotap->chain_signals_dbm = {-50, -20};

  testing::TempDir dir;
  PcapWriter w(127, TimestampResolution::kMicro);
  for (size_t i = 0; i < cases.size(); ++i) {
    const Bytes b = BuildPacket(cases[i].p);
    w.Add(static_cast<int64_t>(i) * 1000, b.data(), b.size());
  }
  const std::string path = dir.File("all.pcap");
  ASSERT_TRUE(WriteFile(path, w.data()).ok());
  const auto lines = testing::Tshark(
      "-r " + path +
      " -o wlan.check_checksum:TRUE -T fields -E separator='|' -e wlan.fc.type_subtype -e wlan.ta"
      " -e wlan.ra -e wlan.ssid -e radiotap.dbm_antsignal -e radiotap.channel.freq"
      " -e wlan.fcs.status -e wlan.seq -e wlan.ccmp.extiv -e wlan.tkip.extiv -e wlan.wep.iv"
      " -e _ws.malformed");
  ASSERT_EQ(lines.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i) + ": " + lines[i]);
    const auto f = testing::Fields(lines[i]);
    ASSERT_EQ(f.size(), 12u);
    const Case& c = cases[i];
    EXPECT_EQ(f[0], c.subtype);
    EXPECT_EQ(f[1], c.ta);
    EXPECT_EQ(f[2], c.ra);
    if (!c.ssid_hex.empty()) {
      EXPECT_EQ(f[3], c.ssid_hex);
    }
    const std::string signal = std::to_string(-30 - static_cast<int>(i));
    EXPECT_EQ(f[4], i == 1 ? signal + ",-50,-20" : signal);
    EXPECT_EQ(f[5], "2437");
    EXPECT_EQ(f[6], c.good_fcs ? "1" : "0");
    if (c.p.mac.type != 1) {
      EXPECT_EQ(f[7], std::to_string(i));
    }
    EXPECT_EQ(!f[8].empty(), c.protection == "ccmp");
    EXPECT_EQ(!f[9].empty(), c.protection == "tkip");
    EXPECT_EQ(!f[10].empty(), c.protection == "wep");
    // tshark calls only the frame with the bad FCS malformed.
    EXPECT_EQ(f[11], c.good_fcs ? "" : "_ws.malformed");
  }
}

TEST(FrameBuilderTsharkTest, BrokenOutputIsSeenAsBroken) {
  if (!testing::HaveTshark()) GTEST_SKIP() << "tshark not installed";
  RadiotapSpec rt;
  rt.signal_dbm = -50;
  PacketSpec overrun;
  overrun.radiotap = rt;
  overrun.mac = ProbeRequest(kSta, ElementWriter().Ssid("x").Overrun(221, 40, {0, 0x50}).bytes());
  PacketSpec truncated;
  truncated.radiotap = rt;
  truncated.mac = Data(kSta, kAp, kRnd, true, true, {});

  testing::TempDir dir;
  PcapWriter w(127, TimestampResolution::kMicro);
  const Bytes a = BuildPacket(overrun);
  w.Add(0, a.data(), a.size());
  const Bytes b = Truncate(BuildPacket(truncated), 9 + 20);  // radiotap + 20 of 26 header bytes
  w.Add(1000, b.data(), b.size());
  const std::string path = dir.File("broken.pcap");
  ASSERT_TRUE(WriteFile(path, w.data()).ok());
  const auto lines = testing::Tshark("-r " + path +
                                     " -T fields -E separator='|' -e _ws.malformed"
                                     " -e _ws.expert.message");
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& l : lines) EXPECT_NE(l, "|") << l;  // each one flagged somehow
}

}  // namespace
}  // namespace airfleet::framegen
