// The sink engines compiled into this collector, by their configuration key under `sinks:`.
// Each parser reads its section into the engine's config struct (defaults from the struct) and
// returns a factory; deploy/collector/collector.yaml documents every key.
#include "absl/strings/str_cat.h"
#include "collector/config/collector_config.h"
#include "collector/sinks/cassandra/cassandra_sink.h"
#include "collector/sinks/elasticsearch/elasticsearch_sink.h"
#include "common/status_macros.h"

namespace airfleet::collector {
namespace {

using SinkFactory = std::function<absl::StatusOr<std::unique_ptr<sinks::Sink>>()>;

template <typename T>
absl::Status Optional(const YAML::Node& section, const char* key, const std::string& name,
                      const std::string& path, T* out) {
  const YAML::Node node = section[key];
  if (!node) return absl::OkStatus();
  AF_ASSIGN_OR_RETURN(*out, Read<T>(node, name, absl::StrCat(path, ".", key)));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> NonEmptyList(const YAML::Node& section, const char* key,
                                                      const std::string& name,
                                                      const std::string& path) {
  const std::string where = absl::StrCat(path, ".", key);
  if (!section[key]) {
    return absl::InvalidArgumentError(Where(name, section, path) + "needs " + key);
  }
  AF_ASSIGN_OR_RETURN(auto list, Read<std::vector<std::string>>(section[key], name, where));
  if (list.empty()) {
    return absl::InvalidArgumentError(Where(name, section[key], where) + "must not be empty");
  }
  return list;
}

absl::StatusOr<SinkFactory> ParseElasticsearch(const YAML::Node& s, const std::string& name) {
  const std::string path = "sinks.elasticsearch";
  AF_RETURN_IF_ERROR(
      CheckKeys(s, name, path,
                {"enabled", "hosts", "index_prefix", "username", "password_file", "api_key_file",
                 "ca_file", "replicas", "max_bulk_bytes", "max_bulk_docs", "connect_timeout_ms",
                 "request_timeout_ms", "legacy_type", "gzip"}));
  sinks::elasticsearch::ElasticsearchConfig c;
  AF_ASSIGN_OR_RETURN(c.hosts, NonEmptyList(s, "hosts", name, path));
  AF_RETURN_IF_ERROR(Optional(s, "index_prefix", name, path, &c.index_prefix));
  AF_RETURN_IF_ERROR(Optional(s, "username", name, path, &c.username));
  AF_RETURN_IF_ERROR(Optional(s, "password_file", name, path, &c.password_file));
  AF_RETURN_IF_ERROR(Optional(s, "api_key_file", name, path, &c.api_key_file));
  AF_RETURN_IF_ERROR(Optional(s, "ca_file", name, path, &c.ca_file));
  AF_RETURN_IF_ERROR(Optional(s, "replicas", name, path, &c.replicas));
  AF_RETURN_IF_ERROR(Optional(s, "max_bulk_bytes", name, path, &c.max_bulk_bytes));
  AF_RETURN_IF_ERROR(Optional(s, "max_bulk_docs", name, path, &c.max_bulk_docs));
  AF_RETURN_IF_ERROR(Optional(s, "connect_timeout_ms", name, path, &c.connect_timeout_ms));
  AF_RETURN_IF_ERROR(Optional(s, "request_timeout_ms", name, path, &c.request_timeout_ms));
  AF_RETURN_IF_ERROR(Optional(s, "legacy_type", name, path, &c.legacy_type));
  AF_RETURN_IF_ERROR(Optional(s, "gzip", name, path, &c.gzip));
  if (!c.username.empty() && c.password_file.empty()) {
    return absl::InvalidArgumentError(Where(name, s, path) +
                                      "username needs password_file (secrets live in files)");
  }
  return SinkFactory([c]() -> absl::StatusOr<std::unique_ptr<sinks::Sink>> {
    AF_ASSIGN_OR_RETURN(auto sink, sinks::elasticsearch::MakeElasticsearchSink(c));
    return std::unique_ptr<sinks::Sink>(std::move(sink));
  });
}

absl::StatusOr<SinkFactory> ParseCassandra(const YAML::Node& s, const std::string& name) {
  const std::string path = "sinks.cassandra";
  AF_RETURN_IF_ERROR(
      CheckKeys(s, name, path,
                {"enabled", "contact_points", "keyspace", "username", "password_file", "ca_file",
                 "consistency", "replication", "connect_timeout_ms", "request_timeout_ms",
                 "max_in_flight", "max_batch_statements"}));
  sinks::CassandraConfig c;
  AF_ASSIGN_OR_RETURN(c.contact_points, NonEmptyList(s, "contact_points", name, path));
  AF_RETURN_IF_ERROR(Optional(s, "keyspace", name, path, &c.keyspace));
  AF_RETURN_IF_ERROR(Optional(s, "username", name, path, &c.username));
  AF_RETURN_IF_ERROR(Optional(s, "password_file", name, path, &c.password_file));
  AF_RETURN_IF_ERROR(Optional(s, "ca_file", name, path, &c.ca_file));
  AF_RETURN_IF_ERROR(Optional(s, "consistency", name, path, &c.consistency));
  AF_RETURN_IF_ERROR(Optional(s, "replication", name, path, &c.replication));
  AF_RETURN_IF_ERROR(Optional(s, "max_in_flight", name, path, &c.max_in_flight));
  AF_RETURN_IF_ERROR(Optional(s, "max_batch_statements", name, path, &c.max_batch_statements));
  int64_t connect_ms = absl::ToInt64Milliseconds(c.connect_timeout);
  int64_t request_ms = absl::ToInt64Milliseconds(c.request_timeout);
  AF_RETURN_IF_ERROR(Optional(s, "connect_timeout_ms", name, path, &connect_ms));
  AF_RETURN_IF_ERROR(Optional(s, "request_timeout_ms", name, path, &request_ms));
  c.connect_timeout = absl::Milliseconds(connect_ms);
  c.request_timeout = absl::Milliseconds(request_ms);
  if (!c.username.empty() && c.password_file.empty()) {
    return absl::InvalidArgumentError(Where(name, s, path) +
                                      "username needs password_file (secrets live in files)");
  }
  // Validate now (consistency name, contact points, keyspace), so a bad value is a config error
  // at start, not a delivery failure later.
  AF_RETURN_IF_ERROR(sinks::MakeCassandraSink(c).status());
  return SinkFactory([c]() { return sinks::MakeCassandraSink(c); });
}

}  // namespace

SinkParsers BuiltinSinkParsers() {
  return {{"elasticsearch", ParseElasticsearch}, {"cassandra", ParseCassandra}};
}

}  // namespace airfleet::collector
