#include "agent/dissect/ieee80211.h"

#include "agent/dissect/elements.h"

namespace airfleet::dissect {
namespace {

// Frame control flag bits (second octet of the frame control field, shifted into a u16).
constexpr uint16_t kFcToDs = 0x0100;
constexpr uint16_t kFcFromDs = 0x0200;
constexpr uint16_t kFcMoreFragments = 0x0400;
constexpr uint16_t kFcRetry = 0x0800;
constexpr uint16_t kFcPowerMgmt = 0x1000;
constexpr uint16_t kFcMoreData = 0x2000;
constexpr uint16_t kFcProtected = 0x4000;
constexpr uint16_t kFcOrder = 0x8000;

// Control frame subtypes.
constexpr uint8_t kCtrlTrigger = 2;
constexpr uint8_t kCtrlCfExtension = 6;
constexpr uint8_t kCtrlWrapper = 7;
constexpr uint8_t kCtrlPsPoll = 10;
constexpr uint8_t kCtrlCts = 12;
constexpr uint8_t kCtrlAck = 13;
constexpr uint8_t kCtrlCfEnd = 14;

// Management subtypes without a constant in frame.h.
constexpr uint8_t kMgmtTimingAdvertisement = 6;
constexpr uint8_t kMgmtAtim = 9;
constexpr uint8_t kMgmtDisassoc = 10;
constexpr uint8_t kMgmtAuth = 11;
constexpr uint8_t kMgmtDeauth = 12;
constexpr uint8_t kMgmtActionNoAck = 14;

constexpr uint16_t kAuthAlgorithmSae = 3;

constexpr size_t kAddr1 = 4;
constexpr size_t kAddr2 = 10;
constexpr size_t kAddr3 = 16;
constexpr size_t kSeqCtl = 22;
constexpr size_t kAddr4 = 24;

inline uint16_t Le16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (static_cast<uint16_t>(p[1]) << 8));
}

// Clears everything ParseMacFrame owns, so a reused Frame never shows stale MAC fields. The
// Elements block is left alone unless has_elements is set (ParseElements resets it itself).
void ResetMacFields(Frame* f) {
  f->has_mac_header = false;
  f->frame_control = 0;
  f->type = 0;
  f->subtype = 0;
  f->to_ds = f->from_ds = f->more_fragments = f->retry = false;
  f->power_mgmt = f->more_data = f->protected_frame = f->order = false;
  f->duration = 0;
  f->has_ta = f->has_ra = f->has_sa = f->has_da = f->has_bssid = false;
  f->ta = f->ra = f->sa = f->da = f->bssid = Mac{};
  f->has_seq = false;
  f->seq = 0;
  f->frag = 0;
  f->has_qos = false;
  f->qos_control = 0;
  f->has_htc = false;
  f->protection = Protection::kOpen;
  f->has_elements = false;
}

// Whether a control frame carries a TA after its RA, as Wireshark 4.0 reads it. For a control
// frame extension (802.11ad DMG control frames) the flags octet holds the extension subtype:
// Poll, SPR, Grant, DMG CTS, Grant Ack, SSW, SSW-Feedback and SSW-Ack carry a TA; DMG DTS
// (NAV-SA/NAV-DA instead) and the reserved values do not.
bool ControlHasTa(uint8_t subtype, uint8_t flags_octet) {
  switch (subtype) {
    case 0:
    case 1:  // reserved
    case kCtrlCts:
    case kCtrlAck:
      return false;
    case kCtrlCfExtension: {
      const uint8_t ext = flags_octet & 0x0f;
      return ext >= 2 && ext <= 10 && ext != 6;
    }
    default:
      return true;
  }
}

bool IsReservedSubtype(uint8_t type, uint8_t subtype, uint8_t flags_octet) {
  switch (type) {
    case kTypeManagement:
      return subtype == 7 || subtype == 15;
    case kTypeControl:
      if (subtype == kCtrlCfExtension) {
        const uint8_t ext = flags_octet & 0x0f;
        return ext < 2 || ext > 10;
      }
      return subtype < kCtrlTrigger;
    case kTypeData:
      return subtype == 13;
    default:  // extension: DMG beacon (0) and S1G beacon (1) are defined
      return subtype > 1;
  }
}

