#include "agent/dissect/dissector.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <vector>

namespace airfleet::dissect {
namespace {

// An ACK frame to 00:11:22:33:44:55 (frame control 0xd4, duration 0).
std::vector<uint8_t> AckFrame() { return {0xd4, 0x00, 0x00, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55}; }

void AppendFcs(std::vector<uint8_t>* f) {
  uint32_t crc = static_cast<uint32_t>(crc32(0, f->data(), static_cast<uInt>(f->size())));
  for (int i = 0; i < 4; ++i) f->push_back(static_cast<uint8_t>(crc >> (8 * i)));
}

// Radiotap header with only the Flags field.
std::vector<uint8_t> RadiotapWithFlags(uint8_t flags) {
  return {0x00, 0x00, 0x09, 0x00, 0x02, 0x00, 0x00, 0x00, flags};
}

Frame DissectBytes(int linktype, const std::vector<uint8_t>& bytes, FcsMode mode,
                   bool verify = true) {
  Frame f;
  DissectOptions o;
  o.fcs = mode;
  o.verify_fcs = verify;
  Dissect(linktype, bytes.data(), bytes.size(), o, &f);
  return f;
}

TEST(Dissector, RejectsNon80211Linktypes) {
  std::vector<uint8_t> bytes(64, 0);
  EXPECT_EQ(DissectBytes(1, bytes, FcsMode::kAuto).anomaly, Anomaly::kUnsupportedLinktype);
  EXPECT_FALSE(IsSupportedLinktype(1));
  EXPECT_TRUE(IsSupportedLinktype(kLinktypeRadiotap));
}

TEST(Dissector, AutoDetectsValidFcsOnPlain80211) {
  auto frame = AckFrame();
  AppendFcs(&frame);
  Frame f = DissectBytes(kLinktypeIeee80211, frame, FcsMode::kAuto);
  EXPECT_EQ(f.anomaly, Anomaly::kNone);
  EXPECT_TRUE(f.has_fcs);
  EXPECT_EQ(f.mac_frame_len, 10u);
  EXPECT_EQ(f.ra.ToString(), "00:11:22:33:44:55");
}

TEST(Dissector, AutoLeavesFrameWithoutFcsWhole) {
  auto frame = AckFrame();
  frame.insert(frame.end(), {1, 2, 3, 4});  // trailing bytes that are not a CRC
  Frame f = DissectBytes(kLinktypeIeee80211, frame, FcsMode::kAuto);
  EXPECT_FALSE(f.has_fcs);
  EXPECT_EQ(f.mac_frame_len, 14u);
}

TEST(Dissector, PresentModeFlagsBadFcs) {
  auto frame = AckFrame();
  frame.insert(frame.end(), {1, 2, 3, 4});
  Frame f = DissectBytes(kLinktypeIeee80211, frame, FcsMode::kPresent);
  EXPECT_EQ(f.anomaly, Anomaly::kBadFcs);
  EXPECT_TRUE(f.has_fcs);
  EXPECT_EQ(f.mac_frame_len, 10u);
}

TEST(Dissector, AbsentModeNeverStrips) {
  auto frame = AckFrame();
  AppendFcs(&frame);
  Frame f = DissectBytes(kLinktypeIeee80211, frame, FcsMode::kAbsent);
  EXPECT_FALSE(f.has_fcs);
  EXPECT_EQ(f.mac_frame_len, 14u);
}

TEST(Dissector, RadiotapFlagsDecideFcsWhateverTheSetting) {
  auto frame = AckFrame();
  AppendFcs(&frame);
  auto with_fcs = RadiotapWithFlags(0x10);
  with_fcs.insert(with_fcs.end(), frame.begin(), frame.end());
  Frame f = DissectBytes(kLinktypeRadiotap, with_fcs, FcsMode::kAbsent);
  EXPECT_EQ(f.anomaly, Anomaly::kNone);
  EXPECT_TRUE(f.has_fcs);
  EXPECT_EQ(f.mac_frame_len, 10u);

  auto bad = RadiotapWithFlags(0x10 | 0x40);  // driver says the FCS failed
  bad.insert(bad.end(), frame.begin(), frame.end());
  EXPECT_EQ(DissectBytes(kLinktypeRadiotap, bad, FcsMode::kAuto).anomaly, Anomaly::kBadFcs);

  auto no_fcs = RadiotapWithFlags(0x00);
  no_fcs.insert(no_fcs.end(), frame.begin(), frame.end());
  EXPECT_FALSE(DissectBytes(kLinktypeRadiotap, no_fcs, FcsMode::kPresent).has_fcs);
}

TEST(Dissector, CorruptedFcsIsReported) {
  auto frame = AckFrame();
  AppendFcs(&frame);
  frame[5] ^= 0x01;  // flip a bit of the receiver address
  auto bytes = RadiotapWithFlags(0x10);
  bytes.insert(bytes.end(), frame.begin(), frame.end());
  EXPECT_EQ(DissectBytes(kLinktypeRadiotap, bytes, FcsMode::kAuto).anomaly, Anomaly::kBadFcs);
}

TEST(Dissector, CorruptedFcsPassesWithoutVerification) {
  auto frame = AckFrame();
  AppendFcs(&frame);
  frame[5] ^= 0x01;
  auto bytes = RadiotapWithFlags(0x10);
  bytes.insert(bytes.end(), frame.begin(), frame.end());
  Frame f = DissectBytes(kLinktypeRadiotap, bytes, FcsMode::kAuto, /*verify=*/false);
  EXPECT_EQ(f.anomaly, Anomaly::kNone);
  EXPECT_TRUE(f.has_fcs);
  EXPECT_EQ(f.mac_frame_len, 10u);
}

TEST(Dissector, SnappedRecordKeepsItsBytes) {
  auto frame = AckFrame();
  auto bytes = RadiotapWithFlags(0x10);
  bytes.insert(bytes.end(), frame.begin(), frame.end());
  Frame f;
  f.original_len = static_cast<uint32_t>(bytes.size() + 100);
  Dissect(kLinktypeRadiotap, bytes.data(), bytes.size(), DissectOptions{}, &f);
  EXPECT_FALSE(f.has_fcs);
  EXPECT_EQ(f.mac_frame_len, 10u);
  EXPECT_EQ(f.anomaly, Anomaly::kNone);
}

TEST(Dissector, EveryPrefixOfARadiotapFrameIsSafe) {
  auto frame = AckFrame();
  AppendFcs(&frame);
  auto bytes = RadiotapWithFlags(0x10);
  bytes.insert(bytes.end(), frame.begin(), frame.end());
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + n);  // exact-size heap copy for ASan
    Frame f;
    Dissect(kLinktypeRadiotap, prefix.data(), prefix.size(), DissectOptions{}, &f);
    EXPECT_NE(f.anomaly, Anomaly::kNone) << "prefix of " << n << " bytes";
  }
}

}  // namespace
}  // namespace airfleet::dissect
