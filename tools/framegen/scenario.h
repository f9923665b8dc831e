#pragma once

// A deterministic synthetic Wi-Fi scene and its ground truth.
//
// GenerateScenario() invents access points and clients and lets them beacon, probe (directed and
// wildcard), answer probes, exchange (protected) data and acknowledge, over a time span; some
// clients randomise their MAC, rotating it while keeping one information-element set (so their
// probe fingerprint stays the same). Every frame is radiotap (DLT 127), built by frame_builder.
//
// Alongside the frames it records, from its own decisions (who sent what, which signal and
// channel it wrote, which FCS it corrupted), the truth per device per window that a correct
// summariser must report. The truth never comes from parsing the frames back, so golden tests
// compare two independent computations. Its rules follow proto/airfleet/v1/summary.proto:
//  - a device is the transmitter; ACK/CTS count as received_only_frames of their receiver;
//  - frames with a bad FCS count for nobody (Truth::bad_fcs_frames);
//  - signal is the first dBm antenna signal in the radiotap header (the combined one);
//  - first/last offsets, channels, signal and noise cover transmitted frames only;
//  - ap_ssid is the last non-empty SSID of the device's beacons/probe responses;
//  - client_bssid is the BSSID of its last transmitted data / association request frame to an AP;
//  - encryption bits come from data frames that carry a body (not Null / QoS Null).
//
// Same options (seed included) -> byte-identical records and truth.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/mac.h"
#include "tools/framegen/frame_builder.h"

namespace airfleet::framegen {

struct ScenarioOptions {
  int devices = 50;  // physical devices: about 1/5 access points, the rest clients
  int frames = 10000;
  double seconds = 300;
  uint64_t seed = 1;
  int64_t start_ns = 1'700'000'000'000'000'000;  // 2023-11-14T22:13:20Z
  int64_t window_ns = 60'000'000'000;            // windows of the truth
  bool fcs = true;                               // frames carry an FCS
  double bad_fcs_fraction = 0.01;                // of frames, when fcs
  // Fraction of frames whose radiotap header also carries per-chain signals (extended present
  // words) that differ from the combined signal.
  double multi_antenna_fraction = 0.0;
  // Fraction of clients that use randomised (locally administered) rotating addresses.
  double randomised_fraction = 0.4;
};

struct GeneratedRecord {
  int64_t timestamp_ns = 0;
  Bytes bytes;
};

// The truth for one device (MAC) in one window.
struct TruthDevice {
  Mac mac;
  int64_t window_start_ns = 0;
  int64_t first_ns = 0, last_ns = 0;  // of transmitted frames (0 when frames == 0)
  uint32_t frames = 0;
  uint64_t bytes = 0;  // MAC header + body, no FCS
  uint32_t retries = 0;
  uint32_t data_frames = 0;
  uint32_t beacons = 0;
  uint32_t probe_requests = 0;
  uint32_t wildcard_probes = 0;
  uint32_t received_only = 0;
  std::map<uint32_t, uint32_t> subtype_counts;  // (type << 4 | subtype) -> frames
  int32_t signal_min = 0, signal_max = 0;
  int64_t signal_sum = 0;
  uint32_t signal_count = 0;
  int64_t noise_sum = 0;
  uint32_t noise_count = 0;
  std::vector<uint32_t> channels_mhz;              // ascending, distinct
  std::vector<std::string> probed_ssids;           // directed, in order of first appearance
  std::map<std::string, uint32_t> probes_by_ssid;  // "" = wildcard
  std::string ap_ssid;
  uint64_t ap_bssid = 0;
  uint64_t client_bssid = 0;
  uint32_t encryption = 0;  // EncryptionBits
  bool has_seq = false;
  uint32_t first_seq = 0, last_seq = 0;
  int persona = -1;  // devices sharing a persona (>= 0) send identical probe element sets
  bool randomised = false;
};

struct Truth {
  int64_t window_ns = 0;
  uint64_t frames_total = 0;
  uint64_t bad_fcs_frames = 0;
  // Frames that count for nobody although their FCS is fine (ACK/CTS to a group address).
  uint64_t unattributed_frames = 0;
  std::vector<TruthDevice> devices;  // ordered by (window_start_ns, mac)
};

struct Scenario {
  std::vector<GeneratedRecord> records;  // timestamp order
  Truth truth;
};

Scenario GenerateScenario(const ScenarioOptions& options);

// The truth as JSON (MACs as colon hex, SSIDs as UTF-8 strings, times in ns).
std::string TruthToJson(const Truth& truth);

}  // namespace airfleet::framegen
