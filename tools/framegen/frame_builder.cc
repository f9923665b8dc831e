#include "tools/framegen/frame_builder.h"

#include <zlib.h>

namespace airfleet::framegen {
namespace {

void PutLe16(Bytes* b, uint16_t v) {
  b->push_back(static_cast<uint8_t>(v));
  b->push_back(static_cast<uint8_t>(v >> 8));
}
void PutLe32(Bytes* b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b->push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void PutLe64(Bytes* b, uint64_t v) {
  for (int i = 0; i < 8; ++i) b->push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void PutMac(Bytes* b, const Mac& m) { b->insert(b->end(), m.octets.begin(), m.octets.end()); }
void PadTo(Bytes* b, size_t align) {
  while (b->size() % align != 0) b->push_back(0);
}
void SetLe16(Bytes* b, size_t at, uint16_t v) {
  (*b)[at] = static_cast<uint8_t>(v);
  (*b)[at + 1] = static_cast<uint8_t>(v >> 8);
}

constexpr uint32_t kBit(int n) { return uint32_t{1} << n; }
constexpr int kRtTsft = 0, kRtFlags = 1, kRtRate = 2, kRtChannel = 3, kRtDbmSignal = 5,
              kRtDbmNoise = 6, kRtAntenna = 11, kRtMcs = 19, kRtNamespace = 29, kRtExt = 31;

// 802.11 frame subtypes used below (IEEE 802.11-2020 table 9-1).
constexpr uint8_t kMgmt = 0, kCtrl = 1, kData = 2;
constexpr uint8_t kSubAssocReq = 0, kSubAssocResp = 1, kSubProbeReq = 4, kSubProbeResp = 5,
                  kSubBeacon = 8, kSubAuth = 11;
constexpr uint8_t kSubBlockAck = 9, kSubRts = 11, kSubCts = 12, kSubAck = 13;

Bytes Fixed(std::initializer_list<uint8_t> b) { return Bytes(b); }

Bytes BeaconLikeBody(const Bytes& elements, uint64_t timestamp_us, uint16_t interval_tu,
                     uint16_t capability) {
  Bytes body;
  PutLe64(&body, timestamp_us);
  PutLe16(&body, interval_tu);
  PutLe16(&body, capability);
  body.insert(body.end(), elements.begin(), elements.end());
  return body;
}

}  // namespace

uint16_t ChannelToFreqMhz(int channel) {
  if (channel == 14) return 2484;
  if (channel >= 1 && channel <= 13) return static_cast<uint16_t>(2407 + 5 * channel);
  return static_cast<uint16_t>(5000 + 5 * channel);
}

Bytes BuildRadiotap(const RadiotapSpec& spec) {
  const bool has_flags = spec.flags.has_value() || spec.fcs_at_end || spec.bad_fcs_flag;
  uint32_t word0 = 0;
  if (spec.tsft_us) word0 |= kBit(kRtTsft);
  if (has_flags) word0 |= kBit(kRtFlags);
  if (spec.rate_500kbps) word0 |= kBit(kRtRate);
  if (spec.freq_mhz) word0 |= kBit(kRtChannel);
  if (spec.signal_dbm) word0 |= kBit(kRtDbmSignal);
  if (spec.noise_dbm) word0 |= kBit(kRtDbmNoise);
  if (spec.antenna) word0 |= kBit(kRtAntenna);
  if (spec.mcs_index) word0 |= kBit(kRtMcs);
  const size_t chains = spec.chain_signals_dbm.size();
  if (chains > 0) word0 |= kBit(kRtNamespace) | kBit(kRtExt);

  Bytes b = {0, 0, 0, 0};  // version, pad, it_len (patched below)
  PutLe32(&b, word0);
  for (size_t i = 0; i < chains; ++i) {
    uint32_t w = kBit(kRtDbmSignal) | kBit(kRtAntenna);
    // Every chain word but the last restarts the radiotap namespace and chains another word.
    if (i + 1 < chains) w |= kBit(kRtNamespace) | kBit(kRtExt);
    PutLe32(&b, w);
  }
  // Field data, in bit order, each aligned to its natural size relative to the header start.
  if (spec.tsft_us) {
    PadTo(&b, 8);
    PutLe64(&b, *spec.tsft_us);
  }
  if (has_flags) {
    uint8_t f = spec.flags.value_or(0);
    if (spec.fcs_at_end) f |= 0x10;
    if (spec.bad_fcs_flag) f |= 0x40;
    b.push_back(f);
  }
  if (spec.rate_500kbps) b.push_back(*spec.rate_500kbps);
  if (spec.freq_mhz) {
    PadTo(&b, 2);
    PutLe16(&b, *spec.freq_mhz);
    uint16_t cf = spec.channel_flags;
    if (cf == 0) cf = *spec.freq_mhz < 3000 ? 0x00a0 : 0x0140;  // 2 GHz+CCK / 5 GHz+OFDM
    PutLe16(&b, cf);
  }
  if (spec.signal_dbm) b.push_back(static_cast<uint8_t>(*spec.signal_dbm));
  if (spec.noise_dbm) b.push_back(static_cast<uint8_t>(*spec.noise_dbm));
  if (spec.antenna) b.push_back(*spec.antenna);
  if (spec.mcs_index) {
    b.push_back(spec.mcs_known);
    b.push_back(spec.mcs_flags);
    b.push_back(*spec.mcs_index);
  }
  for (size_t i = 0; i < chains; ++i) {
    b.push_back(static_cast<uint8_t>(spec.chain_signals_dbm[i]));
    b.push_back(static_cast<uint8_t>(i));
  }
  SetLe16(&b, 2, spec.override_length.value_or(static_cast<uint16_t>(b.size())));
  return b;
}

ElementWriter& ElementWriter::Raw(uint8_t id, const std::vector<uint8_t>& body) {
  bytes_.push_back(id);
  bytes_.push_back(static_cast<uint8_t>(body.size()));
  bytes_.insert(bytes_.end(), body.begin(), body.end());
  return *this;
}

ElementWriter& ElementWriter::Ssid(std::string_view ssid) {
  return Raw(0, Bytes(ssid.begin(), ssid.end()));
}

ElementWriter& ElementWriter::Rates(const std::vector<uint8_t>& rates) {
  const size_t first = rates.size() < 8 ? rates.size() : 8;
  Raw(1, Bytes(rates.begin(), rates.begin() + static_cast<std::ptrdiff_t>(first)));
  if (rates.size() > 8) Raw(50, Bytes(rates.begin() + 8, rates.end()));
  return *this;
}

ElementWriter& ElementWriter::DsChannel(uint8_t channel) { return Raw(3, {channel}); }

ElementWriter& ElementWriter::Tim(uint8_t dtim_count, uint8_t dtim_period) {
  return Raw(5, {dtim_count, dtim_period, 0, 0});
}

ElementWriter& ElementWriter::Rsn(uint8_t group, const std::vector<uint8_t>& pairwise,
                                  const std::vector<uint8_t>& akm) {
  Bytes body;
  PutLe16(&body, 1);  // version
  body.insert(body.end(), {0x00, 0x0f, 0xac, group});
  PutLe16(&body, static_cast<uint16_t>(pairwise.size()));
  for (uint8_t t : pairwise) body.insert(body.end(), {0x00, 0x0f, 0xac, t});
  PutLe16(&body, static_cast<uint16_t>(akm.size()));
  for (uint8_t t : akm) body.insert(body.end(), {0x00, 0x0f, 0xac, t});
  PutLe16(&body, 0x000c);  // RSN capabilities
  return Raw(48, body);
}

ElementWriter& ElementWriter::HtCaps(uint16_t caps_info) {
  Bytes body;
  PutLe16(&body, caps_info);
  body.push_back(0x1b);                         // A-MPDU parameters
  body.insert(body.end(), {0xff, 0xff, 0, 0});  // RX MCS bitmask: MCS 0-15
  body.resize(2 + 1 + 16, 0);                   // rest of the supported MCS set
  body.resize(26, 0);  // HT extended caps (2), TxBF caps (4), ASEL caps (1)
  return Raw(45, body);
}

ElementWriter& ElementWriter::VhtCaps(uint32_t caps_info) {
  Bytes body;
  PutLe32(&body, caps_info);
  body.insert(body.end(), {0xfa, 0xff, 0, 0, 0xfa, 0xff, 0, 0});  // MCS/NSS map
  return Raw(191, body);
}

ElementWriter& ElementWriter::ExtCaps(const std::vector<uint8_t>& bits) { return Raw(127, bits); }

ElementWriter& ElementWriter::HeCaps() {
  Bytes body = {35};  // element id extension: HE capabilities
  body.insert(body.end(), {0x01, 0x08, 0x00, 0x00, 0x00, 0x00});      // HE MAC caps (6)
  body.insert(body.end(), {0x22, 0x20, 0x02, 0xc0, 0x0f, 0x03, 0x95,  // HE PHY caps (11)
                           0x18, 0x00, 0xcc, 0x00});
  body.insert(body.end(), {0xfa, 0xff, 0xfa, 0xff});  // MCS/NSS <= 80 MHz
  return Raw(255, body);
}

ElementWriter& ElementWriter::Vendor(uint32_t oui, uint8_t type, const std::vector<uint8_t>& data) {
  Bytes body = {static_cast<uint8_t>(oui >> 16), static_cast<uint8_t>(oui >> 8),
                static_cast<uint8_t>(oui), type};
  body.insert(body.end(), data.begin(), data.end());
  return Raw(221, body);
}

ElementWriter& ElementWriter::Overrun(uint8_t id, uint8_t claimed_len,
                                      const std::vector<uint8_t>& actual) {
  bytes_.push_back(id);
  bytes_.push_back(claimed_len);
  bytes_.insert(bytes_.end(), actual.begin(), actual.end());
  return *this;
}

size_t MacHeaderLength(const MacFrameSpec& spec) {
  if (spec.type == kCtrl) {
    return (spec.subtype == kSubAck || spec.subtype == kSubCts) ? 10 : 16;
  }
  size_t len = 24;
  const bool is_data = spec.type == kData;
  const bool qos = is_data && (spec.subtype & 0x8) != 0;
  if (is_data && (spec.flags & kFlagToDs) && (spec.flags & kFlagFromDs)) len += 6;
  if (qos) len += 2;
  if ((spec.flags & kFlagOrder) && (qos || spec.type == kMgmt)) len += 4;
  return len;
}

Bytes BuildMacFrame(const MacFrameSpec& spec) {
  Bytes b;
  b.reserve(MacHeaderLength(spec) + spec.body.size());
  b.push_back(static_cast<uint8_t>((spec.subtype << 4) | (spec.type << 2)));
  b.push_back(spec.flags);
  PutLe16(&b, spec.duration);
  PutMac(&b, spec.addr1);
  if (spec.type == kCtrl) {
    if (spec.subtype != kSubAck && spec.subtype != kSubCts) PutMac(&b, spec.addr2);
  } else {
    PutMac(&b, spec.addr2);
    PutMac(&b, spec.addr3);
    PutLe16(&b, static_cast<uint16_t>(((spec.seq & 0x0fff) << 4) | (spec.frag & 0xf)));
    const bool is_data = spec.type == kData;
    const bool qos = is_data && (spec.subtype & 0x8) != 0;
    if (is_data && (spec.flags & kFlagToDs) && (spec.flags & kFlagFromDs)) PutMac(&b, spec.addr4);
    if (qos) PutLe16(&b, spec.qos_control);
    if ((spec.flags & kFlagOrder) && (qos || spec.type == kMgmt)) PutLe32(&b, spec.ht_control);
  }
  b.insert(b.end(), spec.body.begin(), spec.body.end());
  return b;
}

MacFrameSpec Beacon(const Mac& bssid, const Bytes& elements, uint64_t timestamp_us,
                    uint16_t interval_tu, uint16_t capability) {
  MacFrameSpec s;
  s.type = kMgmt;
  s.subtype = kSubBeacon;
  s.addr1 = kBroadcast;
  s.addr2 = s.addr3 = bssid;
  s.body = BeaconLikeBody(elements, timestamp_us, interval_tu, capability);
  return s;
}

MacFrameSpec ProbeResponse(const Mac& bssid, const Mac& client, const Bytes& elements,
                           uint64_t timestamp_us) {
  MacFrameSpec s;
  s.type = kMgmt;
  s.subtype = kSubProbeResp;
  s.duration = 314;
  s.addr1 = client;
  s.addr2 = s.addr3 = bssid;
  s.body = BeaconLikeBody(elements, timestamp_us, 100, 0x0411);
  return s;
}

MacFrameSpec ProbeRequest(const Mac& sa, const Bytes& elements, const Mac& da, const Mac& bssid) {
  MacFrameSpec s;
  s.type = kMgmt;
  s.subtype = kSubProbeReq;
  s.addr1 = da;
  s.addr2 = sa;
  s.addr3 = bssid;
  s.body = elements;
  return s;
}

MacFrameSpec Authentication(const Mac& sa, const Mac& da, const Mac& bssid, uint16_t seq_no,
                            uint16_t algorithm, uint16_t status) {
  MacFrameSpec s;
  s.type = kMgmt;
  s.subtype = kSubAuth;
  s.duration = 314;
  s.addr1 = da;
  s.addr2 = sa;
  s.addr3 = bssid;
  PutLe16(&s.body, algorithm);
  PutLe16(&s.body, seq_no);
  PutLe16(&s.body, status);
  return s;
}

MacFrameSpec AssocRequest(const Mac& client, const Mac& bssid, const Bytes& elements) {
  MacFrameSpec s;
  s.type = kMgmt;
  s.subtype = kSubAssocReq;
  s.duration = 314;
  s.addr1 = s.addr3 = bssid;
  s.addr2 = client;
  PutLe16(&s.body, 0x0431);  // capability
  PutLe16(&s.body, 10);      // listen interval
  s.body.insert(s.body.end(), elements.begin(), elements.end());
  return s;
}

MacFrameSpec AssocResponse(const Mac& bssid, const Mac& client, const Bytes& elements,
                           uint16_t aid) {
  MacFrameSpec s;
  s.type = kMgmt;
  s.subtype = kSubAssocResp;
  s.duration = 314;
  s.addr1 = client;
  s.addr2 = s.addr3 = bssid;
  PutLe16(&s.body, 0x0411);
  PutLe16(&s.body, 0);  // status: success
  PutLe16(&s.body, static_cast<uint16_t>(aid | 0xc000));
  s.body.insert(s.body.end(), elements.begin(), elements.end());
  return s;
}

MacFrameSpec Ack(const Mac& ra) {
  MacFrameSpec s;
  s.type = kCtrl;
  s.subtype = kSubAck;
  s.addr1 = ra;
  return s;
}

MacFrameSpec Cts(const Mac& ra) {
  MacFrameSpec s;
  s.type = kCtrl;
  s.subtype = kSubCts;
  s.duration = 200;
  s.addr1 = ra;
  return s;
}

MacFrameSpec Rts(const Mac& ra, const Mac& ta) {
  MacFrameSpec s;
  s.type = kCtrl;
  s.subtype = kSubRts;
  s.duration = 300;
  s.addr1 = ra;
  s.addr2 = ta;
  return s;
}

MacFrameSpec BlockAck(const Mac& ra, const Mac& ta, uint16_t start_seq) {
  MacFrameSpec s;
  s.type = kCtrl;
  s.subtype = kSubBlockAck;
  s.addr1 = ra;
  s.addr2 = ta;
  PutLe16(&s.body, 0x0005);  // BA control: immediate policy, compressed bitmap
  PutLe16(&s.body, static_cast<uint16_t>(start_seq << 4));
  s.body.insert(s.body.end(), {0xff, 0xff, 0, 0, 0, 0, 0, 0});
  return s;
}

MacFrameSpec Data(const Mac& sta, const Mac& bssid, const Mac& other, bool to_ds, bool qos,
                  const Bytes& payload) {
  MacFrameSpec s;
  s.type = kData;
  s.subtype = qos ? 8 : 0;
  s.duration = 44;
  if (to_ds) {
    s.flags = kFlagToDs;
    s.addr1 = bssid;
    s.addr2 = sta;
  } else {
    s.flags = kFlagFromDs;
    s.addr1 = sta;
    s.addr2 = bssid;
  }
  s.addr3 = other;
  // LLC/SNAP header for IPv4, then the payload.
  s.body = Fixed({0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00});
  s.body.insert(s.body.end(), payload.begin(), payload.end());
  return s;
}

void ProtectCcmp(MacFrameSpec* spec, uint64_t pn) {
  Bytes body = {static_cast<uint8_t>(pn),
                static_cast<uint8_t>(pn >> 8),
                0x00,
                0x20,  // reserved, ExtIV | key id 0
                static_cast<uint8_t>(pn >> 16),
                static_cast<uint8_t>(pn >> 24),
                static_cast<uint8_t>(pn >> 32),
                static_cast<uint8_t>(pn >> 40)};
  body.insert(body.end(), spec->body.begin(), spec->body.end());
  body.insert(body.end(), 8, 0x5a);  // MIC
  spec->body = std::move(body);
  spec->flags |= kFlagProtected;
}

void ProtectWep(MacFrameSpec* spec, uint32_t iv) {
  Bytes body = {static_cast<uint8_t>(iv), static_cast<uint8_t>(iv >> 8),
                static_cast<uint8_t>(iv >> 16), 0x00};
  body.insert(body.end(), spec->body.begin(), spec->body.end());
  body.insert(body.end(), 4, 0xa5);  // ICV
  spec->body = std::move(body);
  spec->flags |= kFlagProtected;
}

void ProtectTkip(MacFrameSpec* spec, uint64_t tsc) {
  const uint8_t tsc1 = static_cast<uint8_t>(tsc >> 8);
  Bytes body = {tsc1,
                static_cast<uint8_t>((tsc1 | 0x20) & 0x7f),
                static_cast<uint8_t>(tsc),
                0x20,
                static_cast<uint8_t>(tsc >> 16),
                static_cast<uint8_t>(tsc >> 24),
                static_cast<uint8_t>(tsc >> 32),
                static_cast<uint8_t>(tsc >> 40)};
  body.insert(body.end(), spec->body.begin(), spec->body.end());
  body.insert(body.end(), 12, 0x3c);  // MIC + ICV
  spec->body = std::move(body);
  spec->flags |= kFlagProtected;
}

uint32_t Fcs(const uint8_t* data, size_t len) {
  uLong crc = crc32(0L, Z_NULL, 0);
  return static_cast<uint32_t>(crc32(crc, data, static_cast<uInt>(len)));
}

Bytes BuildPacket(const PacketSpec& spec) {
  Bytes out;
  if (spec.radiotap) {
    RadiotapSpec rt = *spec.radiotap;
    if (spec.with_fcs) rt.fcs_at_end = true;
    out = BuildRadiotap(rt);
  }
  const Bytes mac = BuildMacFrame(spec.mac);
  out.insert(out.end(), mac.begin(), mac.end());
  if (spec.with_fcs) {
    uint32_t fcs = Fcs(mac.data(), mac.size());
    if (spec.corrupt_fcs) fcs = ~fcs;
    PutLe32(&out, fcs);
  }
  return out;
}

}  // namespace airfleet::framegen
