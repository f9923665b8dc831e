#include "common/yaml_config.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace airfleet::config {

std::string Where(const std::string& name, const YAML::Node& node, const std::string& key) {
  const int line = node.Mark().line;  // -1 for nodes that are not in the text
  return line >= 0 ? absl::StrCat(name, ":", line + 1, ": ", key, ": ")
                   : absl::StrCat(name, ": ", key, ": ");
}

absl::Status CheckKeys(const YAML::Node& map, const std::string& name, const std::string& path,
                       const std::vector<std::string>& allowed) {
  if (!map.IsMap()) {
    return absl::InvalidArgumentError(Where(name, map, path.empty() ? "(top level)" : path) +
                                      "expected a mapping of keys");
  }
  for (const auto& kv : map) {
    const std::string key = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(name, kv.first, path.empty() ? key : absl::StrCat(path, ".", key)),
                       "unknown key (expected one of: ", absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<YAML::Node> LoadYaml(const std::string& text, const std::string& name) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ":", e.mark.line + 1, ": not valid YAML: ", e.msg));
  }
}

}  // namespace airfleet::config