// Control-frame address roles as Wireshark 4.0 assigns them. `a2` is null when the frame has
// (or, truncated, shows) only the receiver address.
void ControlAddresses(uint8_t subtype, const uint8_t* a1, const uint8_t* a2, Frame* f) {
  f->has_ra = true;
  f->ra = Mac::FromBytes(a1);
  if (subtype == kCtrlPsPoll) {  // addr1 is the BSSID (also the receiver)
    f->has_bssid = true;
    f->bssid = f->ra;
  }
  if (a2 == nullptr) return;
  if (subtype == kCtrlCfEnd) {  // addr2 is the BSSID (but CF-End+CF-Ack's is a TA)
    f->has_bssid = true;
    f->bssid = Mac::FromBytes(a2);
  } else {
    f->has_ta = true;
    f->ta = Mac::FromBytes(a2);
  }
}

// Reads the 4-byte (Ext)IV at the start of a protected body.
Protection ClassifyProtection(const uint8_t* body, size_t len) {
  if (len < 4) return Protection::kUnknown;
  if ((body[3] & 0x20) == 0) return Protection::kWep;
  // TKIP: octets are TSC1, WEPSeed[1] = (TSC1 | 0x20) & 0x7f, TSC0, key id. CCMP/GCMP: PN0, PN1,
  // a reserved zero octet, key id. The WEPSeed rule alone also matches 1 in 256 CCMP packet
  // numbers, so TKIP additionally needs a non-zero third octet (CCMP's is always zero). The
  // price: TKIP frames whose TSC0 is 0 (1 in 256) read as CCMP; TKIP is deprecated, CCMP is not.
  if (body[1] == ((body[0] | 0x20) & 0x7f) && body[2] != 0) return Protection::kTkip;
  return Protection::kCcmpGcmp;
}

// The fixed parameters in front of a management body's elements, and whether we parse the
// elements that follow (only for the subtypes the summariser reads).
struct MgmtLayout {
  size_t fixed;
  bool elements;
};

MgmtLayout ManagementLayout(uint8_t subtype) {
  switch (subtype) {
    case kMgmtAssocRequest:
      return {4, true};  // capability + listen interval
    case kMgmtAssocResponse:
    case kMgmtReassocResponse:
      return {6, true};  // capability + status + AID
    case kMgmtReassocRequest:
      return {10, true};  // capability + listen interval + current AP
    case kMgmtProbeRequest:
      return {0, true};
    case kMgmtProbeResponse:
    case kMgmtBeacon:
      return {12, true};  // timestamp + beacon interval + capability
    case kMgmtTimingAdvertisement:
      return {10, false};  // timestamp + capability
    case kMgmtAuth:
      return {6, true};  // algorithm + transaction sequence + status
    case kMgmtDisassoc:
    case kMgmtDeauth:
      return {2, false};  // reason code
    case kMgmtAction:
    case kMgmtActionNoAck:
      return {1, false};  // category
    case kMgmtAtim:
    default:
      return {0, false};
  }
}

// Offset of the elements in an action body whose layout is "category, action, dialog token,
// elements", 0 for the actions we do not read. Radio Measurement (category 5) neighbour report
// request/response carry an SSID element that tshark shows, hence the conformance need.
size_t ActionElementsOffset(const uint8_t* body, size_t body_len) {
  constexpr uint8_t kCategoryRadioMeasurement = 5;
  constexpr uint8_t kNeighborReportRequest = 4;
  constexpr uint8_t kNeighborReportResponse = 5;
  if (body_len < 3 || body[0] != kCategoryRadioMeasurement) return 0;
  if (body[1] != kNeighborReportRequest && body[1] != kNeighborReportResponse) return 0;
  return 3;
}

}  // namespace

