// Prism monitor header (DLT 119) and AVS WLAN capture header (DLT 163, also found under DLT 119).
//
// Prism: msgcode u32, msglen u32, devname[16], then DID items (did u32, status u16, len u16,
// data u32); the classic header has 10 items, 144 bytes. Items count only when status is 0
// ("supplied"), as in Wireshark. DIDs come in two encodings (0x000N0044 from wlan-ng and
// 0x0000N041 from hostap-style drivers), both accepted.
//
// AVS: big-endian, version (magic 0x80211001 / 0x80211002), length, mactime u64, hosttime u64,
// phytype, channel, datarate, antenna, priority, ssi_type, ssi_signal, ssi_noise, preamble,
// encoding (64 bytes; version 2 appends sequence, drops, receiver address and padding). Values are
// interpreted as Wireshark's wlancap dissector does.

#include <cstddef>
#include <cstdint>

#include "agent/dissect/radio_header.h"

namespace airfleet::dissect {
namespace {

constexpr size_t kPrismHeaderLen = 144;
constexpr size_t kPrismPreambleLen = 24;  // msgcode, msglen, devname[16]
constexpr size_t kPrismItemLen = 12;

// Item numbers N in both DID encodings.
constexpr uint32_t kDidMacTime = 2;
constexpr uint32_t kDidChannel = 3;
constexpr uint32_t kDidRssi = 4;
constexpr uint32_t kDidNoise = 7;
constexpr uint32_t kDidRate = 8;

constexpr uint32_t kAvsMagicV1 = 0x80211001;
constexpr uint32_t kAvsMagicV2 = 0x80211002;
constexpr size_t kAvsMinLen = 64;  // version 1 header; version 2 adds 16 bytes we do not use

// AVS phytype and ssi_type values (wlan-ng p80211 capture header).
constexpr uint32_t kAvsPhyFhss = 1;
constexpr uint32_t kAvsPhyOfdm5 = 7;  // 802.11a
constexpr uint32_t kAvsPhyOfdm5Turbo = 8;
constexpr uint32_t kAvsSsiDbm = 2;

inline uint32_t Le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
inline uint32_t Be32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}
inline uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint64_t Be64(const uint8_t* p) {
  return (static_cast<uint64_t>(Be32(p)) << 32) | Be32(p + 4);
}

inline int8_t ClampDbm(int32_t v) {
  if (v < -128) return -128;
  if (v > 127) return 127;
  return static_cast<int8_t>(v);
}

// Channel number to MHz. 2.4 GHz: 2407 + 5*ch, channel 14 = 2484; 5 GHz: 5000 + 5*ch. Returns 0
// when unknown.
uint16_t ChannelToMhz(uint32_t ch, bool is_2ghz) {
  if (ch == 0 || ch > 255) return 0;
  if (is_2ghz && ch == 14) return 2484;
  if (is_2ghz && ch < 14) return static_cast<uint16_t>(2407 + 5 * ch);
  return static_cast<uint16_t>(5000 + 5 * ch);
}

// Maps a DID to its item number 1..10, or 0 when it is neither encoding.
inline uint32_t DidItem(uint32_t did) {
  if ((did & 0xffffu) == 0x0044u) return did >> 16;
  if ((did & ~0xf000u) == 0x0041u) return (did >> 12) & 0xfu;
  return 0;
}

}  // namespace

