#pragma once

// Privacy at the edge: pseudonymises sealed windows before they reach the spool, so neither the
// spool nor the wire ever holds a raw address (docs/privacy.md). Pure: the key arrives as bytes
// (common/key_file.h reads it), no clock (the window's own start picks the rotation period).
//
// Decisions:
//  * Every address field is replaced: DeviceWindow.mac, ap_bssid, client_bssid;
//    ProbeObservation.mac and destinations. The mapping is common/pseudonym.h.
//  * SSIDs (probed_ssids, ap_ssid, ProbeObservation.ssid): keep, hash ("hmac:" + 16 hex) or drop.
//    Drop removes them and merges the probe observations of one device and window into one (an
//    SSID was their only difference), counted in counters().ssids_dropped. The empty wildcard
//    SSID is not a value and stays.
//  * The IE fingerprint (probe_fingerprint, fingerprint) is kept: it is a hash of capability
//    bits and element order, shared by every unit of a phone model and OS version, which is what
//    links a phone's randomised MACs. Limit: a rare model or a unique vendor element makes it
//    close to an identifier within a small site; operators who need more should not run
//    fingerprint clustering on pseudonymised data.
//  * Sequence numbers, signal, channel and counts are kept (not addresses; short-lived).
//  * Rotation: a window uses the key of the period holding its window_start_ns. A window that
//    straddles a boundary (only when the rotation period is not a multiple of the window) is
//    pseudonymised entirely with the key of its start, so one device stays one pseudonym within
//    a window. Batches never mix periods (spool/batch_sealer.h) and carry Batch.privacy.
//  * Pseudonymised windows are re-sorted to keep SealedWindow's ascending order.
//
// Threading: one thread (the capture loop); keeps a one-entry period-key cache.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "agent/summarise/window_summariser.h"
#include "airfleet/v1/batch.pb.h"
#include "common/pseudonym.h"

namespace airfleet::privacy {

enum class PrivacyMode { kOff, kPseudonymise };
enum class SsidMode { kKeep, kHash, kDrop };

struct PrivacyOptions {
  PrivacyMode mode = PrivacyMode::kOff;
  SsidMode ssids = SsidMode::kKeep;
  bool keep_vendor_prefix = false;
  int64_t rotation_period_ns = 0;  // 0 = never (common/pseudonym.h ParseRotation)
  std::string key;                 // key file bytes; required for pseudonymise
};

struct PrivacyCounters {
  uint64_t windows = 0;  // device windows pseudonymised
  uint64_t addresses = 0;
  uint64_t ssids_hashed = 0;
  uint64_t ssids_dropped = 0;
  uint64_t probes_merged = 0;  // probe observations folded into another by SSID drop
};

class EdgePrivacy {
 public:
  // INVALID_ARGUMENT: pseudonymise without a key of at least kMinKeyBytes, or SSID hash/drop
  // with privacy off (hashing needs the key; say --privacy pseudonymise).
  static absl::StatusOr<std::unique_ptr<EdgePrivacy>> Create(PrivacyOptions options);

  bool enabled() const { return options_.mode != PrivacyMode::kOff; }

  // Pseudonymises `window` in place. No-op when off.
  void Apply(summarise::SealedWindow* window);

  // What Batch.privacy says for summaries of the window starting at `window_start_ns`.
  v1::PrivacyInfo InfoFor(int64_t window_start_ns) const;
  // InfoFor(window_start_ns).rotation_start_ns(), without building the message.
  int64_t RotationStart(int64_t window_start_ns) const {
    return pseudonym::PeriodStart(window_start_ns, options_.rotation_period_ns);
  }

  const PrivacyCounters& counters() const { return counters_; }

 private:
  explicit EdgePrivacy(PrivacyOptions options) : options_(std::move(options)) {}
  const pseudonym::PeriodKey& KeyFor(int64_t window_start_ns);
  uint64_t Mac(const pseudonym::PeriodKey& key, uint64_t mac);
  void Ssid(const pseudonym::PeriodKey& key, std::string* ssid);
  void DropProbeSsids(std::vector<v1::ProbeObservation>* probes);

  PrivacyOptions options_;
  std::optional<pseudonym::PeriodKey> cached_;
  PrivacyCounters counters_;
};

}  // namespace airfleet::privacy
