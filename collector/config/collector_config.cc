#include "collector/config/collector_config.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/metrics/http_server.h"
#include "common/status_macros.h"

namespace airfleet::collector {

namespace {

template <typename T>
absl::Status ReadInto(const YAML::Node& map, const char* key, const std::string& name,
                      const std::string& path, T* out) {
  const YAML::Node node = map[key];
  if (!node) return absl::OkStatus();
  AF_ASSIGN_OR_RETURN(*out, Read<T>(node, name, path + key));
  return absl::OkStatus();
}

// `retention:` per kind; a kind the section does not name keeps using retention_days.
absl::Status ParseRetention(const YAML::Node& section, const std::string& name,
                            RetentionDays* out) {
  const std::pair<const char*, std::optional<int>*> kinds[] = {
      {"windows_days", &out->windows_days},
      {"probes_days", &out->probes_days},
      {"devices_days", &out->devices_days},
      {"dead_letters_days", &out->dead_letters_days},
  };
  std::vector<std::string> allowed;
  for (const auto& [key, field] : kinds) allowed.push_back(key);
  AF_RETURN_IF_ERROR(CheckKeys(section, name, "retention", allowed));
  for (const auto& [key, field] : kinds) {
    const YAML::Node node = section[key];
    if (!node) continue;
    const std::string path = absl::StrCat("retention.", key);
    AF_ASSIGN_OR_RETURN(int days, Read<int>(node, name, path));
    if (days < 0) {
      return absl::InvalidArgumentError(Where(name, node, path) +
                                        "must be 0 (keep this kind) or more");
    }
    *field = days;
  }
  return absl::OkStatus();
}

absl::Status ParseAgents(const YAML::Node& agents, const std::string& name,
                         CollectorOptions* options) {
  if (!agents.IsMap()) {
    return absl::InvalidArgumentError(Where(name, agents, "agents") +
                                      "expected a mapping of agent id -> settings");
  }
  for (const auto& kv : agents) {
    const std::string id = kv.first.as<std::string>();
    const std::string path = absl::StrCat("agents.", id);
    AF_RETURN_IF_ERROR(CheckKeys(kv.second, name, path, {"location"}));
    const YAML::Node loc = kv.second["location"];
    if (!loc) continue;
    AF_RETURN_IF_ERROR(CheckKeys(loc, name, path + ".location", {"lat", "lon"}));
    if (!loc["lat"] || !loc["lon"]) {
      return absl::InvalidArgumentError(Where(name, loc, path + ".location") +
                                        "needs both lat and lon");
    }
    AF_ASSIGN_OR_RETURN(double lat, Read<double>(loc["lat"], name, path + ".location.lat"));
    AF_ASSIGN_OR_RETURN(double lon, Read<double>(loc["lon"], name, path + ".location.lon"));
    if (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
      return absl::InvalidArgumentError(Where(name, loc, path + ".location") +
                                        "lat must be in [-90, 90] and lon in [-180, 180]");
    }
    options->agent_locations[id] = sinks::GeoPoint{lat, lon};
  }
  return absl::OkStatus();
}

absl::Status ParseAgentStatus(const YAML::Node& section, const std::string& name,
                              AgentStatusPolicy* policy) {
  AF_RETURN_IF_ERROR(
      CheckKeys(section, name, "agent_status", {"offline_after_seconds", "lagging_after_seconds"}));
  for (auto [key, out] : {std::pair{"offline_after_seconds", &policy->offline_after_ns},
                          std::pair{"lagging_after_seconds", &policy->lagging_after_ns}}) {
    if (!section[key]) continue;
    const std::string path = absl::StrCat("agent_status.", key);
    AF_ASSIGN_OR_RETURN(uint32_t seconds, Read<uint32_t>(section[key], name, path));
    if (seconds == 0) {
      return absl::InvalidArgumentError(Where(name, section[key], path) + "must be at least 1");
    }
    *out = int64_t{seconds} * 1'000'000'000;
  }
  return absl::OkStatus();
}

absl::Status ParseSinks(const YAML::Node& section, const std::string& name,
                        const SinkParsers& parsers, CollectorOptions* options) {
  std::vector<std::string> allowed = {"outbox_quota_mb"};
  for (const auto& [sink, parser] : parsers) allowed.push_back(sink);
  AF_RETURN_IF_ERROR(CheckKeys(section, name, "sinks", allowed));
  if (section["outbox_quota_mb"]) {
    AF_ASSIGN_OR_RETURN(uint64_t mb,
                        Read<uint64_t>(section["outbox_quota_mb"], name, "sinks.outbox_quota_mb"));
    if (mb == 0) {
      return absl::InvalidArgumentError(
          Where(name, section["outbox_quota_mb"], "sinks.outbox_quota_mb") + "must be at least 1");
    }
    options->sink_options.outbox_quota_bytes = mb << 20;
  }
  using Factory = std::function<absl::StatusOr<std::unique_ptr<sinks::Sink>>()>;
  std::vector<Factory> factories;
  for (const auto& [sink, parser] : parsers) {
    const YAML::Node sub = section[sink];
    if (!sub) continue;
    bool enabled = true;
    if (sub["enabled"]) {
      AF_ASSIGN_OR_RETURN(
          enabled, Read<bool>(sub["enabled"], name, absl::StrCat("sinks.", sink, ".enabled")));
    }
    // A disabled section is still checked, so switching it on later holds no surprise.
    AF_ASSIGN_OR_RETURN(Factory factory, parser(sub, name));
    if (enabled) factories.push_back(std::move(factory));
  }
  if (factories.empty()) return absl::OkStatus();
  options->make_sinks = [factories]() -> absl::StatusOr<std::vector<std::unique_ptr<sinks::Sink>>> {
    std::vector<std::unique_ptr<sinks::Sink>> out;
    for (const Factory& f : factories) {
      AF_ASSIGN_OR_RETURN(std::unique_ptr<sinks::Sink> sink, f());
      out.push_back(std::move(sink));
    }
    return out;
  };
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseCollectorConfig(const std::string& text, const std::string& name,
                                  const SinkParsers& parsers, CollectorOptions* options) {
  AF_ASSIGN_OR_RETURN(YAML::Node root, config::LoadYaml(text, name));
  if (root.IsNull()) return absl::OkStatus();  // an empty file configures nothing
  AF_RETURN_IF_ERROR(CheckKeys(root, name, "",
                               {"listen", "metrics_listen", "data_dir", "tls", "privacy_key_file",
                                "retention_days", "retention", "vendors", "agents", "sinks",
                                "agent_status", "log_format"}));
  AF_RETURN_IF_ERROR(ReadInto(root, "listen", name, "", &options->listen));
  AF_RETURN_IF_ERROR(ReadInto(root, "metrics_listen", name, "", &options->metrics_listen));
  if (!options->metrics_listen.empty()) {
    if (absl::Status s = metrics::ParseListenAddress(options->metrics_listen).status(); !s.ok()) {
      return absl::InvalidArgumentError(Where(name, root["metrics_listen"], "metrics_listen") +
                                        "expected HOST:PORT, e.g. 127.0.0.1:9464, or \"\" (off)");
    }
  }
  AF_RETURN_IF_ERROR(ReadInto(root, "data_dir", name, "", &options->data_dir));
  AF_RETURN_IF_ERROR(ReadInto(root, "log_format", name, "", &options->log_format));
  if (!log::ParseFormat(options->log_format).ok()) {
    return absl::InvalidArgumentError(Where(name, root["log_format"], "log_format") +
                                      "must be text or json");
  }
  AF_RETURN_IF_ERROR(ReadInto(root, "privacy_key_file", name, "", &options->privacy_key_file));
  AF_RETURN_IF_ERROR(ReadInto(root, "retention_days", name, "", &options->retention_days));
  if (options->retention_days < 0) {
    return absl::InvalidArgumentError(Where(name, root["retention_days"], "retention_days") +
                                      "must be 0 (keep everything) or more");
  }
  if (const YAML::Node retention = root["retention"]) {
    AF_RETURN_IF_ERROR(ParseRetention(retention, name, &options->retention));
  }
  if (const YAML::Node tls = root["tls"]) {
    AF_RETURN_IF_ERROR(CheckKeys(tls, name, "tls", {"ca", "cert", "key"}));
    AF_RETURN_IF_ERROR(ReadInto(tls, "ca", name, "tls.", &options->ca_file));
    AF_RETURN_IF_ERROR(ReadInto(tls, "cert", name, "tls.", &options->cert_file));
    AF_RETURN_IF_ERROR(ReadInto(tls, "key", name, "tls.", &options->key_file));
  }
  if (const YAML::Node vendors = root["vendors"]) {
    AF_RETURN_IF_ERROR(
        CheckKeys(vendors, name, "vendors", {"ieee_data_dir", "manuf", "check_seconds"}));
    AF_RETURN_IF_ERROR(
        ReadInto(vendors, "ieee_data_dir", name, "vendors.", &options->ieee_data_dir));
    AF_RETURN_IF_ERROR(ReadInto(vendors, "manuf", name, "vendors.", &options->manuf_file));
    if (vendors["check_seconds"]) {
      AF_ASSIGN_OR_RETURN(uint32_t s,
                          Read<uint32_t>(vendors["check_seconds"], name, "vendors.check_seconds"));
      options->vendor_check_interval = std::chrono::seconds(s);
    }
  }
  if (const YAML::Node agents = root["agents"]) {
    AF_RETURN_IF_ERROR(ParseAgents(agents, name, options));
  }
  if (const YAML::Node status = root["agent_status"]) {
    AF_RETURN_IF_ERROR(ParseAgentStatus(status, name, &options->agent_status));
  }
  if (const YAML::Node section = root["sinks"]) {
    AF_RETURN_IF_ERROR(ParseSinks(section, name, parsers, options));
  }
  return absl::OkStatus();
}

absl::Status LoadCollectorConfig(const std::string& path, const SinkParsers& parsers,
                                 CollectorOptions* options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::stringstream text;
  text << in.rdbuf();
  return ParseCollectorConfig(text.str(), path, parsers, options);
}

}  // namespace airfleet::collector
