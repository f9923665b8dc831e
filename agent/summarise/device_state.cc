#include "agent/summarise/device_state.h"

#include <cstring>

namespace airfleet::summarise {
namespace {

uint32_t EncryptionBit(const dissect::Frame& f) {
  if (!f.protected_frame) return v1::ENCRYPTION_OPEN;
  switch (f.protection) {
    case dissect::Protection::kWep:
      return v1::ENCRYPTION_WEP;
    case dissect::Protection::kTkip:
      return v1::ENCRYPTION_TKIP;
    case dissect::Protection::kCcmpGcmp:
      return v1::ENCRYPTION_CCMP_GCMP;
    default:  // protected but too short to read the IV: no claim either way
      return 0;
  }
}

// The BSSID this frame says the device talks to, when the device is a client of it.
bool ClientBssid(const dissect::Frame& f, uint64_t self, uint64_t* out) {
  if (!f.has_bssid || f.bssid.IsGroup() || f.bssid.IsZero()) return false;
  const uint64_t b = f.bssid.ToU64();
  if (b == self) return false;  // the device is the AP itself
  *out = b;
  return true;
}

// Bytes of the 802.11 frame on air, FCS excluded. A record cut by the snap length still counts
// its full length; the stripped-off remainder may include an FCS, which radiotap tells us.
uint64_t FrameBytes(const dissect::Frame& f) {
  uint64_t n = f.mac_frame_len;
  if (f.original_len > f.captured_len) {
    uint64_t missing = f.original_len - f.captured_len;
    if (!f.has_fcs && f.radio.fcs_at_end && missing >= 4) missing -= 4;
    n += missing;
  }
  return n;
}

}  // namespace

void InsertSorted(uint16_t v, uint16_t* a, uint8_t* n, int cap) {
  int i = 0;
  while (i < *n && a[i] < v) ++i;
  if (i < *n && a[i] == v) return;
  if (*n >= cap) return;
  for (int j = *n; j > i; --j) a[j] = a[j - 1];
  a[i] = v;
  ++*n;
}

bool AddTransmitted(const dissect::Frame& f, DeviceState* d) {
  if (d->frames == 0) d->first_ns = f.timestamp_ns;
  // Frames may arrive slightly out of order (within the grace); keep the true extremes.
  if (f.timestamp_ns < d->first_ns) d->first_ns = f.timestamp_ns;
  if (f.timestamp_ns > d->last_ns || d->frames == 0) d->last_ns = f.timestamp_ns;
  ++d->frames;
  d->bytes += FrameBytes(f);
  if (f.retry) ++d->retries;
  const uint8_t key = static_cast<uint8_t>((f.type & 3) << 4 | (f.subtype & 0xf));
  bool counted = false;
  for (int i = 0; i < d->num_subtypes; ++i) {
    if (d->subtype_keys[i] == key) {
      ++d->subtype_counts[i];
      counted = true;
      break;
    }
  }
  if (!counted && d->num_subtypes < kInlineSubtypes) {
    d->subtype_keys[d->num_subtypes] = key;
    d->subtype_counts[d->num_subtypes++] = 1;
    counted = true;
  }
  if (f.radio.has_signal) {
    const int32_t s = f.radio.signal_dbm;
    if (d->signal_count == 0 || s < d->signal_min) d->signal_min = s;
    if (d->signal_count == 0 || s > d->signal_max) d->signal_max = s;
    d->signal_sum += s;
    ++d->signal_count;
  }
  if (f.radio.has_noise) {
    d->noise_sum += f.radio.noise_dbm;
    ++d->noise_count;
  }
  if (f.radio.has_freq && f.radio.freq_mhz != 0) {
    InsertSorted(f.radio.freq_mhz, d->channels, &d->num_channels, kMaxChannels);
  }
  if (f.has_seq) {
    if (!d->has_seq) d->first_seq = f.seq;
    d->has_seq = true;
    d->last_seq = f.seq;
  }

  if (f.type == dissect::kTypeData) {
    ++d->data_frames;
    ClientBssid(f, d->mac, &d->client_bssid);
    // Subtypes with bit 2 set (Null, QoS Null, CF-Ack/Poll without data) carry no body, so they
    // say nothing about encryption.
    if ((f.subtype & 0x4) == 0) d->encryption |= EncryptionBit(f);
    return counted;
  }
  if (f.type != dissect::kTypeManagement) return counted;
  switch (f.subtype) {
    case dissect::kMgmtBeacon:
    case dissect::kMgmtProbeResponse:
      if (f.subtype == dissect::kMgmtBeacon) ++d->beacons;
      if (f.has_bssid) d->ap_bssid = f.bssid.ToU64();
      // Hidden networks beacon an empty (or zeroed) SSID and answer probes with the real one:
      // keep the last non-empty SSID.
      if (f.has_elements && f.elements.has_ssid && f.elements.ssid_len > 0) {
        const uint8_t len =
            f.elements.ssid_len > kMaxSsidLen ? uint8_t{kMaxSsidLen} : f.elements.ssid_len;
        std::memcpy(d->ap_ssid, f.elements.ssid, len);
        d->ap_ssid_len = len;
      }
      break;
    case dissect::kMgmtAssocRequest:
    case dissect::kMgmtReassocRequest:
      ClientBssid(f, d->mac, &d->client_bssid);
      break;
    case dissect::kMgmtProbeRequest:
      ++d->probe_requests;
      if (!f.has_elements || !f.elements.has_ssid || f.elements.ssid_len == 0) {
        ++d->wildcard_probes;
      }
      if (d->probe_fingerprint == 0 && f.has_elements) {
        d->probe_fingerprint = f.elements.fingerprint;
      }
      break;
    default:
      break;
  }
  return counted;
}

void AddProbe(const dissect::Frame& f, ProbeState* p) {
  if (p->count == 0 || f.timestamp_ns < p->first_ns) p->first_ns = f.timestamp_ns;
  if (p->count == 0 || f.timestamp_ns > p->last_ns) p->last_ns = f.timestamp_ns;
  ++p->count;
  if (f.radio.has_signal) {
    const int32_t s = f.radio.signal_dbm;
    if (p->signal_count == 0 || s < p->signal_min) p->signal_min = s;
    if (p->signal_count == 0 || s > p->signal_max) p->signal_max = s;
    p->signal_sum += s;
    ++p->signal_count;
  }
  if (p->fingerprint == 0 && f.has_elements) p->fingerprint = f.elements.fingerprint;
  if (f.has_ra) {
    bool seen = false;
    for (int i = 0; i < p->num_destinations && !seen; ++i) {
      seen = std::memcmp(p->destinations[i], f.ra.octets.data(), 6) == 0;
    }
    if (!seen && p->num_destinations < kMaxProbeDestinations) {
      std::memcpy(p->destinations[p->num_destinations++], f.ra.octets.data(), 6);
    }
  }
  if (f.radio.has_freq && f.radio.freq_mhz != 0) {
    InsertSorted(f.radio.freq_mhz, p->channels, &p->num_channels, kMaxProbeChannels);
  }
  if (f.has_seq) {
    if (!p->has_seq) p->first_seq = f.seq;
    p->has_seq = true;
    p->last_seq = f.seq;
  }
}

void ToProto(const DeviceState& d, int64_t window_start_ns, uint32_t window_ms,
             const uint32_t* extra_subtypes, v1::DeviceWindow* out) {
  out->set_mac(d.mac);
  out->set_window_start_ns(window_start_ns);
  out->set_window_ms(window_ms);
  if (d.frames > 0) {
    out->set_first_offset_us(static_cast<uint32_t>((d.first_ns - window_start_ns) / 1000));
    out->set_last_offset_us(static_cast<uint32_t>((d.last_ns - window_start_ns) / 1000));
  }
  out->set_frames(d.frames);
  out->set_bytes(d.bytes);
  out->set_retries(d.retries);
  uint32_t counts[64] = {};
  for (int i = 0; i < d.num_subtypes; ++i) counts[d.subtype_keys[i]] += d.subtype_counts[i];
  if (extra_subtypes != nullptr) {
    for (int k = 0; k < 64; ++k) counts[k] += extra_subtypes[k];
  }
  for (uint32_t k = 0; k < 64; ++k) {
    if (counts[k] == 0) continue;
    out->add_subtype_keys(k);
    out->add_subtype_counts(counts[k]);
  }
  if (d.signal_count > 0) {
    out->set_signal_min_dbm(d.signal_min);
    out->set_signal_max_dbm(d.signal_max);
    out->set_signal_sum_dbm(d.signal_sum);
    out->set_signal_count(d.signal_count);
  }
  out->set_noise_sum_dbm(d.noise_sum);
  out->set_noise_count(d.noise_count);
  for (int i = 0; i < d.num_channels; ++i) out->add_channels_mhz(d.channels[i]);
  // probed_ssids are filled by the caller, who owns the probe table.
  out->set_probed_ssids_overflow(d.probed_overflow);
  out->set_probe_requests(d.probe_requests);
  out->set_wildcard_probes(d.wildcard_probes);
  if (d.ap_ssid_len > 0) {
    out->set_ap_ssid(reinterpret_cast<const char*>(d.ap_ssid), d.ap_ssid_len);
  }
  out->set_ap_bssid(d.ap_bssid);
  out->set_beacons(d.beacons);
  out->set_client_bssid(d.client_bssid);
  out->set_received_only_frames(d.received_only);
  out->set_encryption(d.encryption);
  out->set_probe_fingerprint(d.probe_fingerprint);
  if (d.has_seq) {
    out->set_first_seq(d.first_seq);
    out->set_last_seq(d.last_seq);
    out->set_has_seq(true);
  }
  out->set_randomised((d.mac >> 40 & 0x02) != 0);
  out->set_data_frames(d.data_frames);
}

void ToProto(const ProbeState& p, int64_t window_start_ns, v1::ProbeObservation* out) {
  out->set_mac(p.mac);
  out->set_window_start_ns(window_start_ns);
  out->set_ssid(reinterpret_cast<const char*>(p.ssid), p.ssid_len);
  out->set_count(p.count);
  out->set_first_offset_us(static_cast<uint32_t>((p.first_ns - window_start_ns) / 1000));
  out->set_last_offset_us(static_cast<uint32_t>((p.last_ns - window_start_ns) / 1000));
  if (p.signal_count > 0) {
    out->set_signal_min_dbm(p.signal_min);
    out->set_signal_max_dbm(p.signal_max);
    out->set_signal_sum_dbm(p.signal_sum);
    out->set_signal_count(p.signal_count);
  }
  out->set_fingerprint(p.fingerprint);
  for (int i = 0; i < p.num_destinations; ++i) {
    out->add_destinations(Mac::FromBytes(p.destinations[i]).ToU64());
  }
  for (int i = 0; i < p.num_channels; ++i) out->add_channels_mhz(p.channels[i]);
  if (p.has_seq) {
    out->set_first_seq(p.first_seq);
    out->set_last_seq(p.last_seq);
  }
}

}  // namespace airfleet::summarise
