#pragma once

// The per-device and per-(device, SSID) accumulators of one open window, and their conversion to
// the wire messages (proto/airfleet/v1/summary.proto). Fixed-size, trivially copyable structs so
// the summariser can keep them in reused vectors without per-frame allocation.
//
// Bounds (no field of summary.proto has an overflow counter for these, so they are documented
// here): a device keeps at most kMaxChannels distinct channels per window and a probe
// observation at most kMaxProbeChannels channels and kMaxProbeDestinations destinations (the
// proto's cap); further distinct values are not recorded. SSIDs longer than 32 bytes (invalid,
// IEEE 802.11 caps them at 32) are truncated to 32.

#include <cstdint>
#include <string_view>

#include "agent/dissect/frame.h"
#include "airfleet/v1/summary.pb.h"

namespace airfleet::summarise {

inline constexpr int kMaxChannels = 16;
inline constexpr int kMaxProbeChannels = 8;
// Distinct (type, subtype) keys kept inline per device; a device rarely uses more than ~10. The
// summariser keeps further keys in a per-window side table (see WindowSummariser).
inline constexpr int kInlineSubtypes = 12;
inline constexpr int kMaxProbeDestinations = 8;
inline constexpr int kMaxSsidLen = 32;
inline constexpr uint8_t kWildcardOrdinal = 0xff;

struct DeviceState {
  uint64_t mac = 0;
  int64_t first_ns = 0, last_ns = 0;  // of transmitted frames
  uint64_t bytes = 0;
  uint32_t frames = 0, retries = 0, data_frames = 0, received_only = 0;
  uint32_t probe_requests = 0, wildcard_probes = 0, beacons = 0, probed_overflow = 0;
  uint32_t encryption = 0;
  uint32_t signal_count = 0, noise_count = 0;
  int32_t signal_min = 0, signal_max = 0;
  int64_t signal_sum = 0, noise_sum = 0;
  uint64_t ap_bssid = 0, client_bssid = 0, probe_fingerprint = 0;
  uint16_t first_seq = 0, last_seq = 0;
  bool has_seq = false;
  uint8_t num_channels = 0;
  uint8_t num_probed_ssids = 0;  // directed SSIDs kept (their ProbeState ordinals 0..n-1)
  uint8_t ap_ssid_len = 0;
  uint8_t num_subtypes = 0;
  uint8_t ap_ssid[kMaxSsidLen] = {};
  uint16_t channels[kMaxChannels] = {};        // ascending
  uint8_t subtype_keys[kInlineSubtypes] = {};  // type << 4 | subtype, in order of first use
  uint32_t subtype_counts[kInlineSubtypes] = {};
};

struct ProbeState {
  uint64_t mac = 0;
  uint8_t ssid_len = 0;
  uint8_t ssid[kMaxSsidLen] = {};
  uint8_t ordinal = kWildcardOrdinal;  // order of first appearance among directed SSIDs
  uint8_t num_destinations = 0;
  uint8_t num_channels = 0;
  uint32_t count = 0;
  int64_t first_ns = 0, last_ns = 0;
  uint32_t signal_count = 0;
  int32_t signal_min = 0, signal_max = 0;
  int64_t signal_sum = 0;
  uint64_t fingerprint = 0;
  bool has_seq = false;
  uint16_t first_seq = 0, last_seq = 0;
  uint8_t destinations[kMaxProbeDestinations][6] = {};  // MAC octets
  uint16_t channels[kMaxProbeChannels] = {};            // ascending

  std::string_view ssid_view() const { return {reinterpret_cast<const char*>(ssid), ssid_len}; }
};

// Folds a frame the device transmitted into its state (everything but the probe table).
// Returns false when its (type, subtype) key did not fit inline: the caller counts it elsewhere.
bool AddTransmitted(const dissect::Frame& f, DeviceState* d);
// Folds one probe request into its (device, SSID) state.
void AddProbe(const dissect::Frame& f, ProbeState* p);

// Inserts v into the ascending array a[0..*n) of capacity cap, unless present or full.
void InsertSorted(uint16_t v, uint16_t* a, uint8_t* n, int cap);

// Wire conversion. window_start_ns is the window's start; offsets are microseconds from it.
// extra_subtypes[k] adds to the count of key k (the keys that did not fit inline); may be null.
void ToProto(const DeviceState& d, int64_t window_start_ns, uint32_t window_ms,
             const uint32_t* extra_subtypes, v1::DeviceWindow* out);
void ToProto(const ProbeState& p, int64_t window_start_ns, v1::ProbeObservation* out);

}  // namespace airfleet::summarise
