#pragma once

// Outbox entries -> the records a sink writes (sink.h). Each record is read from the store as it
// is *now* (merged across partial batches, possibly newer than the entry), and appears once per
// call however many entries name it. A record the store no longer holds (retention) is skipped.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "collector/sinks/sink.h"
#include "collector/store/store.h"

namespace airfleet::collector::sinks {

struct MaterialiseContext {
  // Fills vendor/known/name of a device (the Admin API's query-time enrichment); may be empty.
  std::function<void(v1::DeviceInfo*)> enrich_device;
  // An agent's configured position, if any; may be empty.
  std::function<std::optional<GeoPoint>(const std::string& agent_id)> agent_location;
};

absl::StatusOr<std::vector<Record>> Materialise(Store& store, const std::vector<OutboxItem>& items,
                                                const MaterialiseContext& context);

}  // namespace airfleet::collector::sinks
