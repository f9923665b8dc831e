#include "collector/enrich/known_devices.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "collector/store/keys.h"
#include "common/mac.h"
#include "common/status_macros.h"

namespace airfleet::collector {
namespace {

constexpr char kPrefix[] = "known/";
// + rotation_start_ns (8 bytes big-endian) + keep_vendor_prefix (1 byte).
constexpr char kPeriodPrefix[] = "known-period/";

std::string PeriodKey(const PseudonymParams& p) {
  std::string key = kPeriodPrefix;
  keys::AppendU64(&key, static_cast<uint64_t>(p.rotation_start_ns));
  key.push_back(p.keep_vendor_prefix ? 1 : 0);
  return key;
}

std::string KnownKey(uint64_t mac) {
  std::string key = kPrefix;
  keys::AppendU64(&key, mac);
  return key;
}

std::string MacText(uint64_t mac) { return Mac::FromU64(mac).ToString(); }

}  // namespace

absl::Status ValidateKnownDevice(const v1::KnownDevice& d) {
  const Mac mac = Mac::FromU64(d.mac());
  const std::string who = MacText(d.mac());
  if ((d.mac() >> 48) != 0 || mac.IsZero() || mac.IsGroup()) {
    return absl::InvalidArgumentError(absl::StrCat(
        who, ": not a device address (zero, multicast or broadcast addresses never transmit)"));
  }
  if (d.name().empty()) return absl::InvalidArgumentError(absl::StrCat(who, ": name is empty"));
  if (d.name().size() > kMaxKnownNameLength || d.owner().size() > kMaxKnownNameLength) {
    return absl::InvalidArgumentError(
        absl::StrCat(who, ": name and owner are at most ", kMaxKnownNameLength, " bytes"));
  }
  if (d.kind() != v1::KNOWN_KIND_UNSPECIFIED && d.kind() != v1::KNOWN_KIND_KNOWN &&
      d.kind() != v1::KNOWN_KIND_GUEST) {
    return absl::InvalidArgumentError(absl::StrCat(who, ": unknown kind ", d.kind()));
  }
  if (static_cast<size_t>(d.tags_size()) > kMaxKnownTags) {
    return absl::InvalidArgumentError(absl::StrCat(who, ": at most ", kMaxKnownTags, " tags"));
  }
  for (const std::string& tag : d.tags()) {
    if (tag.empty() || tag.size() > kMaxKnownTagLength ||
        tag.find_first_of(";,") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(who, ": bad tag '", tag, "' (1 to ",
                                                     kMaxKnownTagLength, " bytes, no ';' or ',')"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<KnownDevices>> KnownDevices::Open(Store* store, NowNsFn now_ns) {
  AF_ASSIGN_OR_RETURN(auto records, store->ScanMeta(kPrefix));
  auto map = std::make_shared<Map>();
  for (const auto& [key, value] : records) {
    v1::KnownDevice d;
    if (!d.ParseFromString(value)) {
      return absl::DataLossError(
          absl::StrCat("corrupt known-device record ", absl::CHexEscape(key)));
    }
    (*map)[d.mac()] = std::move(d);
  }
  AF_ASSIGN_OR_RETURN(auto period_records, store->ScanMeta(kPeriodPrefix));
  absl::btree_set<PseudonymParams> periods;
  const size_t prefix_len = sizeof(kPeriodPrefix) - 1;
  for (const auto& [key, value] : period_records) {
    if (key.size() != prefix_len + 9) {
      return absl::DataLossError(
          absl::StrCat("corrupt pseudonym period record ", absl::CHexEscape(key)));
    }
    PseudonymParams p;
    uint64_t start = 0;
    for (size_t i = 0; i < 8; ++i) start = (start << 8) | static_cast<uint8_t>(key[prefix_len + i]);
    p.rotation_start_ns = static_cast<int64_t>(start);
    p.keep_vendor_prefix = key[prefix_len + 8] != 0;
    periods.insert(p);
  }
  return std::unique_ptr<KnownDevices>(
      new KnownDevices(store, std::move(now_ns), std::move(map), std::move(periods)));
}

KnownDevices::Map KnownDevices::Pseudonymised(const Map& known, const pseudonym::PeriodKey& key,
                                              bool keep_vendor_prefix) {
  Map out;
  out.reserve(known.size());
  for (const auto& [mac, device] : known) {
    out.emplace(pseudonym::PseudonymiseMac(key, mac, keep_vendor_prefix), device);
  }
  return out;
}

absl::Status KnownDevices::SetPseudonymKey(std::string file_key) {
  AF_RETURN_IF_ERROR(pseudonym::DerivePeriodKey(file_key, 0).status());
  std::lock_guard<std::mutex> lock(privacy_mu_);
  pseudonym_key_ = std::move(file_key);
  match_.reset();
  return absl::OkStatus();
}

bool KnownDevices::has_pseudonym_key() const {
  std::lock_guard<std::mutex> lock(privacy_mu_);
  return !pseudonym_key_.empty();
}

absl::Status KnownDevices::NotePseudonymPeriod(const v1::PrivacyInfo& info) {
  if (info.mode() != v1::PRIVACY_MODE_PSEUDONYMISE) return absl::OkStatus();
  PseudonymParams p{info.rotation_start_ns(), info.keep_vendor_prefix()};
  {
    std::lock_guard<std::mutex> lock(privacy_mu_);
    if (periods_.contains(p)) return absl::OkStatus();
  }
  AF_RETURN_IF_ERROR(store_->WriteMeta({{PeriodKey(p), std::string("1")}}));
  std::lock_guard<std::mutex> lock(privacy_mu_);
  periods_.insert(p);
  match_.reset();
  return absl::OkStatus();
}

std::shared_ptr<const KnownDevices::Map> KnownDevices::match_snapshot() const {
  std::shared_ptr<const Map> base = snapshot();
  std::lock_guard<std::mutex> lock(privacy_mu_);
  if (pseudonym_key_.empty() || periods_.empty()) return base;
  if (match_ && match_base_ == base) return match_;
  auto view = std::make_shared<Map>(*base);
  for (const PseudonymParams& p : periods_) {
    auto key = pseudonym::DerivePeriodKey(pseudonym_key_, p.rotation_start_ns);
    if (!key.ok()) continue;  // SetPseudonymKey checked the length
    // Raw registrations win over a colliding pseudonym (emplace keeps the first).
    for (auto& [pseudonym, device] : Pseudonymised(*base, *key, p.keep_vendor_prefix)) {
      view->emplace(pseudonym, std::move(device));
    }
  }
  match_ = std::move(view);
  match_base_ = std::move(base);
  return match_;
}

std::optional<v1::KnownDevice> KnownDevices::Lookup(uint64_t mac,
                                                    const PseudonymParams* params) const {
  std::shared_ptr<const Map> base = snapshot();
  if (params == nullptr) {
    auto it = base->find(mac);
    if (it == base->end()) return std::nullopt;
    return it->second;
  }
  std::string file_key;
  {
    std::lock_guard<std::mutex> lock(privacy_mu_);
    file_key = pseudonym_key_;
  }
  auto key = pseudonym::DerivePeriodKey(file_key, params->rotation_start_ns);
  if (!key.ok()) return std::nullopt;
  for (const auto& [raw, device] : *base) {
    if (pseudonym::PseudonymiseMac(*key, raw, params->keep_vendor_prefix) == mac) return device;
  }
  return std::nullopt;
}

std::shared_ptr<const KnownDevices::Map> KnownDevices::snapshot() const {
  std::lock_guard<std::mutex> lock(map_mu_);
  return map_;
}

absl::StatusOr<KnownDevices::PutResult> KnownDevices::Put(std::vector<v1::KnownDevice> devices) {
  absl::flat_hash_map<uint64_t, size_t> seen;
  for (size_t i = 0; i < devices.size(); ++i) {
    AF_RETURN_IF_ERROR(ValidateKnownDevice(devices[i]));
    if (!seen.emplace(devices[i].mac(), i).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(MacText(devices[i].mac()), ": listed twice in one request"));
    }
  }
  std::lock_guard<std::mutex> lock(write_mu_);
  const int64_t now = now_ns_();
  auto next = std::make_shared<Map>(*snapshot());
  PutResult result;
  std::vector<MetaWrite> writes;
  writes.reserve(devices.size());
  for (v1::KnownDevice& d : devices) {
    if (d.kind() == v1::KNOWN_KIND_UNSPECIFIED) d.set_kind(v1::KNOWN_KIND_KNOWN);
    d.set_updated_ns(now);
    writes.push_back({KnownKey(d.mac()), d.SerializeAsString()});
    (next->contains(d.mac()) ? result.replaced : result.added) += 1;
    (*next)[d.mac()] = std::move(d);
  }
  AF_RETURN_IF_ERROR(store_->WriteMeta(writes));
  std::lock_guard<std::mutex> map_lock(map_mu_);
  map_ = std::move(next);
  return result;
}

absl::Status KnownDevices::Remove(uint64_t mac) {
  std::lock_guard<std::mutex> lock(write_mu_);
  std::shared_ptr<const Map> current = snapshot();
  if (!current->contains(mac)) {
    return absl::NotFoundError(absl::StrCat(MacText(mac), " is not in the known-device registry"));
  }
  AF_RETURN_IF_ERROR(store_->WriteMeta({{KnownKey(mac), std::nullopt}}));
  auto next = std::make_shared<Map>(*current);
  next->erase(mac);
  std::lock_guard<std::mutex> map_lock(map_mu_);
  map_ = std::move(next);
  return absl::OkStatus();
}

std::vector<v1::KnownDevice> KnownDevices::List() const {
  std::shared_ptr<const Map> map = snapshot();
  std::vector<v1::KnownDevice> out;
  out.reserve(map->size());
  for (const auto& [mac, d] : *map) out.push_back(d);
  std::sort(out.begin(), out.end(),
            [](const v1::KnownDevice& a, const v1::KnownDevice& b) { return a.mac() < b.mac(); });
  return out;
}

}  // namespace airfleet::collector
