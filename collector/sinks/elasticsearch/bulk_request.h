#pragma once

// Records -> Elasticsearch/OpenSearch `_bulk` NDJSON (pure: no I/O, no clock; fuzz- and
// unit-tested).
//
// Decisions (docs/sinks.md "Elasticsearch / OpenSearch"):
//  * Every record is an `index` action under `_id` = RecordId(record): an idempotent overwrite of
//    the whole merged record, so a retry, a restart or a second collector converge to one document.
//  * Indices: `<prefix>-windows-YYYY.MM`, `<prefix>-probes-YYYY.MM`, `<prefix>-devices-YYYY.MM`,
//    `<prefix>-events-YYYY.MM` and one `<prefix>-agents`. The month is UTC and comes from the
//    record's own time (window start; device last_seen; event loss.recorded_ns, else time_ns),
//    never the wall clock, so a re-delivery lands in the same index as the first delivery.
//    Consequence for devices: a device seen in two months has one document per month (the later
//    one is its latest state); dashboards count devices with a unique count of `mac`.
//  * Times are ISO-8601 UTC strings with milliseconds ("2026-11-23T10:00:00.000Z"); the mapping
//    also accepts epoch_millis. MACs are keywords "aa:bb:cc:dd:ee:ff". 64-bit hashes and ids
//    (fingerprints, stream id) are 16 lower-case hex digits, because they overflow ES's signed
//    long.
//  * SSIDs are keywords: the raw bytes when they are valid UTF-8, else "hex:" + lower-case hex of
//    the bytes. A valid UTF-8 SSID that itself starts with "hex:" is hex-encoded too, so the
//    encoding is reversible. Single-SSID fields carry a boolean `<field>_hex` when hex was used.
//  * Signal: min/max/avg (= sum / count, rounded to 0.1 dBm)/count, present only when count > 0.
//    Frame subtypes: an object of counts keyed "<type>_<subtype>" (type mgmt/ctrl/data/ext,
//    subtype decimal, e.g. "mgmt_4" = probe request), which Kibana can chart field by field.
//  * `location` (geo_point {lat, lon}) only when the agent has a configured position.
//  * Counters are written as the engine's long; a value above 2^63-1 cannot be stored and the
//    engine rejects the document (mapper_parsing_exception -> kDrop), which is also how the
//    dead-letter path is exercised against a real server.

#include <string>
#include <string_view>
#include <vector>

#include "collector/sinks/sink.h"
#include "nlohmann/json.hpp"

namespace airfleet::collector::sinks::elasticsearch {

struct BulkOptions {
  std::string prefix = "airfleet";
  // ES 7 (and OpenSearch 1) want "_type":"_doc" in each action line; ES 8+/OpenSearch 2 reject
  // or warn about it, so it is off by default.
  bool legacy_type = false;
};

// "<prefix>-windows-2026.11", "<prefix>-agents", ...
std::string IndexName(const Record& record, std::string_view prefix);

// The `_source` document of a record.
nlohmann::json Document(const Record& record);

// The two NDJSON lines (action + document), each ending in '\n', for one record.
std::string BulkItem(const Record& record, const BulkOptions& options);

// The whole `_bulk` body for `records`, in order.
std::string BulkBody(const std::vector<Record>& records, const BulkOptions& options);

// SSID encoding described above; `used_hex` says which form was chosen.
std::string EncodeSsid(std::string_view raw, bool* used_hex = nullptr);

// "2026-11-23T10:00:00.000Z" for unix nanoseconds (UTC, truncated to the millisecond).
std::string IsoTime(int64_t unix_ns);

}  // namespace airfleet::collector::sinks::elasticsearch
