// Tests for ParsePpi, ParsePrism and ParseAvs. Headers are built byte by byte from the PPI 1.0
// specification, the classic 144-byte Prism layout and the AVS capture header; real captures are
// checked against tshark 4.0's values. Buffers are exact-size heap copies so ASan catches any read
// past the end.

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "agent/dissect/radio_header.h"
#include "agent/dissect/testing/real_captures.h"

namespace airfleet::dissect {
namespace {

using ParseFn = Anomaly (*)(const uint8_t*, size_t, RadioInfo*, size_t*);

struct Result {
  Anomaly anomaly;
  RadioInfo radio;
  size_t header_len;
};

Result RunParser(ParseFn fn, const std::vector<uint8_t>& bytes, size_t n = SIZE_MAX) {
  n = std::min(n, bytes.size());
  std::unique_ptr<uint8_t[]> copy(new uint8_t[n == 0 ? 1 : n]);
  std::copy(bytes.begin(), bytes.begin() + n, copy.get());
  Result r;
  r.header_len = 12345;
  r.anomaly = fn(n == 0 ? nullptr : copy.get(), n, &r.radio, &r.header_len);
  return r;
}

class Bytes {
 public:
  Bytes& U8(uint8_t v) {
    b_.push_back(v);
    return *this;
  }
  Bytes& Le16(uint16_t v) { return U8(v & 0xff).U8(v >> 8); }
  Bytes& Le32(uint32_t v) { return Le16(v & 0xffff).Le16(v >> 16); }
  Bytes& Le64(uint64_t v) { return Le32(static_cast<uint32_t>(v)).Le32(v >> 32); }
  Bytes& Be16(uint16_t v) { return U8(v >> 8).U8(v & 0xff); }
  Bytes& Be32(uint32_t v) { return Be16(v >> 16).Be16(v & 0xffff); }
  Bytes& Be64(uint64_t v) { return Be32(v >> 32).Be32(static_cast<uint32_t>(v)); }
  Bytes& Fill(size_t n, uint8_t v) {
    b_.insert(b_.end(), n, v);
    return *this;
  }
  Bytes& Append(const std::vector<uint8_t>& v) {
    b_.insert(b_.end(), v.begin(), v.end());
    return *this;
  }
  size_t size() const { return b_.size(); }
  std::vector<uint8_t>& vec() { return b_; }

