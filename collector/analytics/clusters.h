#pragma once

// Randomised-MAC clusters: which locally administered MACs are probably one physical device.
// Pure (no I/O, no clock): feed ProbeObservations with Add(), then Finish(). Used by the Admin
// API's ListClusters at query time; nothing is stored.
//
// Rules, in order:
//  1. Only observations of randomised MACs (locally administered bit, 0x02 of the first octet)
//     with a non-zero IE fingerprint count. The fingerprint (agent/dissect/elements.h) already
//     covers ordered element ids, vendor OUIs/types, HT/VHT/HE/EHT capabilities and extended
//     capabilities; SSID, channel and per-frame state never change it.
//  2. Sessions, per fingerprint: observations sorted by first probe time; a new session starts
//     when an observation's first probe comes more than `session_gap_ns` after the last probe
//     of every earlier one (default 5 min).
//  3. Within a session, each MAC is aggregated (probes, first/last probe, signal sum/count/min/
//     max, first and last sequence number, SSIDs) and MACs are assigned to devices in order of
//     their first probe. A device silent for longer than `session_gap_ns` is closed (its phone's
//     own session ended, even if other phones of the model kept the fingerprint's session alive);
//     this also keeps matching linear in the devices open at the time. Then:
//       a. Sequence continuity (strong evidence): a device whose newest MAC's last sequence number
//          is followed by this MAC's first one within `seq_gap` (modulo 4096) and whose newest MAC
//          stopped probing no later than `seq_overlap_ns` after this MAC started. The closest such
//          continuation wins; it links even when the signal moved beyond the tolerance (the
//          phone moved), and counts in seq_links.
//       b. Signal: otherwise the device whose running median signal is closest to this MAC's
//          average signal (sum / count over its probes), if within `signal_tolerance_db`. The
//          running median is the median of the per-MAC average signals already in the device,
//          so one MAC heard through a wall does not drag the device away.
//          With `one_mac_at_a_time` (default), a device whose newest MAC is still probing more than
//          `seq_overlap_ns` after this MAC's first probe is not a candidate: a phone uses one
//          randomised address at a time, so two MACs heard at once are two devices.
//       c. A MAC with no signal at all joins the device that probed most recently.
//       d. Otherwise it starts a new device.
//  4. A device is reported as a cluster when it has at least `min_macs` distinct MACs (default
//     3); the others are counted in groups_below_min_macs.
//
// Cluster id: the first 8 bytes of a 64-bit hash (MurmurHash3 finaliser over the words
// fingerprint, first MAC, session start) of the cluster's content, so the same stored data and
// the same query range give the same id. Narrowing the range can change the session start or the
// first MAC, and with it the id.
//
// Signal histogram: the agent aggregates probes per (MAC, window, SSID), so per-frame signals are
// gone; each observation's probes go into the 5 dB bucket of that observation's average signal.
//
// Multiple agents hearing the same MAC contribute one observation each (their signal differs);
// the MAC's signal is then the average over all agents. Per-agent clustering is future work.
//
// Memory: bounded by max_observations compact records (about 80 bytes each plus interned SSIDs).
// Observations beyond the cap are counted in observations_dropped and the answer says it is
// partial; they are never silently ignored.
//
// Not thread-safe; one instance per query.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "airfleet/v1/clusters.pb.h"
#include "airfleet/v1/summary.pb.h"

namespace airfleet::analytics {

struct ClusterOptions {
  uint32_t min_macs = 3;
  int64_t session_gap_ns = 5 * 60 * 1'000'000'000LL;
  double signal_tolerance_db = 6.0;
  // Sequence continuity: the new MAC's first seq is 1..seq_gap after the old MAC's last (mod 4096).
  uint32_t seq_gap = 64;
  // How long the old MAC may still be heard after the new one started (window granularity of the
  // agent's offsets makes a small overlap normal).
  int64_t seq_overlap_ns = 2'000'000'000;
  // A device's MACs do not overlap in time (beyond seq_overlap_ns); see rule 3b.
  bool one_mac_at_a_time = true;
  size_t max_observations = 2'000'000;
  int32_t histogram_bucket_db = 5;
};

// True for a locally administered (likely randomised) address; MACs are 48-bit in a uint64.
inline bool IsRandomisedMac(uint64_t mac) { return ((mac >> 40) & 0x02) != 0; }

class ClusterEngine {
 public:
  explicit ClusterEngine(ClusterOptions options = {});

  void Add(const v1::ProbeObservation& observation);
  // Clusters (by first_seen_ns, then id) and counters. Call once.
  v1::ListClustersResponse Finish();

 private:
  struct Obs {
    uint64_t mac = 0;
    uint64_t fingerprint = 0;
    int64_t first_ns = 0, last_ns = 0;
    uint32_t count = 0;
    int32_t signal_min = 0, signal_max = 0;
    int64_t signal_sum = 0;
    uint32_t signal_count = 0;
    uint32_t first_seq = 0, last_seq = 0;
    int32_t ssid = -1;  // index into ssids_, -1 = wildcard
  };
  struct MacAgg;
  struct Device;

  void ClusterSession(const std::vector<const Obs*>& session, v1::ListClustersResponse* out);

  ClusterOptions options_;
  std::vector<Obs> observations_;
  std::vector<std::string> ssids_;
  absl::flat_hash_map<std::string, int32_t> ssid_index_;
  uint64_t seen_ = 0;
  uint64_t randomised_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace airfleet::analytics
