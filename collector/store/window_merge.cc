#include "collector/store/window_merge.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace airfleet::collector {
namespace {

// Sorted union of two ascending repeated fields, in place into `acc`.
template <typename Repeated>
void SortedUnion(const Repeated& in, Repeated* acc) {
  std::vector<uint32_t> merged;
  merged.reserve(in.size() + acc->size());
  std::set_union(acc->begin(), acc->end(), in.begin(), in.end(), std::back_inserter(merged));
  merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
  acc->Assign(merged.begin(), merged.end());
}

}  // namespace

void MergeDeviceWindow(const v1::DeviceWindow& in, v1::DeviceWindow* acc) {
  if (acc->mac() == 0 && acc->window_start_ns() == 0) {  // nothing to merge into yet
    *acc = in;
    return;
  }
  // Which partial holds the earlier first frame / the later last frame, evaluated before `acc`
  // changes. Ties go to `in` for "latest" fields so a re-sent newer partial wins.
  const bool in_first_earlier = in.first_offset_us() < acc->first_offset_us();
  const bool in_last_later = in.last_offset_us() >= acc->last_offset_us();

  if (acc->mac() == 0) acc->set_mac(in.mac());
  if (acc->window_start_ns() == 0) acc->set_window_start_ns(in.window_start_ns());
  acc->set_window_ms(std::max(acc->window_ms(), in.window_ms()));

  if (in_first_earlier) {
    acc->set_first_offset_us(in.first_offset_us());
  }
  acc->set_last_offset_us(std::max(acc->last_offset_us(), in.last_offset_us()));

  acc->set_frames(acc->frames() + in.frames());
  acc->set_bytes(acc->bytes() + in.bytes());
  acc->set_retries(acc->retries() + in.retries());

  // Subtype histogram: keys ascending, counts aligned; merge as a sorted map.
  if (in.subtype_keys_size() > 0) {
    std::map<uint32_t, uint64_t> hist;
    for (int i = 0; i < acc->subtype_keys_size() && i < acc->subtype_counts_size(); ++i) {
      hist[acc->subtype_keys(i)] += acc->subtype_counts(i);
    }
    for (int i = 0; i < in.subtype_keys_size() && i < in.subtype_counts_size(); ++i) {
      hist[in.subtype_keys(i)] += in.subtype_counts(i);
    }
    acc->clear_subtype_keys();
    acc->clear_subtype_counts();
    for (const auto& [key, count] : hist) {
      acc->add_subtype_keys(key);
      acc->add_subtype_counts(static_cast<uint32_t>(count));
    }
  }

  // Signal min/max are meaningful only where the partial had signal samples.
  if (in.signal_count() > 0) {
    if (acc->signal_count() == 0) {
      acc->set_signal_min_dbm(in.signal_min_dbm());
      acc->set_signal_max_dbm(in.signal_max_dbm());
    } else {
      acc->set_signal_min_dbm(std::min(acc->signal_min_dbm(), in.signal_min_dbm()));
      acc->set_signal_max_dbm(std::max(acc->signal_max_dbm(), in.signal_max_dbm()));
    }
    acc->set_signal_sum_dbm(acc->signal_sum_dbm() + in.signal_sum_dbm());
    acc->set_signal_count(acc->signal_count() + in.signal_count());
  }
  acc->set_noise_sum_dbm(acc->noise_sum_dbm() + in.noise_sum_dbm());
  acc->set_noise_count(acc->noise_count() + in.noise_count());

  SortedUnion(in.channels_mhz(), acc->mutable_channels_mhz());

  // Probed SSIDs: union in order of first appearance (the earlier partial's first), capped.
  uint32_t overflow = acc->probed_ssids_overflow() + in.probed_ssids_overflow();
  if (in.probed_ssids_size() > 0) {
    const auto& earlier = in_first_earlier ? in.probed_ssids() : acc->probed_ssids();
    const auto& later = in_first_earlier ? acc->probed_ssids() : in.probed_ssids();
    std::vector<std::string> merged;
    for (const auto* list : {&earlier, &later}) {
      for (const std::string& ssid : *list) {
        if (std::find(merged.begin(), merged.end(), ssid) != merged.end()) continue;
        if (static_cast<int>(merged.size()) < kMergedProbedSsidCap) {
          merged.push_back(ssid);
        } else {
          ++overflow;
        }
      }
    }
    acc->mutable_probed_ssids()->Assign(merged.begin(), merged.end());
  }
  acc->set_probed_ssids_overflow(overflow);

  acc->set_probe_requests(acc->probe_requests() + in.probe_requests());
  acc->set_wildcard_probes(acc->wildcard_probes() + in.wildcard_probes());
  acc->set_beacons(acc->beacons() + in.beacons());
  acc->set_received_only_frames(acc->received_only_frames() + in.received_only_frames());
  acc->set_data_frames(acc->data_frames() + in.data_frames());
  acc->set_encryption(acc->encryption() | in.encryption());
  acc->set_randomised(acc->randomised() || in.randomised());

  if (!in.ap_ssid().empty() && (in_last_later || acc->ap_ssid().empty())) {
    acc->set_ap_ssid(in.ap_ssid());
  }
  if (in.ap_bssid() != 0 && (in_last_later || acc->ap_bssid() == 0)) {
    acc->set_ap_bssid(in.ap_bssid());
  }
  if (in.client_bssid() != 0 && (in_last_later || acc->client_bssid() == 0)) {
    acc->set_client_bssid(in.client_bssid());
  }
  if (in.probe_fingerprint() != 0 && (in_last_later || acc->probe_fingerprint() == 0)) {
    acc->set_probe_fingerprint(in.probe_fingerprint());
  }

  if (in.has_seq()) {
    if (!acc->has_seq()) {
      acc->set_first_seq(in.first_seq());
      acc->set_last_seq(in.last_seq());
      acc->set_has_seq(true);
    } else {
      if (in_first_earlier) acc->set_first_seq(in.first_seq());
      if (in_last_later) acc->set_last_seq(in.last_seq());
    }
  }
}

