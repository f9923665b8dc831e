// Radiotap (DLT 127) parser. Spec: https://www.radiotap.org/ (defined fields, alignment rules,
// namespaces, TLVs). Table-driven: each defined bit has an alignment and a size, and alignment is
// relative to the start of the radiotap header (not of the buffer). Everything is bounded by
// it_len, which is itself checked against len before anything past the fixed header is read.

#include <bit>
#include <cstddef>
#include <cstdint>

#include "agent/dissect/radio_header.h"

namespace airfleet::dissect {
namespace {

constexpr size_t kFixedHeaderLen = 8;  // version, pad, it_len, first present word

// Bits that mean the same thing in every present word, whatever the namespace.
constexpr int kBitTlv = 28;
constexpr int kBitRadiotapNs = 29;
constexpr int kBitVendorNs = 30;
constexpr int kBitExt = 31;
constexpr uint32_t kNsBits = (1u << kBitRadiotapNs) | (1u << kBitVendorNs) | (1u << kBitExt);

// Radiotap-namespace fields used below.
constexpr int kBitTsft = 0;
constexpr int kBitFlags = 1;
constexpr int kBitRate = 2;
constexpr int kBitChannel = 3;
constexpr int kBitDbmAntSignal = 5;
constexpr int kBitDbmAntNoise = 6;
constexpr int kBitXChannel = 18;
constexpr int kBitMcs = 19;
constexpr int kBitVht = 21;
constexpr int kBitHe = 23;

// TLV types (radiotap.org "TLV fields in radiotap").
constexpr uint16_t kTlvUsig = 32;
constexpr uint16_t kTlvEht = 33;

constexpr uint8_t kFlagFcsAtEnd = 0x10;
constexpr uint8_t kFlagBadFcs = 0x40;

struct AlignSize {
  uint8_t align;
  uint8_t size;
};

// Bits 0..27 of the radiotap namespace (radiotap.org "defined fields"; the same values as the
// Linux and Wireshark iterators, XChannel taken from FreeBSD/radiotap.org suggested fields).
// Bit 28 (TLV list) is variable-length and handled on its own.
constexpr AlignSize kFields[kBitTlv] = {
    {8, 8},   // 0 TSFT u64
    {1, 1},   // 1 Flags u8
    {1, 1},   // 2 Rate u8
    {2, 4},   // 3 Channel u16 freq, u16 flags
    {2, 2},   // 4 FHSS u8 hop set, u8 hop pattern
    {1, 1},   // 5 dBm antenna signal s8
    {1, 1},   // 6 dBm antenna noise s8
    {2, 2},   // 7 Lock quality u16
    {2, 2},   // 8 TX attenuation u16
    {2, 2},   // 9 dB TX attenuation u16
    {1, 1},   // 10 dBm TX power s8
    {1, 1},   // 11 Antenna u8
    {1, 1},   // 12 dB antenna signal u8
    {1, 1},   // 13 dB antenna noise u8
    {2, 2},   // 14 RX flags u16
    {2, 2},   // 15 TX flags u16
    {1, 1},   // 16 RTS retries u8
    {1, 1},   // 17 data retries u8
    {4, 8},   // 18 XChannel u32 flags, u16 freq, u8 channel, u8 maxpower
    {1, 3},   // 19 MCS u8 known, u8 flags, u8 mcs
    {4, 8},   // 20 A-MPDU status u32 ref, u16 flags, u8 crc, u8 reserved
    {2, 12},  // 21 VHT
    {8, 12},  // 22 timestamp u64, u16 accuracy, u8 unit/position, u8 flags
    {2, 12},  // 23 HE 6x u16
    {2, 12},  // 24 HE-MU u16, u16, u8[4], u8[4]
    {2, 6},   // 25 HE-MU-other-user u16, u16, u8, u8
    {1, 1},   // 26 0-length PSDU u8
    {2, 4},   // 27 L-SIG u16, u16
};

inline uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t Le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
inline uint64_t Le64(const uint8_t* p) {
  return static_cast<uint64_t>(Le32(p)) | (static_cast<uint64_t>(Le32(p + 4)) << 32);
}

// Tracks which of Channel / XChannel supplied the frequency: Channel wins whatever the order.
struct FieldState {
  bool freq_from_channel = false;
};

// Applies one radiotap-namespace field whose data is p[0..size) (size == kFields[bit].size, or at
// least that much for a TLV item).
[[gnu::always_inline]] inline void ApplyField(int bit, const uint8_t* p, RadioInfo* radio,
                                              FieldState* st) {
  switch (bit) {
    case kBitTsft:
      radio->has_tsft = true;
      radio->tsft_us = Le64(p);
      break;
    case kBitFlags:
      radio->flags = p[0];
      radio->fcs_at_end = (p[0] & kFlagFcsAtEnd) != 0;
      radio->bad_fcs = (p[0] & kFlagBadFcs) != 0;
      break;
    case kBitRate:
      radio->has_rate = true;
      radio->rate_500kbps = p[0];
      break;
    case kBitChannel:
      radio->has_freq = true;
      radio->freq_mhz = Le16(p);
      radio->channel_flags = Le16(p + 2);
      st->freq_from_channel = true;
      break;
    case kBitXChannel:
      if (!st->freq_from_channel) {
        radio->has_freq = true;
        radio->freq_mhz = Le16(p + 4);
        // XChannel flags are 32 bits; their low half uses the Channel flag bits.
        radio->channel_flags = static_cast<uint16_t>(Le32(p) & 0xffff);
      }
      break;
    case kBitDbmAntSignal:
      // The first one is the combined signal of the frame; later present words carry per-chain
      // values. Wireshark's wlan_radio.signal_dbm keeps the last one parsed instead; we keep the
      // first (the frame's signal by our contract), which equals tshark's first
      // radiotap.dbm_antsignal occurrence: that is what tests/conformance compares.
      if (!radio->has_signal) {
        radio->has_signal = true;
        radio->signal_dbm = static_cast<int8_t>(p[0]);
      }
      if (radio->antenna_signals < UINT8_MAX) ++radio->antenna_signals;
      break;
    case kBitDbmAntNoise:
      if (!radio->has_noise) {
        radio->has_noise = true;
        radio->noise_dbm = static_cast<int8_t>(p[0]);
      }
      break;
    case kBitMcs:
      radio->has_mcs = true;
      radio->mcs_index = p[2];
      break;
    case kBitVht:
      radio->has_vht = true;
      break;
    case kBitHe:
      radio->has_he = true;
      break;
    default:
      break;
  }
}

// Parses the TLV list that fills [off, end) of the header. Items: u16 type, u16 length, data,
// padded to 4 bytes. Items shorter than a known field's size are ignored (the spec allows
// omitting trailing zero bytes, but we only read what is there).
Anomaly ParseTlvs(const uint8_t* data, size_t off, size_t end, RadioInfo* radio, FieldState* st) {
  while (off < end) {
    if (end - off < 4) return Anomaly::kRadiotapFieldOverrun;
    const uint16_t type = Le16(data + off);
    const uint16_t length = Le16(data + off + 2);
    off += 4;
    if (length > end - off) return Anomaly::kRadiotapFieldOverrun;
    if (type == kTlvEht) {
      radio->has_eht = true;
    } else if (type == kTlvUsig) {
      // U-SIG alone does not make a frame EHT (it is also sent for future PHYs).
    } else if (type < kBitTlv && length >= kFields[type].size) {
      ApplyField(type, data + off, radio, st);
    }
    off += (static_cast<size_t>(length) + 3) & ~size_t{3};
  }
  return Anomaly::kNone;
}

}  // namespace

Anomaly ParseRadiotap(const uint8_t* data, size_t len, RadioInfo* radio, size_t* header_len) {
  *header_len = 0;
  *radio = RadioInfo{};
  if (data == nullptr || len < kFixedHeaderLen) return Anomaly::kRadiotapTruncated;
  if (data[0] != 0) return Anomaly::kRadiotapBadVersion;
  const size_t it_len = Le16(data + 2);
  if (it_len < kFixedHeaderLen) return Anomaly::kRadiotapBadLength;
  if (it_len > len) return Anomaly::kRadiotapTruncated;

  // it_len is now trustworthy enough to find the 802.11 frame, whatever happens below.
  *header_len = it_len;
  radio->present = true;

  // Find the end of the chained present words; every one of them must lie inside it_len.
  size_t words_end = 4;
  for (;;) {
    if (words_end + 4 > it_len) return Anomaly::kRadiotapBadLength;
    const uint32_t word = Le32(data + words_end);
    words_end += 4;
    if ((word & (1u << kBitExt)) == 0) break;
  }

  enum class Ns : uint8_t { kRadiotap, kVendor };
  Ns ns = Ns::kRadiotap;
  int ns_word = 0;  // index of this word within the current namespace (bits 32*ns_word + i)
  size_t off = words_end;
  FieldState st;

  for (size_t w = 4; w < words_end; w += 4) {
    const uint32_t word = Le32(data + w);
    // In a vendor namespace we cannot size the fields: their data was skipped as a whole when
    // the namespace started, so only the namespace-switching bits matter.
    uint32_t fields = (ns == Ns::kRadiotap) ? (word & ~kNsBits) : 0;
    if (fields != 0 && ns_word > 0) {
      // No radiotap field is defined above bit 31; we cannot find anything after this.
      return Anomaly::kRadiotapUnknownField;
    }
    while (fields != 0) {
      const int bit = std::countr_zero(fields);
      fields &= fields - 1;
      if (bit == kBitTlv) {
        off = (off + 3) & ~size_t{3};
        if (off > it_len) return Anomaly::kRadiotapFieldOverrun;
        // The TLV list fills the rest of the header; nothing can follow it.
        return ParseTlvs(data, off, it_len, radio, &st);
      }
      const AlignSize f = kFields[bit];
      off = (off + f.align - 1) & ~static_cast<size_t>(f.align - 1);
      if (off + f.size > it_len) return Anomaly::kRadiotapFieldOverrun;
      ApplyField(bit, data + off, radio, &st);
      off += f.size;
    }
    if (word & (1u << kBitVendorNs)) {
      // Vendor namespace field: OUI[3], sub_ns, u16 skip_length, aligned to 2; its data follows
      // at once and is skipped, since we know no vendor namespace.
      off = (off + 1) & ~size_t{1};
      if (off + 6 > it_len) return Anomaly::kRadiotapFieldOverrun;
      const size_t skip = Le16(data + off + 4);
      off += 6;
      if (skip > it_len - off) return Anomaly::kRadiotapFieldOverrun;
      off += skip;
      ns = Ns::kVendor;
      ns_word = 0;
    } else if (word & (1u << kBitRadiotapNs)) {
      ns = Ns::kRadiotap;
      ns_word = 0;
    } else {
      ++ns_word;
    }
  }
  return Anomaly::kNone;
}

}  // namespace airfleet::dissect