 private:
  std::vector<uint8_t> b_;
};

const std::vector<uint8_t> kAck = {0xd4, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

// --- PPI ---------------------------------------------------------------------------------------

// 802.11-Common field (type 2, 20 bytes).
void AddCommon(Bytes& b, uint64_t tsf, uint16_t flags, uint16_t rate, uint16_t freq,
               uint16_t chan_flags, int8_t signal, int8_t noise) {
  b.Le16(2).Le16(20).Le64(tsf).Le16(flags).Le16(rate).Le16(freq).Le16(chan_flags);
  b.U8(0).U8(0).U8(static_cast<uint8_t>(signal)).U8(static_cast<uint8_t>(noise));
}

// Header with pph_len patched to the size of everything added so far.
std::vector<uint8_t> PpiPacket(Bytes fields, uint32_t dlt = 105, int pph_len = -1) {
  Bytes b;
  const size_t len = pph_len < 0 ? 8 + fields.size() : static_cast<size_t>(pph_len);
  b.U8(0).U8(0).Le16(static_cast<uint16_t>(len)).Le32(dlt).Append(fields.vec()).Append(kAck);
  return b.vec();
}

TEST(PpiTest, CommonFieldValues) {
  Bytes f;
  AddCommon(f, 123456789, 0x0001, 22, 2412, 0x00a0, -69, -75);
  Result r = RunParser(ParsePpi, PpiPacket(f));
  EXPECT_EQ(r.anomaly, Anomaly::kNone);
  EXPECT_EQ(r.header_len, 32u);
  EXPECT_TRUE(r.radio.present);
  EXPECT_TRUE(r.radio.has_tsft);
  EXPECT_EQ(r.radio.tsft_us, 123456789u);
  EXPECT_TRUE(r.radio.fcs_at_end);
  EXPECT_FALSE(r.radio.bad_fcs);
  EXPECT_EQ(r.radio.rate_500kbps, 22);
  EXPECT_EQ(r.radio.freq_mhz, 2412);
  EXPECT_EQ(r.radio.channel_flags, 0x00a0);
  EXPECT_EQ(r.radio.signal_dbm, -69);
  EXPECT_EQ(r.radio.noise_dbm, -75);
  EXPECT_EQ(r.radio.antenna_signals, 1);
}

TEST(PpiTest, FcsInvalidFlagAndTsfInMilliseconds) {
  Bytes f;
  AddCommon(f, 5, 0x0001 | 0x0002 | 0x0004, 2, 5180, 0x0140, -50, -90);
  Result r = RunParser(ParsePpi, PpiPacket(f));
  EXPECT_TRUE(r.radio.fcs_at_end);
  EXPECT_TRUE(r.radio.bad_fcs);
  EXPECT_EQ(r.radio.tsft_us, 5000u);
}

// The PPI spec reserves -128 dBm (and zero values) for "unknown"; Wireshark leaves them out.
TEST(PpiTest, UnknownValuesAreNotReported) {
  Bytes f;
  AddCommon(f, 0, 0, 0, 0, 0, -128, 0);
  Result r = RunParser(ParsePpi, PpiPacket(f));
  EXPECT_EQ(r.anomaly, Anomaly::kNone);
  EXPECT_FALSE(r.radio.has_tsft);
  EXPECT_FALSE(r.radio.has_rate);
  EXPECT_FALSE(r.radio.has_freq);
  EXPECT_FALSE(r.radio.has_signal);
  EXPECT_FALSE(r.radio.has_noise);
}

TEST(PpiTest, OtherFieldsSkippedByLengthAndMacPhyMcs) {
  Bytes f;
  f.Le16(30002).Le16(7).Fill(7, 0xee);                  // geolocation, odd length
  f.Le16(3).Le16(12).Fill(12, 0);                       // 802.11n MAC extensions
  f.Le16(4).Le16(48).Fill(9, 0).U8(15).Fill(38, 0x80);  // MAC+PHY: MCS 15 at offset 9
  AddCommon(f, 1, 0, 600, 2422, 0x0080, -56, -96);
  Result r = RunParser(ParsePpi, PpiPacket(f));
  EXPECT_EQ(r.anomaly, Anomaly::kNone);
  EXPECT_EQ(r.header_len, 8 + f.size());
  EXPECT_TRUE(r.radio.has_mcs);
  EXPECT_EQ(r.radio.mcs_index, 15);
  EXPECT_EQ(r.radio.freq_mhz, 2422);
  EXPECT_EQ(r.radio.signal_dbm, -56);
}

TEST(PpiTest, UnsupportedInnerDltStillGivesHeaderLength) {
  Bytes f;
  AddCommon(f, 1, 0, 2, 2412, 0, -40, -90);
  Result r = RunParser(ParsePpi, PpiPacket(f, /*dlt=*/1));
  EXPECT_EQ(r.anomaly, Anomaly::kPpiUnsupportedDlt);
  EXPECT_EQ(r.header_len, 32u);
}

TEST(PpiTest, PphLenBeyondPacket) {
  Bytes f;
  AddCommon(f, 1, 0, 2, 2412, 0, -40, -90);
  auto bytes = PpiPacket(f, 105, 4000);
  Result r = RunParser(ParsePpi, bytes);
  EXPECT_EQ(r.anomaly, Anomaly::kPpiTruncated);
  EXPECT_EQ(r.header_len, 0u);
}

TEST(PpiTest, PphLenBelowHeader) {
  Result r = RunParser(ParsePpi, PpiPacket(Bytes(), 105, 7));
  EXPECT_EQ(r.anomaly, Anomaly::kPpiBadLength);
  EXPECT_EQ(r.header_len, 0u);
}

TEST(PpiTest, FieldLengthOverrunsHeader) {
  Bytes f;
  f.Le16(2).Le16(20).Fill(10, 0);  // Common field claims 20 bytes, pph_len leaves 10
  Result r = RunParser(ParsePpi, PpiPacket(f));
  EXPECT_EQ(r.anomaly, Anomaly::kPpiBadLength);
  EXPECT_EQ(r.header_len, 8 + f.size());
  EXPECT_FALSE(r.radio.has_signal);
}

TEST(PpiTest, FieldHeaderCutShort) {
  Bytes f;
  AddCommon(f, 1, 0, 2, 2412, 0, -40, -90);
  f.U8(2).U8(0);  // half a field header
  Result r = RunParser(ParsePpi, PpiPacket(f));
  EXPECT_EQ(r.anomaly, Anomaly::kPpiBadLength);
  EXPECT_EQ(r.radio.signal_dbm, -40);  // the complete field before it is kept
}

TEST(PpiTest, CommonFieldWithWrongLengthIsIgnored) {
  Bytes f;
  f.Le16(2).Le16(16).Fill(16, 0x11);
  Result r = RunParser(ParsePpi, PpiPacket(f));
  EXPECT_EQ(r.anomaly, Anomaly::kPpiBadLength);
  EXPECT_FALSE(r.radio.has_freq);
  EXPECT_EQ(r.header_len, 8 + f.size());
}

TEST(PpiTest, EveryPrefix) {
  Bytes f;
  f.Le16(30002).Le16(5).Fill(5, 0xee);
  AddCommon(f, 1, 1, 2, 2412, 0, -40, -90);
  auto bytes = PpiPacket(f);
  const size_t pph_len = 8 + f.size();
  for (size_t n = 0; n <= bytes.size(); ++n) {
    Result r = RunParser(ParsePpi, bytes, n);
    if (n < pph_len) {
      EXPECT_EQ(r.anomaly, Anomaly::kPpiTruncated) << n;
      EXPECT_EQ(r.header_len, 0u);
    } else {
      EXPECT_EQ(r.anomaly, Anomaly::kNone) << n;
      EXPECT_EQ(r.header_len, pph_len);
      EXPECT_EQ(r.radio.signal_dbm, -40);
    }
  }
}

// --- Prism -------------------------------------------------------------------------------------

struct DidItem {
  uint32_t did;
  uint16_t status;  // 0 supplied, 1 not supplied
  uint32_t data;
};

// Classic header: msgcode 0x41, msglen 144, devname, 10 items in the 0x0000N041 encoding.
std::vector<uint8_t> PrismPacket(const uint32_t values[10], const uint16_t status[10],
                                 bool wlan_ng_dids = false) {
  Bytes b;
  b.Le32(0x41).Le32(144);
  b.U8('w').U8('l').U8('a').U8('n').U8('0').Fill(11, 0);
  for (uint32_t i = 1; i <= 10; ++i) {
    const uint32_t did = wlan_ng_dids ? (i << 16) | 0x0044 : (i << 12) | 0x0041;
    b.Le32(did).Le16(status[i - 1]).Le16(4).Le32(values[i - 1]);
  }
  b.Append(kAck);
  return b.vec();
}

// Items: hosttime, mactime, channel, rssi, sq, signal, noise, rate, istx, frmlen.
constexpr uint32_t kPrismValues[10] = {
    100, 75520589, 6, static_cast<uint32_t>(-61), 55, 1, static_cast<uint32_t>(-95), 22, 0, 14};
constexpr uint16_t kAllSupplied[10] = {};

TEST(PrismTest, SuppliedItems) {
  for (bool wlan_ng : {false, true}) {
    Result r = RunParser(ParsePrism, PrismPacket(kPrismValues, kAllSupplied, wlan_ng));
    EXPECT_EQ(r.anomaly, Anomaly::kNone);
    EXPECT_EQ(r.header_len, 144u);
    EXPECT_TRUE(r.radio.present);
    EXPECT_EQ(r.radio.signal_dbm, -61) << wlan_ng;
    EXPECT_EQ(r.radio.antenna_signals, 1);
    EXPECT_EQ(r.radio.noise_dbm, -95);
    EXPECT_EQ(r.radio.rate_500kbps, 22);
    EXPECT_EQ(r.radio.tsft_us, 75520589u);
    EXPECT_TRUE(r.radio.has_freq);
    EXPECT_EQ(r.radio.freq_mhz, 2437);  // channel 6
    EXPECT_FALSE(r.radio.fcs_at_end);   // Prism does not say
  }
}

TEST(PrismTest, NotSuppliedItemsAreIgnored) {
  const uint16_t status[10] = {0, 0, 1, 1, 0, 0, 1, 1, 1, 0};
  Result r = RunParser(ParsePrism, PrismPacket(kPrismValues, status));
  EXPECT_EQ(r.anomaly, Anomaly::kNone);
  EXPECT_FALSE(r.radio.has_freq);
  EXPECT_FALSE(r.radio.has_signal);
  EXPECT_FALSE(r.radio.has_noise);
  EXPECT_FALSE(r.radio.has_rate);
  EXPECT_TRUE(r.radio.has_tsft);
}

TEST(PrismTest, ChannelNumbersToMhz) {
  const std::pair<uint32_t, uint16_t> cases[] = {
      {1, 2412}, {13, 2472}, {14, 2484}, {36, 5180}, {165, 5825}};
  for (auto [channel, mhz] : cases) {
    uint32_t values[10];
    std::copy(std::begin(kPrismValues), std::end(kPrismValues), values);
    values[2] = channel;
    Result r = RunParser(ParsePrism, PrismPacket(values, kAllSupplied));
    EXPECT_EQ(r.radio.freq_mhz, mhz) << channel;
  }
}

TEST(PrismTest, TruncatedHeader) {
  auto bytes = PrismPacket(kPrismValues, kAllSupplied);
  for (size_t n = 0; n < 144; ++n) {
    Result r = RunParser(ParsePrism, bytes, n);
    EXPECT_EQ(r.anomaly, Anomaly::kPrismTruncated) << n;
    EXPECT_EQ(r.header_len, 0u);
  }
  Result r = RunParser(ParsePrism, bytes, 144);
  EXPECT_EQ(r.anomaly, Anomaly::kNone);
  EXPECT_EQ(r.header_len, 144u);
}

TEST(PrismTest, MsglenBeyondPacketFallsBackTo144) {
  auto bytes = PrismPacket(kPrismValues, kAllSupplied);
  bytes[4] = 0xff;
  bytes[5] = 0xff;  // msglen 65535
  Result r = RunParser(ParsePrism, bytes);
  EXPECT_EQ(r.anomaly, Anomaly::kNone);
  EXPECT_EQ(r.header_len, 144u);
}

// --- AVS ---------------------------------------------------------------------------------------

struct AvsFields {
  uint32_t version = 0x80211001;
  uint32_t length = 64;
  uint64_t mactime = 987654321;
  uint32_t phytype = 6;  // OFDM 2.4 GHz (802.11g)
  uint32_t channel = 11;
  uint32_t datarate = 540;  // 100 kb/s units: 54 Mb/s
  uint32_t ssi_type = 2;    // dBm
  int32_t signal = -48;
  int32_t noise = -92;
};

std::vector<uint8_t> AvsPacket(const AvsFields& f) {
  Bytes b;
  b.Be32(f.version).Be32(f.length).Be64(f.mactime).Be64(1).Be32(f.phytype).Be32(f.channel);
  b.Be32(f.datarate).Be32(0).Be32(0).Be32(f.ssi_type);
  b.Be32(static_cast<uint32_t>(f.signal)).Be32(static_cast<uint32_t>(f.noise)).Be32(0).Be32(0);
  if (f.version == 0x80211002) b.Be32(7).Be32(0).Fill(6, 0x02).Fill(2, 0);
  b.Append(kAck);
  return b.vec();
}

TEST(AvsTest, Version1Fields) {
  Result r = RunParser(ParseAvs, AvsPacket({}));
  EXPECT_EQ(r.anomaly, Anomaly::kNone);
  EXPECT_EQ(r.header_len, 64u);
  EXPECT_EQ(r.radio.tsft_us, 987654321u);
  EXPECT_EQ(r.radio.freq_mhz, 2462);
  EXPECT_EQ(r.radio.rate_500kbps, 108);
  EXPECT_EQ(r.radio.signal_dbm, -48);
  EXPECT_EQ(r.radio.noise_dbm, -92);
}

TEST(AvsTest, Version2With80211aChannelAndFrequencyInMhz) {
  AvsFields f;
  f.version = 0x80211002;
  f.length = 80;
  f.phytype = 7;  // OFDM 5 GHz
  f.channel = 36;
  Result r = RunParser(ParseAvs, AvsPacket(f));
  EXPECT_EQ(r.anomaly, Anomaly::kNone);
  EXPECT_EQ(r.header_len, 80u);
  EXPECT_EQ(r.radio.freq_mhz, 5180);
  f.channel = 5745;  // some drivers give MHz
  r = RunParser(ParseAvs, AvsPacket(f));
  EXPECT_EQ(r.radio.freq_mhz, 5745);
}

TEST(AvsTest, NonDbmSignalIsNotReported) {
  AvsFields f;
  f.ssi_type = 1;  // normalised RSSI
  f.signal = 40;
  Result r = RunParser(ParseAvs, AvsPacket(f));
  EXPECT_FALSE(r.radio.has_signal);
  EXPECT_FALSE(r.radio.has_noise);
}

TEST(AvsTest, InsidePrismLinktype) {
  Result r = RunParser(ParsePrism, AvsPacket({}));
  EXPECT_EQ(r.anomaly, Anomaly::kNone);
  EXPECT_EQ(r.header_len, 64u);
  EXPECT_EQ(r.radio.signal_dbm, -48);
}

TEST(AvsTest, HostileLengths) {
  AvsFields f;
  f.length = 4000;
  EXPECT_EQ(RunParser(ParseAvs, AvsPacket(f)).anomaly, Anomaly::kAvsTruncated);
  f.length = 12;
  EXPECT_EQ(RunParser(ParseAvs, AvsPacket(f)).anomaly, Anomaly::kAvsTruncated);
  auto bytes = AvsPacket({});
  for (size_t n = 0; n < 64; ++n) {
    Result r = RunParser(ParseAvs, bytes, n);
    EXPECT_EQ(r.anomaly, Anomaly::kAvsTruncated) << n;
    EXPECT_EQ(r.header_len, 0u);
    Result p = RunParser(ParsePrism, bytes, n);
    EXPECT_NE(p.anomaly, Anomaly::kNone) << n;
    EXPECT_EQ(p.header_len, 0u);
  }
}

// --- Real captures (expected values from tshark 4.0) --------------------------------------------

using fixtures::LoadRealCapture;

TEST(PpiRealCaptureTest, FcsPresentAndInvalid) {
  auto packets = LoadRealCapture("packetnet__80211_ppi_fcs_present_and_invalid.pcap", 192);
  if (packets.empty()) GTEST_SKIP() << "real captures not found; set AIRFLEET_REAL_PCAPS";
  Result r = RunParser(ParsePpi, packets[0]);
  EXPECT_EQ(r.anomaly, Anomaly::kNone);
  EXPECT_EQ(r.header_len, 32u);
  EXPECT_EQ(r.radio.signal_dbm, -69);
  EXPECT_EQ(r.radio.noise_dbm, -75);
  EXPECT_EQ(r.radio.freq_mhz, 2412);
  EXPECT_EQ(r.radio.rate_500kbps, 22);
  EXPECT_EQ(r.radio.tsft_us, 2668785257783u);
  EXPECT_TRUE(r.radio.fcs_at_end);
  EXPECT_TRUE(r.radio.bad_fcs);
}

TEST(PpiRealCaptureTest, HttpWithMacPhy) {
  auto packets = LoadRealCapture("libpcap__http_PPI.pcap", 192);
  if (packets.empty()) GTEST_SKIP() << "real captures not found; set AIRFLEET_REAL_PCAPS";
  ASSERT_GE(packets.size(), 3u);
  const int kSignal[] = {-56, -65, -57};
  for (int i = 0; i < 3; ++i) {
    Result r = RunParser(ParsePpi, packets[i]);
    EXPECT_EQ(r.anomaly, Anomaly::kNone);
    EXPECT_EQ(r.radio.signal_dbm, kSignal[i]) << i;
    EXPECT_EQ(r.radio.noise_dbm, -96);
    EXPECT_EQ(r.radio.freq_mhz, 2422);
  }
  Result r = RunParser(ParsePpi, packets[0]);
  EXPECT_EQ(r.header_len, 84u);
  EXPECT_EQ(r.radio.rate_500kbps, 600);  // 300 Mb/s
  EXPECT_EQ(r.radio.mcs_index, 15);
}

TEST(PpiRealCaptureTest, NonWifiInnerDlt) {
  auto packets = LoadRealCapture("nDPI__someip_sd_sample.pcap", 192);
  if (packets.empty()) GTEST_SKIP() << "real captures not found; set AIRFLEET_REAL_PCAPS";
  Result r = RunParser(ParsePpi, packets[0]);
  EXPECT_EQ(r.anomaly, Anomaly::kPpiUnsupportedDlt);
  EXPECT_EQ(r.header_len, 16u);
}

TEST(PrismRealCaptureTest, PypackerSignalAndRate) {
  auto packets = LoadRealCapture("pypacker__packets_prism.pcap", 119);
  if (packets.empty()) GTEST_SKIP() << "real captures not found; set AIRFLEET_REAL_PCAPS";
  ASSERT_GE(packets.size(), 3u);
  const int kSignal[] = {-89, -83, -90};
  const int kRate[] = {22, 2, 2};  // 11, 1, 1 Mb/s
  for (int i = 0; i < 3; ++i) {
    Result r = RunParser(ParsePrism, packets[i]);
    EXPECT_EQ(r.anomaly, Anomaly::kNone);
    EXPECT_EQ(r.header_len, 144u);
    EXPECT_EQ(r.radio.signal_dbm, kSignal[i]) << i;
    EXPECT_EQ(r.radio.rate_500kbps, kRate[i]) << i;
    EXPECT_FALSE(r.radio.has_freq);  // the channel item is "not supplied" in this file
    EXPECT_FALSE(r.radio.has_noise);
  }
}

TEST(PrismRealCaptureTest, WpacleanCrashIsTruncated) {
  auto packets = LoadRealCapture("aircrack-ng__wpaclean_crash.pcap", 119);
  if (packets.empty()) GTEST_SKIP() << "real captures not found; set AIRFLEET_REAL_PCAPS";
  Result r = RunParser(ParsePrism, packets[0]);
  EXPECT_EQ(r.anomaly, Anomaly::kPrismTruncated);
  EXPECT_EQ(r.header_len, 0u);
}

}  // namespace
}  // namespace airfleet::dissect
