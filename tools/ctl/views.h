#pragma once

// Admin API answers -> printable tables. Pure: `now_ns` (for ages) is passed in.
//
// Machine keys (json/csv/ndjson) are snake_case; times are unix ns integers in the machine form
// and ages ("5m") or RFC 3339 in the table form; MACs are lower-case colon hex; SSIDs are
// DisplayText (printable ASCII, other bytes as \xNN) in lists of devices.

#include <cstdint>
#include <ostream>

#include "airfleet/v1/ingest.pb.h"
#include "tools/ctl/output.h"

namespace airfleet::ctl {

// Columns: agent, status ("online", "lagging", "offline"), address, connected, last_seen,
// frames_per_second (from the last periodic heartbeat), batches, summaries, committed_seq,
// backlog_batches, backlog_bytes, lost_batches, lost_summaries, backlog_age_s, capture_drops,
// rss_bytes, temperature_c, clock_offset_ms, version, status_reason (null when online).
Table AgentsTable(const v1::ListAgentsResponse& response, int64_t now_ns);

// "online", "lagging", "offline"; "" for an unspecified status (an older collector).
std::string AgentStatusText(v1::AgentStatus status);

// The cross-sensor view: the agent that hears the device strongest, by each agent's last signal
// (ties: the smaller agent id); null when no agent reported a signal.
const v1::Sighting* StrongestSighting(const v1::DeviceInfo& device);

// Columns: mac, vendor, known, name, randomised, first_seen, last_seen, frames, probes,
// signal_min, signal_max, ssid, probed_ssids, channels, agents, strongest_agent,
// strongest_signal. vendor/known/name are null when
// the collector has none (known is "known" or "guest" for registered devices).
Table DevicesTable(const v1::ListDevicesResponse& response, int64_t now_ns);

// `known list`. Columns: mac, name, owner, kind, tags, updated (the import format's columns plus
// the collector's update time; tags are a list, joined with ';' in csv).
Table KnownTable(const v1::ListKnownDevicesResponse& response, int64_t now_ns);

// `clusters`. Columns: id (16 hex digits), fingerprint (16 hex), mac_count, macs (list; the table
// shows the first and how many more), probes, first_seen, last_seen (RFC 3339 in the table),
// probed_ssids, wildcard_probes, signal_min, signal_max (null without signal), histogram (list of
// {"low_dbm", "probes"}; the table shows "-50:4 -45:8"), seq_links.
Table ClustersTable(const v1::ListClustersResponse& response);

// `airfleetctl device MAC`: details, per-agent sightings and recent windows. Table format prints
// three sections; json/ndjson print one object {"device": {...}, "sightings": [...],
// "recent_windows": [window_json objects]}; csv prints the recent windows only (one row each).
void WriteDevice(const v1::GetDeviceResponse& response, Format format, int64_t now_ns,
                 std::ostream& out);

// Streams exported windows in one format. ndjson: one window_json object per line; json: an
// array of them; csv: a header of the window_json keys, nested values flattened (CsvText);
// table: a compact aligned listing (buffered, since alignment needs every row).
class WindowExportWriter {
 public:
  WindowExportWriter(Format format, std::ostream& out) : format_(format), out_(out) {}
  void Write(const v1::StoredWindow& window);
  // Ends the output (closes the json array, prints the table). Call once.
  void Finish();
  uint64_t count() const { return count_; }

 private:
  Format format_;
  std::ostream& out_;
  uint64_t count_ = 0;
  Table table_;  // table format only
};

}  // namespace airfleet::ctl
