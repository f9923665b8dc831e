#pragma once

// What the agent's and the collector's YAML configuration files share: messages that name the
// file, line and dotted key ("agent.yaml:12: spool.quota: ..."), strict key checks (a misspelt key
// is an error, never silently ignored), and loading text with YAML syntax errors reported the same
// way. Each file's own typed reads live with its parser.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "yaml-cpp/yaml.h"

namespace airfleet::config {

// "<name>:<line>: <key>: " (line omitted for nodes that are not in the text).
std::string Where(const std::string& name, const YAML::Node& node, const std::string& key);

// INVALID_ARGUMENT unless `map` is a mapping holding only `allowed` keys; the message names the
// first offending key with its line and the keys that are allowed. `path` is the mapping's
// dotted key ("" for the top level).
absl::Status CheckKeys(const YAML::Node& map, const std::string& name, const std::string& path,
                       const std::vector<std::string>& allowed);

// Parses `text` (a null node for an empty file); a syntax error names the file and line.
absl::StatusOr<YAML::Node> LoadYaml(const std::string& text, const std::string& name);

}  // namespace airfleet::config
