#pragma once

// Splits a window's summaries into batches no larger than a byte limit. Pure: no I/O, no clock;
// sequence, stream id and timestamps are filled in by the spool.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "airfleet/v1/batch.pb.h"
#include "airfleet/v1/summary.pb.h"

namespace airfleet::spool {

// The privacy info (agent/privacy/) of the summaries of one window, or null when they are raw.
// Batches never mix summaries with different answers, so one Batch.privacy describes them all.
// The returned pointer must stay valid for the call that takes it.
using PrivacyForWindow = std::function<const v1::PrivacyInfo*(int64_t window_start_ns)>;

// Room left for the batch's own fields (agent id, stream id, sequence, created time, health).
inline constexpr size_t kBatchHeaderReserve = 4096;

// Moves `windows` then `probes`, in order, into batches whose serialized size stays within
// `max_batch_bytes` (minus kBatchHeaderReserve). A single summary larger than the limit gets a
// batch of its own rather than being dropped. Returns no batches when both inputs are empty.
// With `privacy`, a new batch also starts whenever the privacy info changes, and each batch
// carries its info in Batch.privacy.
std::vector<v1::Batch> SealBatches(std::vector<v1::DeviceWindow> windows,
                                   std::vector<v1::ProbeObservation> probes, size_t max_batch_bytes,
                                   const PrivacyForWindow& privacy = nullptr);

}  // namespace airfleet::spool