Anomaly ParseMacFrame(const uint8_t* data, size_t len, Frame* out) {
  ResetMacFields(out);
  auto fail = [out](Anomaly a) {
    if (out->anomaly == Anomaly::kNone) out->anomaly = a;
    return a;
  };
  if (data == nullptr || len < 2) return fail(Anomaly::kMacHeaderTruncated);

  const uint16_t fc = Le16(data);
  out->frame_control = fc;
  out->type = static_cast<uint8_t>((fc >> 2) & 0x3);
  out->subtype = static_cast<uint8_t>((fc >> 4) & 0xf);
  out->to_ds = (fc & kFcToDs) != 0;
  out->from_ds = (fc & kFcFromDs) != 0;
  out->more_fragments = (fc & kFcMoreFragments) != 0;
  out->retry = (fc & kFcRetry) != 0;
  out->power_mgmt = (fc & kFcPowerMgmt) != 0;
  out->more_data = (fc & kFcMoreData) != 0;
  out->protected_frame = (fc & kFcProtected) != 0;
  out->order = (fc & kFcOrder) != 0;
  const uint8_t type = out->type;
  const uint8_t subtype = out->subtype;

  if (len >= 4) out->duration = Le16(data + 2);
  // Protocol versions 1 (802.11ah PV1 short frames) and 2-3 lay out the header differently; we
  // do not decode them (has_mac_header stays false).
  if ((fc & 0x3) != 0) return fail(Anomaly::kReservedFrameType);
  if (len < 10) return fail(Anomaly::kMacHeaderTruncated);
  out->has_mac_header = true;
  const uint8_t flags_octet = data[1];
  const uint8_t* a1 = data + kAddr1;
  const Anomaly reserved =
      IsReservedSubtype(type, subtype, flags_octet) ? Anomaly::kReservedFrameType : Anomaly::kNone;

  if (type == kTypeControl) {
    if (subtype == kCtrlWrapper) {
      // FC, duration, addr1, carried frame control, HT control (16 bytes), then the carried
      // frame's fields after its own addr1. Addresses take the carried frame's roles.
      if (len < 12) return fail(Anomaly::kMacHeaderTruncated);
      const uint8_t carried = static_cast<uint8_t>((data[10] >> 4) & 0xf);
      // A wrapper inside a wrapper is not unwrapped again: RA only.
      const bool has_ta = carried != kCtrlWrapper && ControlHasTa(carried, data[11]);
      const size_t hdr = has_ta ? 22 : 16;
      ControlAddresses(carried, a1, has_ta && len >= hdr ? data + 16 : nullptr, out);
      if (len < hdr) return fail(Anomaly::kMacHeaderTruncated);
      out->has_htc = true;
      return Anomaly::kNone;
    }
    const bool has_ta = ControlHasTa(subtype, flags_octet);
    const size_t hdr = has_ta ? 16 : 10;
    ControlAddresses(subtype, a1, has_ta && len >= hdr ? data + kAddr2 : nullptr, out);
    if (len < hdr) return fail(Anomaly::kMacHeaderTruncated);
    return reserved == Anomaly::kNone ? Anomaly::kNone : fail(reserved);
  }

  if (type == kTypeExtension) {
    // FC, duration, one address; the body is not parsed. A DMG beacon's address is its BSSID,
    // an S1G beacon's its source.
    out->has_ra = true;
    out->ra = Mac::FromBytes(a1);
    if (subtype == 0) {
      out->has_bssid = true;
      out->bssid = out->ra;
    } else if (subtype == 1) {
      out->has_sa = true;
      out->sa = out->ra;
    }
    return reserved == Anomaly::kNone ? Anomaly::kNone : fail(reserved);
  }

  // Management and data.
  const bool is_data = type == kTypeData;
  const bool four_addr = is_data && out->to_ds && out->from_ds;
  const bool qos = is_data && (subtype & 0x8) != 0;
  const size_t addr_end = four_addr ? 30 : 24;
  size_t hdr = addr_end;
  if (qos) hdr += 2;
  const bool htc = out->order && (qos || type == kTypeManagement);
  if (htc) hdr += 4;

  if (qos && len < addr_end + 2) {
    // Wireshark reads QoS control before anything else of a QoS data header and shows no
    // address at all when it is missing.
    return fail(Anomaly::kMacHeaderTruncated);
  }
  if (len < addr_end) {
    // Wireshark shows only addr1 (as RA) for a header cut before its last address.
    out->has_ra = true;
    out->ra = Mac::FromBytes(a1);
    return fail(Anomaly::kMacHeaderTruncated);
  }
  const uint8_t* a2 = data + kAddr2;
  const uint8_t* a3 = data + kAddr3;
  const uint16_t seq_ctl = Le16(data + kSeqCtl);
  out->has_seq = true;
  out->seq = static_cast<uint16_t>(seq_ctl >> 4);
  out->frag = static_cast<uint8_t>(seq_ctl & 0xf);
  if (qos) {
    out->has_qos = true;
    out->qos_control = Le16(data + addr_end);
  }
  // An A-MSDU's header leaves SA/DA to the subframes (802.11-2020 Table 9-30), so Wireshark
  // fills them from the first subframe header when it can read it.
  const bool amsdu = qos && (out->qos_control & 0x80) != 0;

  out->has_ra = out->has_ta = true;
  out->ra = Mac::FromBytes(a1);
  out->ta = Mac::FromBytes(a2);
  out->has_bssid = true;
  if (!is_data || (!out->to_ds && !out->from_ds)) {
    out->has_da = out->has_sa = true;
    out->da = out->ra;
    out->sa = out->ta;
    out->bssid = Mac::FromBytes(a3);
  } else if (!out->from_ds) {  // ToDS: BSSID, SA, DA
    out->bssid = out->ra;
    out->has_sa = true;
    out->sa = out->ta;
    if (!amsdu) {
      out->has_da = true;
      out->da = Mac::FromBytes(a3);
    }
  } else if (!out->to_ds) {  // FromDS: DA, BSSID, SA
    out->has_da = true;
    out->da = out->ra;
    out->bssid = out->ta;
    if (!amsdu) {
      out->has_sa = true;
      out->sa = Mac::FromBytes(a3);
    }
  } else if (amsdu) {  // RA, TA, BSSID, BSSID
    out->bssid = Mac::FromBytes(a3);
  } else {  // RA, TA, DA, SA: Wireshark names no BSSID here
    out->has_bssid = false;
    out->has_da = out->has_sa = true;
    out->da = Mac::FromBytes(a3);
    out->sa = Mac::FromBytes(data + kAddr4);
  }

  if (len < hdr) return fail(Anomaly::kMacHeaderTruncated);  // only HT control is missing
  out->has_htc = htc;
  const uint8_t* body = data + hdr;
  const size_t body_len = len - hdr;

  if (is_data) {
    // Subtypes with bit 2 set (Null, CF-Ack/Poll without data, QoS Null ...) carry no body.
    const bool has_body = (subtype & 0x4) == 0;
    if (out->protected_frame) {
      if (has_body) out->protection = ClassifyProtection(body, body_len);
    } else if (amsdu && has_body && body_len >= 14) {
      if (!out->has_da) {
        out->has_da = true;
        out->da = Mac::FromBytes(body);
      }
      if (!out->has_sa) {
        out->has_sa = true;
        out->sa = Mac::FromBytes(body + 6);
      }
    }
    return reserved == Anomaly::kNone ? Anomaly::kNone : fail(reserved);
  }

  // Management body.
  if (out->protected_frame) {
    // Encrypted body (shared-key authentication frame 3, protected management frames): only the
    // IV is readable.
    out->protection = ClassifyProtection(body, body_len);
    return reserved == Anomaly::kNone ? Anomaly::kNone : fail(reserved);
  }
  if (reserved != Anomaly::kNone) return fail(reserved);
  const MgmtLayout layout = ManagementLayout(subtype);
  if (body_len < layout.fixed) return fail(Anomaly::kBodyTruncated);
  const bool action = subtype == kMgmtAction || subtype == kMgmtActionNoAck;
  if (!layout.elements && !action) return Anomaly::kNone;
  // SAE (algorithm 3) authentication carries commit/confirm fields whose size depends on the
  // group, not elements; skip the body rather than misread scalars as elements.
  if (subtype == kMgmtAuth && Le16(body) == kAuthAlgorithmSae) return Anomaly::kNone;
  size_t fixed = layout.fixed;
  if (action) {
    fixed = ActionElementsOffset(body, body_len);
    if (fixed == 0) return Anomaly::kNone;
  }
  out->has_elements = true;
  const Anomaly a = ParseElements(body + fixed, body_len - fixed, &out->elements);
  return a == Anomaly::kNone ? a : fail(a);
}

}  // namespace airfleet::dissect
