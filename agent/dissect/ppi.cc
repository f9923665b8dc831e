// PPI (Per-Packet Information, DLT 192) parser. Layout from the CACE PPI 1.0 specification:
// an 8-byte header (pph_version u8, pph_flags u8, pph_len u16 LE, pph_dlt u32 LE) followed by
// fields (type u16 LE, length u16 LE, data). Field values are interpreted the way Wireshark's
// PPI dissector does, because Wireshark is our oracle: zero TSF / rate / frequency and -128 or 0
// dBm mean "not known", and an 802.11-Common field of the wrong length is ignored.

#include <cstddef>
#include <cstdint>

#include "agent/dissect/radio_header.h"

namespace airfleet::dissect {
namespace {

constexpr size_t kPpiHeaderLen = 8;
constexpr size_t kFieldHeaderLen = 4;
constexpr uint32_t kDltIeee80211 = 105;

constexpr uint16_t kField80211Common = 2;
constexpr uint16_t kField80211nMac = 3;
constexpr uint16_t kField80211nMacPhy = 4;
constexpr size_t k80211CommonLen = 20;
constexpr size_t k80211nMacLen = 12;
constexpr size_t k80211nMacPhyLen = 48;
constexpr size_t k80211nMacPhyMcsOffset = 9;  // flags u32, A-MPDU id u32, delimiters u8

// 802.11-Common flags.
constexpr uint16_t kCommonFcsPresent = 0x0001;
constexpr uint16_t kCommonTsfInMs = 0x0002;
constexpr uint16_t kCommonFcsInvalid = 0x0004;

inline uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t Le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
inline uint64_t Le64(const uint8_t* p) {
  return static_cast<uint64_t>(Le32(p)) | (static_cast<uint64_t>(Le32(p + 4)) << 32);
}

// Valid dBm value: the spec reserves -128 for "unknown"; some writers use 0 for that too.
inline bool KnownDbm(int8_t v) { return v != -128 && v != 0; }

// p points at the 20 data bytes: TSF u64, flags u16, rate u16, freq u16, channel flags u16,
// FHSS hopset u8, FHSS pattern u8, dBm antsignal s8, dBm antnoise s8.
void Apply80211Common(const uint8_t* p, RadioInfo* radio) {
  const uint16_t flags = Le16(p + 8);
  radio->fcs_at_end = (flags & kCommonFcsPresent) != 0;
  radio->bad_fcs = (flags & kCommonFcsInvalid) != 0;
  const uint64_t tsf = Le64(p);
  if (tsf != 0) {
    radio->has_tsft = true;
    radio->tsft_us = (flags & kCommonTsfInMs) ? tsf * 1000 : tsf;
  }
  const uint16_t rate = Le16(p + 10);
  if (rate != 0) {
    radio->has_rate = true;
    radio->rate_500kbps = rate;
  }
  const uint16_t freq = Le16(p + 12);
  if (freq != 0) {
    radio->has_freq = true;
    radio->freq_mhz = freq;
    radio->channel_flags = Le16(p + 14);
  }
  const auto signal = static_cast<int8_t>(p[18]);
  if (KnownDbm(signal)) {
    radio->has_signal = true;
    radio->signal_dbm = signal;
    radio->antenna_signals = 1;
  }
  const auto noise = static_cast<int8_t>(p[19]);
  if (KnownDbm(noise)) {
    radio->has_noise = true;
    radio->noise_dbm = noise;
  }
}

}  // namespace

Anomaly ParsePpi(const uint8_t* data, size_t len, RadioInfo* radio, size_t* header_len) {
  *header_len = 0;
  *radio = RadioInfo{};
  if (data == nullptr || len < kPpiHeaderLen) return Anomaly::kPpiTruncated;
  const size_t pph_len = Le16(data + 2);
  if (pph_len < kPpiHeaderLen) return Anomaly::kPpiBadLength;
  if (pph_len > len) return Anomaly::kPpiTruncated;
  *header_len = pph_len;
  radio->present = true;
  if (Le32(data + 4) != kDltIeee80211) return Anomaly::kPpiUnsupportedDlt;

  // Fields are packed back to back (Wireshark ignores the alignment flag, and so do writers in
  // practice). A bad field length stops the walk but keeps what was parsed before it.
  Anomaly anomaly = Anomaly::kNone;
  size_t off = kPpiHeaderLen;
  while (off < pph_len) {
    if (pph_len - off < kFieldHeaderLen) return Anomaly::kPpiBadLength;
    const uint16_t type = Le16(data + off);
    const size_t flen = Le16(data + off + 2);
    off += kFieldHeaderLen;
    if (flen > pph_len - off) return Anomaly::kPpiBadLength;
    const uint8_t* p = data + off;
    switch (type) {
      case kField80211Common:
        if (flen == k80211CommonLen) {
          Apply80211Common(p, radio);
        } else if (anomaly == Anomaly::kNone) {
          anomaly = Anomaly::kPpiBadLength;
        }
        break;
      case kField80211nMac:
        if (flen != k80211nMacLen && anomaly == Anomaly::kNone) anomaly = Anomaly::kPpiBadLength;
        break;
      case kField80211nMacPhy:
        if (flen == k80211nMacPhyLen) {
          const uint8_t mcs = p[k80211nMacPhyMcsOffset];
          if (mcs != 255) {  // 255 = unknown
            radio->has_mcs = true;
            radio->mcs_index = mcs;
          }
        } else if (anomaly == Anomaly::kNone) {
          anomaly = Anomaly::kPpiBadLength;
        }
        break;
      default:
        // Spectrum map, process/capture info, aggregation, 802.3, geolocation, vendor
        // fields: nothing we use, skipped by length.
        break;
    }
    off += flen;
  }
  return anomaly;
}

}  // namespace airfleet::dissect