Anomaly ParseAvs(const uint8_t* data, size_t len, RadioInfo* radio, size_t* header_len) {
  *header_len = 0;
  *radio = RadioInfo{};
  if (data == nullptr || len < 8) return Anomaly::kAvsTruncated;
  const uint32_t version = Be32(data);
  const size_t length = Be32(data + 4);
  if (length < kAvsMinLen || length > len) return Anomaly::kAvsTruncated;
  *header_len = length;
  radio->present = true;
  // Unknown versions: Wireshark trusts the length and skips the fields; so do we.
  if (version != kAvsMagicV1 && version != kAvsMagicV2) return Anomaly::kNone;

  radio->has_tsft = true;
  radio->tsft_us = Be64(data + 8);
  const uint32_t phytype = Be32(data + 24);
  const uint32_t channel = Be32(data + 28);
  if (phytype != kAvsPhyFhss) {
    if (channel < 256) {
      const bool is_2ghz = phytype != kAvsPhyOfdm5 && phytype != kAvsPhyOfdm5Turbo;
      const uint16_t mhz = ChannelToMhz(channel, is_2ghz);
      if (mhz != 0) {
        radio->has_freq = true;
        radio->freq_mhz = mhz;
      }
    } else if (channel < 10000) {  // some drivers put the frequency in MHz here
      radio->has_freq = true;
      radio->freq_mhz = static_cast<uint16_t>(channel);
    }
  }
  // Data rate in 100 kb/s units (or b/s when large); we keep it only when it is a multiple of
  // 500 kb/s.
  uint64_t rate_bps = Be32(data + 32);
  if (rate_bps < 100000) rate_bps *= 100000;
  if (rate_bps != 0 && rate_bps % 500000 == 0 && rate_bps / 500000 <= UINT16_MAX) {
    radio->has_rate = true;
    radio->rate_500kbps = static_cast<uint16_t>(rate_bps / 500000);
  }
  if (Be32(data + 44) == kAvsSsiDbm) {
    radio->has_signal = true;
    radio->signal_dbm = ClampDbm(static_cast<int32_t>(Be32(data + 48)));
    radio->antenna_signals = 1;
    const uint32_t noise = Be32(data + 52);
    if (noise != 0 && noise != 0xffffffffu) {
      radio->has_noise = true;
      radio->noise_dbm = ClampDbm(static_cast<int32_t>(noise));
    }
  }
  return Anomaly::kNone;
}

Anomaly ParsePrism(const uint8_t* data, size_t len, RadioInfo* radio, size_t* header_len) {
  *header_len = 0;
  *radio = RadioInfo{};
  if (data == nullptr || len < 4) return Anomaly::kPrismTruncated;
  const uint32_t magic = Be32(data);
  if (magic == kAvsMagicV1 || magic == kAvsMagicV2) return ParseAvs(data, len, radio, header_len);
  if (len < kPrismHeaderLen) return Anomaly::kPrismTruncated;

  // The header is in host byte order of the capturing machine: a small msgcode read the other
  // way round means the writer was big-endian.
  const bool big_endian = (Le32(data) & 0xffff0000u) != 0 && (Be32(data) & 0xffff0000u) == 0;
  auto rd32 = [big_endian](const uint8_t* p) { return big_endian ? Be32(p) : Le32(p); };
  auto rd16 = [big_endian](const uint8_t* p) { return big_endian ? Be16(p) : Le16(p); };

  // msglen may announce extra DID items; use it when it describes whole items inside the packet.
  size_t hdr = kPrismHeaderLen;
  const uint32_t msglen = rd32(data + 4);
  if (msglen > kPrismHeaderLen && msglen <= len &&
      (msglen - kPrismPreambleLen) % kPrismItemLen == 0) {
    hdr = msglen;
  }
  *header_len = hdr;
  radio->present = true;

  for (size_t off = kPrismPreambleLen; off + kPrismItemLen <= hdr; off += kPrismItemLen) {
    const uint32_t item = DidItem(rd32(data + off));
    const uint16_t status = rd16(data + off + 4);
    if (status != 0) continue;  // 0 = supplied, 1 = not supplied
    const uint32_t value = rd32(data + off + 8);
    switch (item) {
      case kDidMacTime:
        radio->has_tsft = true;
        radio->tsft_us = value;
        break;
      case kDidChannel:
        // Prism gives a channel number; we store MHz (Wireshark shows wlan_radio.channel).
        if (const uint16_t mhz = ChannelToMhz(value, value <= 14); mhz != 0) {
          radio->has_freq = true;
          radio->freq_mhz = mhz;
        }
        break;
      case kDidRssi:
        radio->has_signal = true;
        radio->signal_dbm = ClampDbm(static_cast<int32_t>(value));
        radio->antenna_signals = 1;
        break;
      case kDidNoise:
        radio->has_noise = true;
        radio->noise_dbm = ClampDbm(static_cast<int32_t>(value));
        break;
      case kDidRate:
        if (value != 0 && value <= UINT16_MAX) {
          radio->has_rate = true;
          radio->rate_500kbps = static_cast<uint16_t>(value);
        }
        break;
      default:
        break;
    }
  }
  return Anomaly::kNone;
}

}  // namespace airfleet::dissect