void MergeProbeObservation(const v1::ProbeObservation& in, v1::ProbeObservation* acc) {
  if (acc->mac() == 0 && acc->window_start_ns() == 0) {
    *acc = in;
    return;
  }
  const bool in_first_earlier = in.first_offset_us() < acc->first_offset_us();
  const bool in_last_later = in.last_offset_us() >= acc->last_offset_us();

  if (acc->mac() == 0) acc->set_mac(in.mac());
  if (acc->window_start_ns() == 0) acc->set_window_start_ns(in.window_start_ns());
  if (acc->ssid().empty()) acc->set_ssid(in.ssid());
  acc->set_count(acc->count() + in.count());
  if (in_first_earlier) {
    acc->set_first_offset_us(in.first_offset_us());
    acc->set_first_seq(in.first_seq());
  }
  if (in_last_later) {
    acc->set_last_offset_us(in.last_offset_us());
    acc->set_last_seq(in.last_seq());
  }
  if (in.signal_count() > 0) {
    if (acc->signal_count() == 0) {
      acc->set_signal_min_dbm(in.signal_min_dbm());
      acc->set_signal_max_dbm(in.signal_max_dbm());
    } else {
      acc->set_signal_min_dbm(std::min(acc->signal_min_dbm(), in.signal_min_dbm()));
      acc->set_signal_max_dbm(std::max(acc->signal_max_dbm(), in.signal_max_dbm()));
    }
    acc->set_signal_sum_dbm(acc->signal_sum_dbm() + in.signal_sum_dbm());
    acc->set_signal_count(acc->signal_count() + in.signal_count());
  }
  if (in.fingerprint() != 0 && (in_last_later || acc->fingerprint() == 0)) {
    acc->set_fingerprint(in.fingerprint());
  }
  for (uint64_t dest : in.destinations()) {
    if (acc->destinations_size() >= kProbeDestinationCap) break;
    if (std::find(acc->destinations().begin(), acc->destinations().end(), dest) ==
        acc->destinations().end()) {
      acc->add_destinations(dest);
    }
  }
  SortedUnion(in.channels_mhz(), acc->mutable_channels_mhz());
}

}  // namespace airfleet::collector
