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
  return std::unique_ptr<KnownDevices>(new KnownDevices(store, std::move(now_ns), std::move(map)));
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
