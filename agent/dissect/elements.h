#pragma once

// Information elements (tag, length, value) of a management frame body.
//
// Contract: pure, no allocation, never reads outside [data, data+len). Pointers stored in
// Elements (ssid, mesh_id) point into `data` and live as long as the caller's buffer.
//
// Field semantics (see also frame.h):
//  - ssid / mesh_id: the first SSID / Mesh ID element wins (later duplicates are ignored).
//  - num_rates: how many entries of rates[] are valid: supported (1) then extended supported
//    rates (50) bytes, in frame order, capped at 16.
//  - rsn_pairwise_count / rsn_akm_count: suites actually present in the element (never more than
//    the count field claims), saturating at 255; the first 4 of each are kept as OUI << 8 | type.
//  - num_vendor: vendor elements seen (saturating at 255); the first kMaxVendorElements kept.
//  - has_* is set only for an element at least as long as its fixed part; a shorter one makes
//    the result kElementMalformed and parsing continues with the next element.
//
// Fingerprint (Elements.fingerprint, carried on the wire as DeviceWindow.probe_fingerprint; this
// definition is part of the wire contract, change it only with a new schema version):
//   A descriptor byte string D is built from the elements in frame order. Every element
//   contributes  [id] [k] [k payload bytes]  where id is the element id and the payload is
//     - ids 1 (rates), 50 (extended rates), 45 (HT caps), 191 (VHT caps), 127 (extended caps):
//       the whole element body (k = length);
//     - id 221 (vendor specific): the first min(length, 4) bytes, i.e. OUI and vendor type;
//     - id 255 (element id extension): the extension id byte, followed for extension ids 35
//       (HE capabilities) and 108 (EHT capabilities) by the rest of the body (k = length);
//       for other extension ids only the extension id (k = 1; k = 0 for an empty element);
//     - any other id (SSID, DS parameter set, TIM, RSN, country, ...): nothing (k = 0).
//   So SSID text, channel, TIM and other per-frame state never change the fingerprint, while
//   element order, vendor OUIs/types and capability bits do.
//   An element that overruns the body ends D (it is not included).
//   H(D): split D into 8-byte little-endian words, the last one zero-padded. With
//     P1 = 0x9E3779B185EBCA87, P2 = 0xC2B2AE3D27D4EB4F, h = 0x27D4EB2F165667C5:
//     for each word w:  h = rotl64(h ^ (w * P2), 31) * P1
//     then h ^= |D| (byte length), and h = fmix64(h) (MurmurHash3's finaliser:
//     h ^= h >> 33; h *= 0xff51afd7ed558ccd; h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53; h ^= h >> 33).
//   fingerprint = 0 when there is no element at all; otherwise H(D), with 0 replaced by 1.

#include <cstddef>
#include <cstdint>

#include "agent/dissect/frame.h"

namespace airfleet::dissect {

// Parses every element in [data, data+len) into *out (reset first), computing the fingerprint.
// Elements before an overrun are kept; returns the first of kElementOverrun / kElementMalformed,
// or kNone.
Anomaly ParseElements(const uint8_t* data, size_t len, Elements* out);

}  // namespace airfleet::dissect
