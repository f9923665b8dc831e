#pragma once

// The collector's YAML configuration file (deploy/collector/collector.yaml documents every key).
// Command-line flags override what the file says; main.cc applies them after LoadCollectorConfig.
//
// Errors name the file, the line and the key ("collector.yaml:12: sinks.elasticsearch.hosts: ...")
// and unknown keys are errors, not warnings: a misspelt key that silently does nothing is the
// worst kind of configuration bug. Sink sections are parsed by the sink's own parser (registered
// in SinkParsers), so each engine's settings are defined next to the engine's code.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "collector/server/collector_server.h"
#include "common/yaml_config.h"
#include "yaml-cpp/yaml.h"

namespace airfleet::collector {

// Turns one `sinks.<name>` section into a sink factory (called at start and for each
// `airfleetctl sinks init`). `where` prefixes error messages ("collector.yaml:14: sinks.x").
using SinkParser =
    std::function<absl::StatusOr<std::function<absl::StatusOr<std::unique_ptr<sinks::Sink>>()>>(
        const YAML::Node& section, const std::string& where)>;
using SinkParsers = std::map<std::string, SinkParser>;

// The parsers of the sinks this build has.
SinkParsers BuiltinSinkParsers();

// Reads `path` into `options` (fields the file does not mention keep their values).
absl::Status LoadCollectorConfig(const std::string& path, const SinkParsers& parsers,
                                 CollectorOptions* options);
// The same from text; `name` is used in messages. Exposed for tests.
absl::Status ParseCollectorConfig(const std::string& text, const std::string& name,
                                  const SinkParsers& parsers, CollectorOptions* options);

// Shared by sink parsers: messages prefixed "<name>:<line>: <key>: ", strict key checks
// (common/yaml_config.h), and typed reads that fail with such a prefix.
using ::airfleet::config::CheckKeys;
using ::airfleet::config::Where;
template <typename T>
absl::StatusOr<T> Read(const YAML::Node& node, const std::string& name, const std::string& key) {
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    return absl::InvalidArgumentError(Where(name, node, key) + "expected " +
                                      (std::is_same_v<T, std::string> ? "a string"
                                       : std::is_same_v<T, bool>      ? "true or false"
                                       : std::is_floating_point_v<T>  ? "a number"
                                       : std::is_integral_v<T>        ? "a whole number"
                                                                      : "a list of strings"));
  }
}

}  // namespace airfleet::collector
