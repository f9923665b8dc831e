#pragma once

// The known-device registry: MAC -> {name, owner, kind (known | guest), tags}, edited by
// operators through the Admin API and read at query time to label devices.
//
// Persistence: the store's meta table, key "known/" + mac (8 bytes big-endian), value a
// serialized v1::KnownDevice. The meta table (rather than a new column family) keeps the store's
// layout and ingest path untouched; the registry is small and only read at startup.
//
// The whole registry is also held in memory as an immutable map behind a shared_ptr: readers
// take snapshot() once per request (no lock per lookup); writers write the store first (synced)
// and then swap in a new map, so the cache never shows what the store does not have.
//
// Threading: thread-safe; writes are serialised.

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "airfleet/v1/ingest.pb.h"
#include "collector/store/store.h"

namespace airfleet::collector {

inline constexpr size_t kMaxKnownNameLength = 128;
inline constexpr size_t kMaxKnownTags = 32;
inline constexpr size_t kMaxKnownTagLength = 64;

// INVALID_ARGUMENT naming the problem: a group or zero MAC (never a device), an empty or
// overlong name or owner, too many tags, an empty tag, or a tag containing ';' or ',' (the
// separators of the CSV import/list forms).
absl::Status ValidateKnownDevice(const v1::KnownDevice& device);

class KnownDevices {
 public:
  using Map = absl::flat_hash_map<uint64_t, v1::KnownDevice>;

  struct PutResult {
    uint32_t added = 0;
    uint32_t replaced = 0;
  };

  // Loads the registry from `store`, which must outlive this object.
  static absl::StatusOr<std::unique_ptr<KnownDevices>> Open(Store* store, NowNsFn now_ns);

  // Never null; immutable.
  std::shared_ptr<const Map> snapshot() const;

  // Validates every device, then upserts them all in one synced write (all or none). A MAC twice
  // in `devices` is INVALID_ARGUMENT. UNSPECIFIED kinds are stored as KNOWN.
  absl::StatusOr<PutResult> Put(std::vector<v1::KnownDevice> devices);
  // NOT_FOUND if `mac` is not registered.
  absl::Status Remove(uint64_t mac);
  // Every device, by MAC.
  std::vector<v1::KnownDevice> List() const;

 private:
  KnownDevices(Store* store, NowNsFn now_ns, std::shared_ptr<const Map> map)
      : store_(store), now_ns_(std::move(now_ns)), map_(std::move(map)) {}

  Store* const store_;
  const NowNsFn now_ns_;
  std::mutex write_mu_;  // serialises Put/Remove (read-modify-write of the map)
  mutable std::mutex map_mu_;
  std::shared_ptr<const Map> map_;  // guarded by map_mu_
};

}  // namespace airfleet::collector
