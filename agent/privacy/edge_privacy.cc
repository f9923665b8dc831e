#include "agent/privacy/edge_privacy.h"

#include <algorithm>
#include <utility>

namespace airfleet::privacy {
namespace {

constexpr size_t kMaxDestinations = 8;  // summary.proto: ProbeObservation.destinations cap

template <typename T>
void AddUnique(const T& value, size_t cap, google::protobuf::RepeatedField<T>* field) {
  if (std::find(field->begin(), field->end(), value) != field->end()) return;
  if (static_cast<size_t>(field->size()) < cap) field->Add(value);
}

// Folds `from` (same device, window) into `into`.
void MergeProbe(const v1::ProbeObservation& from, v1::ProbeObservation* into) {
  if (from.first_offset_us() < into->first_offset_us()) {
    into->set_first_offset_us(from.first_offset_us());
    into->set_first_seq(from.first_seq());
  }
  if (from.last_offset_us() > into->last_offset_us()) {
    into->set_last_offset_us(from.last_offset_us());
    into->set_last_seq(from.last_seq());
  }
  into->set_count(into->count() + from.count());
  if (from.signal_count() > 0) {
    if (into->signal_count() == 0) {
      into->set_signal_min_dbm(from.signal_min_dbm());
      into->set_signal_max_dbm(from.signal_max_dbm());
    } else {
      into->set_signal_min_dbm(std::min(into->signal_min_dbm(), from.signal_min_dbm()));
      into->set_signal_max_dbm(std::max(into->signal_max_dbm(), from.signal_max_dbm()));
    }
    into->set_signal_sum_dbm(into->signal_sum_dbm() + from.signal_sum_dbm());
    into->set_signal_count(into->signal_count() + from.signal_count());
  }
  for (uint64_t d : from.destinations())
    AddUnique(d, kMaxDestinations, into->mutable_destinations());
  for (uint32_t c : from.channels_mhz()) AddUnique(c, SIZE_MAX, into->mutable_channels_mhz());
  std::sort(into->mutable_channels_mhz()->begin(), into->mutable_channels_mhz()->end());
}

}  // namespace

absl::StatusOr<std::unique_ptr<EdgePrivacy>> EdgePrivacy::Create(PrivacyOptions options) {
  if (options.mode == PrivacyMode::kOff) {
    if (options.ssids != SsidMode::kKeep) {
      return absl::InvalidArgumentError(
          "--privacy-ssids hash|drop needs --privacy pseudonymise (and its key file)");
    }
    return std::unique_ptr<EdgePrivacy>(new EdgePrivacy(std::move(options)));
  }
  if (options.rotation_period_ns < 0) {
    return absl::InvalidArgumentError("the rotation period must not be negative");
  }
  // Validates the key length with the same message everywhere.
  auto probe = pseudonym::DerivePeriodKey(options.key, 0);
  if (!probe.ok()) return probe.status();
  return std::unique_ptr<EdgePrivacy>(new EdgePrivacy(std::move(options)));
}

v1::PrivacyInfo EdgePrivacy::InfoFor(int64_t window_start_ns) const {
  v1::PrivacyInfo info;
  if (!enabled()) return info;
  info.set_mode(v1::PRIVACY_MODE_PSEUDONYMISE);
  info.set_rotation_start_ns(pseudonym::PeriodStart(window_start_ns, options_.rotation_period_ns));
  info.set_rotation_period_ns(options_.rotation_period_ns);
  info.set_keep_vendor_prefix(options_.keep_vendor_prefix);
  info.set_ssids(options_.ssids == SsidMode::kHash   ? v1::SSID_PRIVACY_HASH
                 : options_.ssids == SsidMode::kDrop ? v1::SSID_PRIVACY_DROP
                                                     : v1::SSID_PRIVACY_KEEP);
  return info;
}

const pseudonym::PeriodKey& EdgePrivacy::KeyFor(int64_t window_start_ns) {
  const int64_t start = pseudonym::PeriodStart(window_start_ns, options_.rotation_period_ns);
  if (!cached_ || cached_->period_start_ns != start) {
    // Create() checked the key length, so derivation cannot fail here.
    cached_ = *pseudonym::DerivePeriodKey(options_.key, start);
  }
  return *cached_;
}

uint64_t EdgePrivacy::Mac(const pseudonym::PeriodKey& key, uint64_t mac) {
  ++counters_.addresses;
  return pseudonym::PseudonymiseMac(key, mac, options_.keep_vendor_prefix);
}

void EdgePrivacy::Ssid(const pseudonym::PeriodKey& key, std::string* ssid) {
  if (ssid->empty()) return;
  if (options_.ssids == SsidMode::kHash) {
    *ssid = pseudonym::HashSsid(key, *ssid);
    ++counters_.ssids_hashed;
  } else if (options_.ssids == SsidMode::kDrop) {
    ssid->clear();
    ++counters_.ssids_dropped;
  }
}

void EdgePrivacy::DropProbeSsids(std::vector<v1::ProbeObservation>* probes) {
  // Input is ascending (MAC, SSID), so one device's observations are adjacent.
  std::vector<v1::ProbeObservation> merged;
  merged.reserve(probes->size());
  for (auto& p : *probes) {
    if (!p.ssid().empty()) {
      p.clear_ssid();
      ++counters_.ssids_dropped;
    }
    if (!merged.empty() && merged.back().mac() == p.mac() &&
        merged.back().window_start_ns() == p.window_start_ns()) {
      MergeProbe(p, &merged.back());
      ++counters_.probes_merged;
      continue;
    }
    merged.push_back(std::move(p));
  }
  *probes = std::move(merged);
}

void EdgePrivacy::Apply(summarise::SealedWindow* window) {
  if (!enabled()) return;
  const pseudonym::PeriodKey& key = KeyFor(window->window_start_ns);
  for (auto& d : window->devices) {
    ++counters_.windows;
    d.set_mac(Mac(key, d.mac()));
    if (d.ap_bssid() != 0) d.set_ap_bssid(Mac(key, d.ap_bssid()));
    if (d.client_bssid() != 0) d.set_client_bssid(Mac(key, d.client_bssid()));
    if (options_.ssids == SsidMode::kDrop) {
      counters_.ssids_dropped += d.probed_ssids_size() + (d.ap_ssid().empty() ? 0 : 1);
      d.clear_probed_ssids();
      d.clear_ap_ssid();
    } else if (options_.ssids == SsidMode::kHash) {
      for (auto& s : *d.mutable_probed_ssids()) Ssid(key, &s);
      Ssid(key, d.mutable_ap_ssid());
    }
  }
  if (options_.ssids == SsidMode::kDrop) DropProbeSsids(&window->probes);
  for (auto& p : window->probes) {
    p.set_mac(Mac(key, p.mac()));
    for (auto& dest : *p.mutable_destinations()) dest = Mac(key, dest);
    if (options_.ssids == SsidMode::kHash) Ssid(key, p.mutable_ssid());
  }
  std::sort(window->devices.begin(), window->devices.end(),
            [](const v1::DeviceWindow& a, const v1::DeviceWindow& b) { return a.mac() < b.mac(); });
  std::sort(window->probes.begin(), window->probes.end(),
            [](const v1::ProbeObservation& a, const v1::ProbeObservation& b) {
              return a.mac() != b.mac() ? a.mac() < b.mac() : a.ssid() < b.ssid();
            });
}

}  // namespace airfleet::privacy
