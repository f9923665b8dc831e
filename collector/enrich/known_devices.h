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
// Pseudonymised batches (agent/privacy/, Batch.privacy): the agent replaced every MAC with an
// HMAC pseudonym under the key of a rotation period (common/pseudonym.h). Given the same key file
// (SetPseudonymKey), the collector hashes the registry with the key of every period it has seen
// in a batch (NotePseudonymPeriod, persisted in the meta table under "known-period/") and
// match_snapshot() answers for raw MACs and pseudonyms alike, so EnrichDevice needs no change.
// The pseudonymised views are rebuilt when the registry or the set of periods changes: cost =
// registry size x periods HMACs (~3.5 us each measured: 1000 devices x 365 daily periods ~ 1.3 s
// CPU once, then cached).
// A pseudonym equal to a registered raw MAC (probability ~2^-46 per pair, 2^-22 with the vendor
// prefix kept) resolves to the raw registration.
//
// Threading: thread-safe; writes are serialised.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "airfleet/v1/batch.pb.h"
#include "airfleet/v1/ingest.pb.h"
#include "collector/store/store.h"
#include "common/pseudonym.h"

namespace airfleet::collector {

inline constexpr size_t kMaxKnownNameLength = 128;
inline constexpr size_t kMaxKnownTags = 32;
inline constexpr size_t kMaxKnownTagLength = 64;

// INVALID_ARGUMENT naming the problem: a group or zero MAC (never a device), an empty or
// overlong name or owner, too many tags, an empty tag, or a tag containing ';' or ',' (the
// separators of the CSV import/list forms).
absl::Status ValidateKnownDevice(const v1::KnownDevice& device);

// The pseudonymisation parameters of a batch, as far as matching needs them.
struct PseudonymParams {
  int64_t rotation_start_ns = 0;
  bool keep_vendor_prefix = false;
  friend bool operator<(const PseudonymParams& a, const PseudonymParams& b) {
    return a.rotation_start_ns != b.rotation_start_ns ? a.rotation_start_ns < b.rotation_start_ns
                                                      : a.keep_vendor_prefix < b.keep_vendor_prefix;
  }
};

class KnownDevices {
 public:
  using Map = absl::flat_hash_map<uint64_t, v1::KnownDevice>;

  // `known` keyed by pseudonym under `key` (the KnownDevice values keep their raw mac).
  static Map Pseudonymised(const Map& known, const pseudonym::PeriodKey& key,
                           bool keep_vendor_prefix);

  struct PutResult {
    uint32_t added = 0;
    uint32_t replaced = 0;
  };

  // Loads the registry from `store`, which must outlive this object.
  static absl::StatusOr<std::unique_ptr<KnownDevices>> Open(Store* store, NowNsFn now_ns);

  // Never null; immutable.
  std::shared_ptr<const Map> snapshot() const;

  // The key file's bytes (collector --privacy-key-file). INVALID_ARGUMENT when too short.
  absl::Status SetPseudonymKey(std::string file_key);
  bool has_pseudonym_key() const;
  // A committed batch was pseudonymised with these parameters. Cheap when already known; a new
  // period is persisted (synced) and invalidates the match view.
  absl::Status NotePseudonymPeriod(const v1::PrivacyInfo& info);
  // The registry keyed by raw MAC plus, with a key set, by its pseudonym in every noted period.
  // Never null; immutable.
  std::shared_ptr<const Map> match_snapshot() const;
  // Lookup of one address seen in a batch with `params` (nullptr = raw). Null when unknown.
  std::optional<v1::KnownDevice> Lookup(uint64_t mac, const PseudonymParams* params) const;

  // Validates every device, then upserts them all in one synced write (all or none). A MAC twice
  // in `devices` is INVALID_ARGUMENT. UNSPECIFIED kinds are stored as KNOWN.
  absl::StatusOr<PutResult> Put(std::vector<v1::KnownDevice> devices);
  // NOT_FOUND if `mac` is not registered.
  absl::Status Remove(uint64_t mac);
  // Every device, by MAC.
  std::vector<v1::KnownDevice> List() const;

 private:
  KnownDevices(Store* store, NowNsFn now_ns, std::shared_ptr<const Map> map,
               absl::btree_set<PseudonymParams> periods)
      : store_(store),
        now_ns_(std::move(now_ns)),
        map_(std::move(map)),
        periods_(std::move(periods)) {}

  Store* const store_;
  const NowNsFn now_ns_;
  std::mutex write_mu_;  // serialises Put/Remove (read-modify-write of the map)
  mutable std::mutex map_mu_;
  std::shared_ptr<const Map> map_;  // guarded by map_mu_

  mutable std::mutex privacy_mu_;
  std::string pseudonym_key_;                 // guarded by privacy_mu_
  absl::btree_set<PseudonymParams> periods_;  // guarded by privacy_mu_
  // The match view and the registry map it was built from (rebuilt when either changes).
  mutable std::shared_ptr<const Map> match_;       // guarded by privacy_mu_
  mutable std::shared_ptr<const Map> match_base_;  // guarded by privacy_mu_
};

}  // namespace airfleet::collector
