#pragma once

// Backfill: hands data that was stored before the external sinks were configured (or while one
// was disabled) to the sinks, through the outbox like any newly committed batch. Windows and
// probes whose window starts at or after `since_ns` are named in new outbox entries (grouped by
// agent, at most `refs_per_entry` references each); the delivery loops then write their current
// merged records (and the devices and agents they belong to) as usual.
//
// The outbox is shared, so sinks that already have the data receive it again: writes are
// idempotent (deterministic document ids and primary keys), so that costs time, not duplicates.
// A large backfill can fill the outbox past its quota; the collector then holds acknowledgements
// (agents keep their data) until the sinks catch up, exactly as after a sink outage.

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "collector/store/store.h"

namespace airfleet::collector::sinks {

struct BackfillResult {
  uint64_t entries = 0;
  uint64_t windows = 0;
  uint64_t probes = 0;
};

absl::StatusOr<BackfillResult> BackfillOutbox(Store* store, int64_t since_ns, int64_t now_ns,
                                              size_t refs_per_entry = 500);

}  // namespace airfleet::collector::sinks
