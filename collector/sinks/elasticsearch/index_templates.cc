#include "collector/sinks/elasticsearch/index_templates.h"

namespace airfleet::collector::sinks::elasticsearch {
namespace {

using nlohmann::json;

// Field types shared by every kind, so a field means the same everywhere (Kibana data views).
constexpr const char* kMappings = R"json({
  "windows": {
    "agent_id": "keyword", "mac": "keyword", "window_start": "date", "window_end": "date",
    "window_ms": "long", "first_seen": "date", "last_seen": "date", "frames": "long",
    "data_frames": "long", "bytes": "long", "retries": "long", "received_only_frames": "long",
    "subtypes": "subtypes", "channels_mhz": "integer", "probe_requests": "long",
    "wildcard_probes": "long", "probed_ssids": "keyword", "probed_ssids_overflow": "long",
    "beacons": "long", "encryption": "keyword", "randomised": "boolean", "signal": "signal",
    "noise_avg": "float", "ap_ssid": "keyword", "ap_ssid_hex": "boolean", "ap_bssid": "keyword",
    "client_bssid": "keyword", "probe_fingerprint": "keyword", "first_seq": "integer",
    "last_seq": "integer", "location": "geo_point"
  },
  "probes": {
    "agent_id": "keyword", "mac": "keyword", "window_start": "date", "first_seen": "date",
    "last_seen": "date", "ssid": "keyword", "ssid_hex": "boolean", "wildcard": "boolean",
    "count": "long", "destinations": "keyword", "channels_mhz": "integer", "first_seq": "integer",
    "last_seq": "integer", "signal": "signal", "fingerprint": "keyword", "location": "geo_point"
  },
  "devices": {
    "mac": "keyword", "first_seen": "date", "last_seen": "date", "frames": "long",
    "probe_requests": "long", "randomised": "boolean", "probed_ssids": "keyword",
    "channels_mhz": "integer", "sightings": "sightings", "agents": "integer",
    "ap_ssid": "keyword", "ap_ssid_hex": "boolean", "signal_min": "integer",
    "signal_max": "integer", "probe_fingerprint": "keyword", "vendor": "keyword",
    "known": "keyword", "name": "keyword"
  },
  "agents": {
    "agent_id": "keyword", "peer_address": "keyword", "version": "keyword", "first_seen": "date",
    "last_seen": "date", "connected": "boolean", "batches": "long", "summaries": "long",
    "stream_id": "keyword", "committed_sequence": "long", "health": "health",
    "location": "geo_point"
  },
  "events": {
    "agent_id": "keyword", "time": "date", "learnt": "date", "kind": "keyword", "loss": "loss"
  }
})json";

constexpr const char* kObjects = R"json({
  "signal": {"min": "integer", "max": "integer", "avg": "float", "count": "long"},
  "sightings": {"agent_id": "keyword", "last_seen": "date", "frames": "long",
                "last_signal_dbm": "integer"},
  "health": {"time": "date", "spool_batches": "long", "spool_bytes": "long",
             "oldest_unsent_age_ms": "long", "received": "long", "dropped_kernel": "long",
             "dropped_interface": "long", "frames_ok": "long", "devices_overflow": "long",
             "losses": "long", "lost_batches": "long", "lost_summaries": "long",
             "agent_version": "keyword"},
  "loss": {"batches": "long", "summaries": "long", "first_sequence": "long",
           "last_sequence": "long", "first_window": "date", "last_window": "date",
           "reason": "keyword"}
})json";

json FieldMapping(const std::string& type, const json& objects) {
  if (type == "date")
    return {{"type", "date"}, {"format", "strict_date_optional_time||epoch_millis"}};
  if (type == "subtypes") return {{"type", "object"}, {"dynamic", true}};
  if (objects.contains(type)) {
    json props = json::object();
    for (const auto& [name, sub] : objects[type].items()) {
      props[name] = FieldMapping(sub.get<std::string>(), objects);
    }
    return {{"properties", std::move(props)}};
  }
  return {{"type", type}};
}

}  // namespace

std::vector<IndexTemplate> IndexTemplates(const std::string& prefix, int replicas) {
  const json mappings = json::parse(kMappings);
  const json objects = json::parse(kObjects);
  std::vector<IndexTemplate> out;
  for (const auto& [kind, fields] : mappings.items()) {
    json props = json::object();
    for (const auto& [name, type] : fields.items()) {
      props[name] = FieldMapping(type.get<std::string>(), objects);
    }
    std::string pattern = kind == "agents" ? prefix + "-agents" : prefix + "-" + kind + "-*";
    json body = {
        {"index_patterns", {pattern}},
        // Above the engines' built-in templates (ES 8 uses priority 100 for logs-*-* etc.).
        {"priority", 200},
        {"_meta", {{"managed_by", "airfleet-collector"}, {"schema_version", 1}}},
        {"template",
         {{"settings", {{"number_of_shards", 1}, {"number_of_replicas", replicas}}},
          {"mappings", {{"dynamic", "strict"}, {"properties", std::move(props)}}}}},
    };
    out.push_back({prefix + "-" + kind, std::move(body)});
  }
  return out;
}

}  // namespace airfleet::collector::sinks::elasticsearch
