#pragma once

// Splits a window's summaries into batches no larger than a byte limit. Pure: no I/O, no clock;
// sequence, stream id and timestamps are filled in by the spool.

#include <cstddef>
#include <vector>

#include "airfleet/v1/batch.pb.h"
#include "airfleet/v1/summary.pb.h"

namespace airfleet::spool {

// Room left for the batch's own fields (agent id, stream id, sequence, created time, health).
inline constexpr size_t kBatchHeaderReserve = 4096;

// Moves `windows` then `probes`, in order, into batches whose serialized size stays within
// `max_batch_bytes` (minus kBatchHeaderReserve). A single summary larger than the limit gets a
// batch of its own rather than being dropped. Returns no batches when both inputs are empty.
std::vector<v1::Batch> SealBatches(std::vector<v1::DeviceWindow> windows,
                                   std::vector<v1::ProbeObservation> probes,
                                   size_t max_batch_bytes);

}  // namespace airfleet::spool
