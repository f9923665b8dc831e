#pragma once

// Builds 802.11 frames byte by byte, for tests, benchmarks and the scenario generator: a radiotap
// header with the fields a test chooses, an 802.11 MAC header of any type, management bodies with
// information elements, and an optional FCS (CRC-32, as zlib computes it). It can also build the
// broken frames a parser must survive (truncated records, bad radiotap length, element overrun).
//
// The builder is deliberately independent of agent/dissect: it is written from the standards
// (IEEE 802.11-2020 clause 9, radiotap.org) so that tests comparing the dissector's output with
// what was built compare two independent readings of the spec.
//
// Everything here is a plain value type; no globals, no I/O. Not thread-safe per object.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/mac.h"

namespace airfleet::framegen {

using Bytes = std::vector<uint8_t>;

inline constexpr Mac kBroadcast = Mac{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

// Radiotap fields to emit. Fields are written in bit order with the alignment radiotap requires
// (relative to the start of the header). Unset optionals are left out of the present bitmap.
struct RadiotapSpec {
  std::optional<uint64_t> tsft_us;
  // Flags field (bit 1). fcs_at_end / bad_fcs set flag bits 0x10 / 0x40 and force the field.
  std::optional<uint8_t> flags;
  bool fcs_at_end = false;
  bool bad_fcs_flag = false;
  std::optional<uint8_t> rate_500kbps;
  std::optional<uint16_t> freq_mhz;
  uint16_t channel_flags = 0;        // 0 = derive 2 GHz / 5 GHz + OFDM/CCK from freq_mhz
  std::optional<int8_t> signal_dbm;  // the combined signal, in the first present word
  std::optional<int8_t> noise_dbm;
  std::optional<uint8_t> antenna;
  // HT MCS field (bit 19): known, flags, index.
  std::optional<uint8_t> mcs_index;
  uint8_t mcs_known = 0x07;  // bandwidth, MCS index and guard interval known
  uint8_t mcs_flags = 0;
  // One extra present word per entry (bit 29 radiotap namespace + bit 31 extension chaining),
  // each carrying a dBm antenna signal and an antenna index, the way Linux reports per-chain
  // signal.
  std::vector<int8_t> chain_signals_dbm;
  // When set, it_len is written as this value instead of the real length (broken output).
  std::optional<uint16_t> override_length;
};

// Serialises a radiotap header.
Bytes BuildRadiotap(const RadiotapSpec& spec);

// Channel centre frequency for a channel number (2.4 GHz: 1-14, 5 GHz: 32-177).
uint16_t ChannelToFreqMhz(int channel);

// Information elements of a management body, appended in call order.
class ElementWriter {
 public:
  ElementWriter& Ssid(std::string_view ssid);
  ElementWriter& Rates(const std::vector<uint8_t>& rates);  // first 8 -> id 1, rest -> id 50
  ElementWriter& DsChannel(uint8_t channel);
  ElementWriter& Tim(uint8_t dtim_count = 0, uint8_t dtim_period = 1);
  // RSN with one group cipher, the given pairwise and AKM suite types (OUI 00-0f-ac).
  ElementWriter& Rsn(uint8_t group = 4, const std::vector<uint8_t>& pairwise = {4},
                     const std::vector<uint8_t>& akm = {2});
  ElementWriter& HtCaps(uint16_t caps_info = 0x016e);
  ElementWriter& VhtCaps(uint32_t caps_info = 0x0f8259b2);
  ElementWriter& ExtCaps(const std::vector<uint8_t>& bits = {0x04, 0x00, 0x08, 0x00, 0x00, 0x00,
                                                             0x00, 0x40});
  ElementWriter& HeCaps();  // element id extension 35, a plausible 22-byte body
  ElementWriter& Vendor(uint32_t oui, uint8_t type, const std::vector<uint8_t>& data = {});
  ElementWriter& Raw(uint8_t id, const std::vector<uint8_t>& body);
  // An element whose length field claims `claimed_len` bytes but only `actual` bytes follow.
  // Put it last: whatever comes after it would be read as its body.
  ElementWriter& Overrun(uint8_t id, uint8_t claimed_len, const std::vector<uint8_t>& actual);

  const Bytes& bytes() const { return bytes_; }

 private:
  Bytes bytes_;
};

// Frame control flag bits (second octet of frame control).
inline constexpr uint8_t kFlagToDs = 0x01;
inline constexpr uint8_t kFlagFromDs = 0x02;
inline constexpr uint8_t kFlagMoreFragments = 0x04;
inline constexpr uint8_t kFlagRetry = 0x08;
inline constexpr uint8_t kFlagPowerMgmt = 0x10;
inline constexpr uint8_t kFlagMoreData = 0x20;
inline constexpr uint8_t kFlagProtected = 0x40;
inline constexpr uint8_t kFlagOrder = 0x80;

// A complete 802.11 MAC header and body. Which addresses are written follows the type: control
// frames write addr1 (and addr2 unless ACK/CTS); management and data frames write addr1-3, the
// sequence control, addr4 when both DS bits are set on a data frame, QoS control for QoS data
// subtypes (bit 3 of the subtype) and HT control when the Order flag is set on QoS data or
// management frames.
struct MacFrameSpec {
  uint8_t type = 0;
  uint8_t subtype = 0;
  uint8_t flags = 0;
  uint16_t duration = 0;
  Mac addr1, addr2, addr3, addr4;
  uint16_t seq = 0;  // 12-bit sequence number
  uint8_t frag = 0;
  uint16_t qos_control = 0;
  uint32_t ht_control = 0;
  Bytes body;
};

// Serialises the MAC header + body (no FCS).
Bytes BuildMacFrame(const MacFrameSpec& spec);

// Length of the MAC header BuildMacFrame writes for this spec.
size_t MacHeaderLength(const MacFrameSpec& spec);

// Common frames. `body_elements` are appended after the fixed parameters.
MacFrameSpec Beacon(const Mac& bssid, const Bytes& elements, uint64_t timestamp_us = 0,
                    uint16_t interval_tu = 100, uint16_t capability = 0x0411);
MacFrameSpec ProbeResponse(const Mac& bssid, const Mac& client, const Bytes& elements,
                           uint64_t timestamp_us = 0);
MacFrameSpec ProbeRequest(const Mac& sa, const Bytes& elements, const Mac& da = kBroadcast,
                          const Mac& bssid = kBroadcast);
MacFrameSpec Authentication(const Mac& sa, const Mac& da, const Mac& bssid, uint16_t seq_no,
                            uint16_t algorithm = 0, uint16_t status = 0);
MacFrameSpec AssocRequest(const Mac& client, const Mac& bssid, const Bytes& elements);
MacFrameSpec AssocResponse(const Mac& bssid, const Mac& client, const Bytes& elements,
                           uint16_t aid = 1);
MacFrameSpec Ack(const Mac& ra);
MacFrameSpec Cts(const Mac& ra);
MacFrameSpec Rts(const Mac& ra, const Mac& ta);
MacFrameSpec BlockAck(const Mac& ra, const Mac& ta, uint16_t start_seq = 0);
// A data frame between a station and an AP. to_ds: station -> AP (addr1 = bssid, addr2 = sta,
// addr3 = dst); otherwise AP -> station (addr1 = sta, addr2 = bssid, addr3 = src).
MacFrameSpec Data(const Mac& sta, const Mac& bssid, const Mac& other, bool to_ds, bool qos,
                  const Bytes& payload);
// Wraps payload in a CCMP header (PN, key id 0, ExtIV) and a dummy 8-byte MIC and sets the
// Protected flag. The payload is not actually encrypted.
void ProtectCcmp(MacFrameSpec* spec, uint64_t packet_number);
// Same with a WEP IV (no ExtIV) and a 4-byte ICV.
void ProtectWep(MacFrameSpec* spec, uint32_t iv);
// TKIP IV (TSC1, WEPSeed = (TSC1 | 0x20) & 0x7f, TSC0, ExtIV) + 8 byte MIC + 4 byte ICV.
void ProtectTkip(MacFrameSpec* spec, uint64_t tsc);

// CRC-32 of `data` as the 802.11 FCS (IEEE 802.3 polynomial, zlib's crc32).
uint32_t Fcs(const uint8_t* data, size_t len);

// One captured packet: radio header + MAC frame + optional FCS.
struct PacketSpec {
  std::optional<RadiotapSpec> radiotap;  // absent: plain 802.11 (DLT 105)
  MacFrameSpec mac;
  bool with_fcs = false;
  bool corrupt_fcs = false;  // write an FCS that does not match (flips its bits)
};

// Serialises a packet. With a radiotap header and with_fcs, the Flags field gets FCS-at-end.
Bytes BuildPacket(const PacketSpec& spec);

// Broken output helpers.
inline Bytes Truncate(Bytes b, size_t len) {
  if (len < b.size()) b.resize(len);
  return b;
}

}  // namespace airfleet::framegen
