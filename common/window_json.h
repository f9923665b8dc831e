#pragma once

// DeviceWindow -> JSON, shared by `airfleetctl export windows` and the agent's offline
// `airfleet-agent summarise --format ndjson`, so both print identical objects for one window.
//
// Every key is always present (a stable shape for jq, CSV converters and diffs); a value that the
// window does not carry is null. Keys, in output order:
//
//   mac                 string   device MAC, lower-case colon hex ("02:00:00:00:00:01")
//   agent               string   agent id that reported the window; null when not known
//   window_start        integer  window start, unix ns
//   window_ms           integer  window length, ms
//   first_seen          integer  first frame of the device in the window, unix ns
//   last_seen           integer  last frame of the device in the window, unix ns
//   frames              integer  frames transmitted by the device
//   data_frames         integer  data frames (type 2) among them
//   bytes               integer  bytes of those frames (802.11 header + body, no FCS)
//   retries             integer  frames with the Retry bit
//   subtypes            object   frame counts keyed "TYPE/SUBTYPE" in decimal, e.g. {"0/4": 3}
//                                (type 0 management, 1 control, 2 data, 3 extension)
//   received_only_frames integer frames in which the device was only the receiver (ACK, CTS)
//   signal_min          integer  dBm, null without signal
//   signal_max          integer  dBm, null without signal
//   signal_avg          number   dBm rounded to 0.1, null without signal
//   signal_count        integer  frames that carried a signal
//   noise_avg           number   dBm rounded to 0.1, null without noise
//   channels            array    distinct channel centre frequencies, MHz, ascending
//   probe_requests      integer  probe requests sent
//   wildcard_probes     integer  of which wildcard (empty SSID)
//   probed_ssids        array    SSIDs of directed probes as lower-case hex of the raw bytes
//                                (as tshark prints wlan.ssid), in order of first appearance
//   probed_ssids_overflow integer further distinct SSIDs beyond the agent's cap
//   ap_ssid             string   access point's SSID as hex; null when not an AP
//   ap_bssid            string   access point's BSSID as MAC; null when none
//   beacons             integer  beacons sent
//   client_bssid        string   BSSID the client last talked to as MAC; null when none
//   encryption          array    protection seen on data frames, any of "open", "wep", "tkip",
//                                "ccmp_gcmp"
//   probe_fingerprint   string   IE fingerprint as 16 lower-case hex digits; null when none
//   first_seq           integer  802.11 sequence number of the first frame; null when none
//   last_seq            integer  ... of the last frame; null when none
//   randomised          bool     locally administered address
//
// SSIDs are hex because they are arbitrary bytes, not text; hex also keeps the JSON pure ASCII.
// Thread-safe: pure functions.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "airfleet/v1/summary.pb.h"

namespace airfleet {

// The object described above. `agent_id` empty means unknown (null).
nlohmann::ordered_json WindowToJson(const v1::DeviceWindow& window, std::string_view agent_id = {});

// One NDJSON line (no trailing newline) of WindowToJson. Never throws.
std::string WindowToJsonLine(const v1::DeviceWindow& window, std::string_view agent_id = {});

// The names of DeviceWindow.encryption's bits, in bit order: "open", "wep", "tkip", "ccmp_gcmp".
// Every output (JSON export, Elasticsearch, Cassandra) spells them this way.
std::vector<std::string> EncryptionNames(uint32_t bits);

// Lower-case hex of raw bytes ("436f6666656553686f70" for "CoffeeShop").
std::string BytesToHex(std::string_view bytes);

}  // namespace airfleet
