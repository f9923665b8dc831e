#pragma once

// Composable index templates (`PUT _index_template/<prefix>-<kind>`) that the sink installs at
// Open(), before any index exists: one per record kind, matching the names of bulk_request.h.
// They work on Elasticsearch 7.8+/8/9 and OpenSearch 2 (plain `_index_template`, no data streams,
// no ILM/ISM settings, which the two engines spell differently).
//
// Decisions (docs/sinks.md):
//  * `dynamic: strict`: a field the template does not know is a mapping error (-> kDrop with the
//    engine's reason, dead-letter store) instead of a silently guessed type. Only `subtypes` is
//    dynamic (its keys are open-ended frame-subtype names; values map to long).
//  * MACs, SSIDs, agent ids, vendors, hashes: keyword. Times: date accepting ISO-8601 and
//    epoch_millis. `location`: geo_point.
//  * One shard; `number_of_replicas` from the config (default 0: a single test node stays green
//    and a small deployment does not sit in yellow forever; raise it on a real cluster).
//  * Re-installing is idempotent (PUT overwrites), so every Open() brings templates up to date;
//    existing indices keep their mapping until next month's index is created.

#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace airfleet::collector::sinks::elasticsearch {

struct IndexTemplate {
  std::string name;  // "<prefix>-windows": the path is `_index_template/<name>`
  nlohmann::json body;
};

std::vector<IndexTemplate> IndexTemplates(const std::string& prefix, int replicas);

}  // namespace airfleet::collector::sinks::elasticsearch
