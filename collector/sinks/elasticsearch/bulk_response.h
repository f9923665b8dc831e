#pragma once

// `_bulk` HTTP response -> one sinks::ItemResult per sent record (pure; fuzzed by
// bulk_response_fuzzer). Classification (test-servers.md §5, docs/sinks.md):
//   item 2xx, and 409 on `create` (already there)          -> kOk
//   item 429 (es_rejected_execution), 502, 503, 504          -> kRetry
//   any other item status (400 mapper_parsing, 404, 409 ...) -> kDrop, reason "<type>: <reason>"
//                                                              (+ caused_by), naming the field
//   whole response 429/502/503/504 (or other 5xx)           -> all kRetry
//   whole response 413                                       -> too_large: the *sink* splits the
//                                                              batch in half and resends
//   whole response 401/403                                   -> all kRetry with the reason: the
//                                                              credentials may be fixed without
//                                                              losing data (Open() reports them)
//   a body that does not parse, or has the wrong item count  -> all kRetry (outcome unknown; the
//                                                              writes are idempotent overwrites)

#include <string_view>
#include <vector>

#include "collector/sinks/sink.h"

namespace airfleet::collector::sinks::elasticsearch {

struct BulkOutcome {
  std::vector<ItemResult> items;  // exactly `expected_items` entries
  bool too_large = false;         // HTTP 413: split and resend; `items` are kRetry meanwhile
};

BulkOutcome ClassifyBulkResponse(int http_status, std::string_view body, size_t expected_items);

}  // namespace airfleet::collector::sinks::elasticsearch
