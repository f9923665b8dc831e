#pragma once

// The parsed form of one captured 802.11 frame. Plain data, fixed size, no heap: the dissector
// fills one Frame per packet on the hot path. Pointers (ssid, body) point into the caller's packet
// buffer and are valid only while that buffer is.

#include <cstdint>

#include "agent/dissect/anomaly.h"
#include "common/mac.h"

namespace airfleet::dissect {

// Linktypes (DLT_*) we accept.
inline constexpr int kLinktypeIeee80211 = 105;
inline constexpr int kLinktypePrism = 119;
inline constexpr int kLinktypeRadiotap = 127;
inline constexpr int kLinktypeAvs = 163;
inline constexpr int kLinktypePpi = 192;

// Whether the 802.11 frame ends with a 4-byte FCS. Radiotap and PPI say so in their flags; plain
// 802.11, Prism and AVS do not, hence a per-source setting.
//  kAuto: trust the radio header where it says; otherwise treat the last 4 bytes as an FCS only
//         when they are a valid CRC-32 of the rest (a false positive has probability 2^-32).
enum class FcsMode : uint8_t { kAuto, kPresent, kAbsent };

// What the radio header (radiotap, PPI, Prism, AVS) told us.
struct RadioInfo {
  bool present = false;        // a radio header was parsed
  bool has_signal = false;     // signal_dbm valid (first antenna / overall signal)
  bool has_noise = false;
  bool has_freq = false;
  bool has_tsft = false;
  bool has_rate = false;
  bool has_mcs = false;        // HT MCS field
  bool has_vht = false;
  bool has_he = false;
  bool has_eht = false;
  bool fcs_at_end = false;     // header says the frame carries an FCS
  bool bad_fcs = false;        // header says the FCS check failed
  int8_t signal_dbm = 0;
  int8_t noise_dbm = 0;
  uint8_t antenna_signals = 0; // how many dBm antenna signal values the header carried
  uint8_t flags = 0;           // radiotap Flags field
  uint16_t freq_mhz = 0;
  uint16_t channel_flags = 0;
  uint16_t rate_500kbps = 0;   // legacy rate in 500 kb/s units
  uint8_t mcs_index = 0;
  uint64_t tsft_us = 0;
};

// Protection of a data frame, read from the IV / extended IV when the Protected bit is set.
enum class Protection : uint8_t { kOpen = 0, kWep, kTkip, kCcmpGcmp, kUnknown };

// Up to this many vendor-specific elements are kept per frame (further ones are only hashed).
inline constexpr int kMaxVendorElements = 8;

struct VendorElement {
  uint32_t oui = 0;  // 24-bit OUI
  uint8_t type = 0;  // vendor-defined type byte (0 when the element has no type byte)
};

// Information elements of a management frame body.
struct Elements {
  bool has_ssid = false;
  bool has_ds = false;           // DS Parameter Set
  bool has_tim = false;
  bool has_country = false;
  bool has_rsn = false;
  bool has_ht_caps = false;
  bool has_vht_caps = false;
  bool has_he_caps = false;
  bool has_eht_caps = false;
  bool has_ext_caps = false;
  bool has_interworking = false;
  bool has_mesh_id = false;
  uint8_t ssid_len = 0;
  const uint8_t* ssid = nullptr; // raw SSID bytes (not NUL terminated)
  uint8_t ds_channel = 0;
  uint8_t num_rates = 0;         // supported + extended supported rates
  uint8_t rates[16] = {};        // raw rate bytes (500 kb/s units, bit 7 = basic), first 16
  char country[2] = {};
  uint8_t mesh_id_len = 0;
  const uint8_t* mesh_id = nullptr;
  // RSN: group cipher suite and the first pairwise / AKM suites (OUI << 8 | type).
  uint32_t rsn_group_cipher = 0;
  uint8_t rsn_pairwise_count = 0;
  uint8_t rsn_akm_count = 0;
  uint32_t rsn_pairwise[4] = {};
  uint32_t rsn_akm[4] = {};
  uint16_t ht_caps_info = 0;
  uint32_t vht_caps_info = 0;
  uint8_t interworking_access_network = 0;
  uint8_t num_vendor = 0;        // vendor elements seen (may exceed kMaxVendorElements)
  VendorElement vendor[kMaxVendorElements];
  uint16_t element_count = 0;
  // 64-bit hash of the canonical IE fingerprint: ordered element ids (with extension ids),
  // vendor OUI+type, HT/VHT/HE/EHT capability bytes, extended capabilities. Excludes SSID
  // contents, DS channel and anything that changes between probes of one device.
  uint64_t fingerprint = 0;
};

struct Frame {
  // From the capture record.
  int64_t timestamp_ns = 0;
  uint32_t captured_len = 0;
  uint32_t original_len = 0;

  RadioInfo radio;

  // 802.11 MAC header.
  bool has_mac_header = false;   // at least frame control + addr1 parsed
  uint16_t frame_control = 0;
  uint8_t type = 0;              // 0 mgmt, 1 ctrl, 2 data, 3 extension
  uint8_t subtype = 0;
  bool to_ds = false, from_ds = false, more_fragments = false, retry = false;
  bool power_mgmt = false, more_data = false, protected_frame = false, order = false;
  uint16_t duration = 0;
  // Address roles as Wireshark assigns them (wlan.ta/ra/sa/da/bssid) from type and DS bits.
  bool has_ta = false, has_ra = false, has_sa = false, has_da = false, has_bssid = false;
  Mac ta, ra, sa, da, bssid;
  bool has_seq = false;
  uint16_t seq = 0;              // 12-bit sequence number
  uint8_t frag = 0;
  bool has_qos = false;
  uint16_t qos_control = 0;
  bool has_htc = false;
  Protection protection = Protection::kOpen;

  // The 802.11 frame without radio header and without FCS.
  const uint8_t* mac_frame = nullptr;
  uint32_t mac_frame_len = 0;
  bool has_fcs = false;          // an FCS was stripped from the end

  // Management body (after fixed parameters) and its elements.
  bool has_elements = false;
  Elements elements;

  // The first thing wrong with this frame, if anything. Fields above are valid as far as the
  // dissector got before it (has_* flags say which).
  Anomaly anomaly = Anomaly::kNone;

  // The device this frame counts towards (see docs/architecture.md): TA, else SA; never a group
  // address. Returns nullptr when the frame has no transmitter we can attribute.
  const Mac* Transmitter() const {
    if (has_ta && !ta.IsGroup()) return &ta;
    if (!has_ta && has_sa && !sa.IsGroup()) return &sa;
    return nullptr;
  }
};

// Frame types and a few subtypes the rest of the agent cares about.
inline constexpr uint8_t kTypeManagement = 0;
inline constexpr uint8_t kTypeControl = 1;
inline constexpr uint8_t kTypeData = 2;
inline constexpr uint8_t kTypeExtension = 3;
inline constexpr uint8_t kMgmtAssocRequest = 0;
inline constexpr uint8_t kMgmtAssocResponse = 1;
inline constexpr uint8_t kMgmtReassocRequest = 2;
inline constexpr uint8_t kMgmtReassocResponse = 3;
inline constexpr uint8_t kMgmtProbeRequest = 4;
inline constexpr uint8_t kMgmtProbeResponse = 5;
inline constexpr uint8_t kMgmtBeacon = 8;
inline constexpr uint8_t kMgmtAction = 13;

}  // namespace airfleet::dissect
