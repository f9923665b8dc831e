#pragma once

// The 802.11 MAC frame: header, address roles, management fixed parameters, data protection.
// Input is the frame without radio header and without FCS.
//
// Contract: pure, no allocation, never reads outside [data, data+len), never throws. Pointers
// stored in *out (elements.ssid, elements.mesh_id) point into `data`.
//
// Address roles reproduce what Wireshark 4.0 puts in wlan.ra/ta/sa/da/bssid (first occurrence),
// determined by running tshark over the real captures and over built frames of every
// type/subtype/DS/truncation combination:
//  - Management (any DS bits): RA=DA=addr1, TA=SA=addr2, BSSID=addr3.
//  - Data, DS 00: RA=DA=a1, TA=SA=a2, BSSID=a3.  ToDS: RA=BSSID=a1, TA=SA=a2, DA=a3.
//    FromDS: RA=DA=a1, TA=BSSID=a2, SA=a3.  Both: RA=a1, TA=a2, DA=a3, SA=a4, no BSSID.
//    A-MSDU (QoS bit 7): the header's a3 (and a4) are BSSIDs, so DA (ToDS), SA (FromDS) or both
//    (4-address, BSSID=a3) come from the first A-MSDU subframe header, and stay unset when the
//    frame is protected. The Mesh Control Present bit is ignored, as Wireshark does by default.
//  - Control: RA=a1; TA=a2 for RTS, BlockAckReq, BlockAck, CF-End+CF-Ack, Trigger, TACK,
//    Beamforming Report Poll, NDP Announcement and DMG control extensions Poll/SPR/Grant/DMG CTS/
//    Grant Ack/SSW/SSW-Feedback/SSW-Ack; PS-Poll: BSSID=a1, TA=a2; CF-End: BSSID=a2; CTS, ACK,
//    reserved subtypes and DMG DTS: RA only. Control wrapper: carried frame's roles, its TA at 16.
//  - Extension: DMG beacon BSSID=RA=a1; S1G beacon SA=RA=a1; other subtypes RA only.
//  - Truncated headers: fewer than 10 bytes: no address; a management/data header cut before
//    its last address: RA only; a QoS data header without its QoS field: no address at all.
//  - Protocol version != 0: nothing decoded beyond frame_control (kReservedFrameType).
//
// Header lengths: ACK/CTS 10, other control 16 (wrapper 16 + carried TA), extension 10,
// management 24 (+4 HT control when Order is set), data 24 (+6 with both DS bits, +2 for QoS
// subtypes, +4 HT control when Order is set on a QoS subtype). In control extension frames
// (subtype 6) the flags octet is the extension subtype, so the flag bools are meaningless there.
//
// Management bodies: fixed parameters per subtype (beacon/probe response 12, assoc request 4,
// reassoc request 10, assoc/reassoc response 6, auth 6, deauth/disassoc 2, action 1, timing
// advertisement 10); a shorter body is kBodyTruncated. Elements are parsed (has_elements) for
// beacon, probe request/response, (re)assoc request/response and non-SAE authentication frames
// that are not protected. `protection` is read from the IV of protected data frames with a body
// and of protected management frames.

#include <cstddef>
#include <cstdint>

#include "agent/dissect/frame.h"

namespace airfleet::dissect {

// Fills the MAC fields of *out (frame_control ... protection, has_elements/elements) and returns
// the first anomaly, also storing it in out->anomaly unless an earlier one (e.g. from the radio
// header) is already there. Every MAC field is reset first; out->elements is meaningful only
// when has_elements is set. Does not touch out->radio, timestamps, mac_frame or FCS fields.
Anomaly ParseMacFrame(const uint8_t* data, size_t len, Frame* out);

}  // namespace airfleet::dissect
