#pragma once

// Query-time enrichment of devices for the Admin API: vendor from the OUI table, kind and name
// from the known-device registry, and the ListDevices filters that depend on them.
//
// Enrichment happens when an operator asks, not at ingest: ingest stays as fast as before, and a
// registry edit or a vendor-file update applies to every stored device at once.
//
// Pure functions over immutable snapshots (see OuiTable, KnownDevices::snapshot()).

#include <string>

#include "airfleet/v1/ingest.pb.h"
#include "collector/enrich/known_devices.h"
#include "collector/enrich/oui_table.h"

namespace airfleet::collector {

// Sets device->vendor, known and name (clearing stale values).
void EnrichDevice(const OuiTable& vendors, const KnownDevices::Map& known, v1::DeviceInfo* device);

struct DeviceFilter {
  std::string vendor_contains;  // case-insensitive substring of the vendor; "" = any
  bool randomised_only = false;
  bool known_only = false;          // registered as known or guest
  int64_t first_seen_since_ns = 0;  // first seen in [since, until); 0 = unbounded
  int64_t first_seen_until_ns = 0;
  int64_t quiet_since_ns = 0;   // last seen before this; 0 = no filter
  bool has_min_signal = false;  // strongest signal (signal_max_dbm) >= min_signal_dbm;
  int32_t min_signal_dbm = 0;   // a device without any signal never passes

  // From the request's filter fields.
  static DeviceFilter FromRequest(const v1::ListDevicesRequest& request);
};

// Whether an enriched device passes `filter`.
bool MatchesFilter(const v1::DeviceInfo& device, const DeviceFilter& filter);

}  // namespace airfleet::collector
