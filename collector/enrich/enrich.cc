#include "collector/enrich/enrich.h"

#include <algorithm>
#include <string_view>

#include "absl/strings/ascii.h"

namespace airfleet::collector {
namespace {

// Debian's Abseil has no StrContainsIgnoreCase; this one does not allocate either.
bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  auto it =
      std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                  [](char a, char b) { return absl::ascii_tolower(a) == absl::ascii_tolower(b); });
  return it != haystack.end() || needle.empty();
}

}  // namespace

void EnrichDevice(const OuiTable& vendors, const KnownDevices::Map& known, v1::DeviceInfo* device) {
  std::string_view vendor = vendors.Lookup(device->mac());
  device->set_vendor(vendor.data(), vendor.size());
  auto it = known.find(device->mac());
  if (it == known.end()) {
    device->set_known(v1::KNOWN_KIND_UNSPECIFIED);
    device->clear_name();
    return;
  }
  device->set_known(it->second.kind());
  device->set_name(it->second.name());
}

DeviceFilter DeviceFilter::FromRequest(const v1::ListDevicesRequest& request) {
  DeviceFilter f;
  f.vendor_contains = request.vendor_contains();
  f.randomised_only = request.randomised_only();
  f.known_only = request.known_only();
  f.first_seen_since_ns = request.first_seen_since_ns();
  f.first_seen_until_ns = request.first_seen_until_ns();
  f.quiet_since_ns = request.quiet_since_ns();
  f.has_min_signal = request.has_min_signal();
  f.min_signal_dbm = request.min_signal_dbm();
  return f;
}

bool MatchesFilter(const v1::DeviceInfo& device, const DeviceFilter& filter) {
  if (filter.randomised_only && !device.randomised()) return false;
  if (filter.known_only && device.known() == v1::KNOWN_KIND_UNSPECIFIED) return false;
  if (device.first_seen_ns() < filter.first_seen_since_ns) return false;
  if (filter.first_seen_until_ns != 0 && device.first_seen_ns() >= filter.first_seen_until_ns) {
    return false;
  }
  if (filter.quiet_since_ns != 0 && device.last_seen_ns() >= filter.quiet_since_ns) return false;
  if (filter.has_min_signal &&
      (!device.has_signal() || device.signal_max_dbm() < filter.min_signal_dbm)) {
    return false;
  }
  if (!filter.vendor_contains.empty() &&
      !ContainsIgnoreCase(device.vendor(), filter.vendor_contains)) {
    return false;
  }
  return true;
}

}  // namespace airfleet::collector
