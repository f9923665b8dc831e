#pragma once

// The agent's uplink: moves batches from the spool to the collector and deletes them from the
// spool once the collector acknowledges them (at-least-once; the collector deduplicates).
//
// Threading: Start/DrainAndStop/Stop from one owner thread; State() from any thread.

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace airfleet::uplink {

// A health snapshot.
struct UplinkState {
  // The current stream is established (Hello written) and has not failed.
  bool connected = false;
  // Human explanation of the most recent failure ("" if none since the last success).
  std::string last_error;
  // Highest sequence the collector acknowledged in this process (0 = none).
  uint64_t acked_sequence = 0;
  // Batches written on the current stream and not yet acknowledged.
  uint64_t in_flight = 0;
  // Batch messages written since start (re-sends after a reconnect count again).
  uint64_t batches_sent = 0;
  // Streams opened since start (1 + reconnects).
  uint64_t streams_started = 0;
  // Times the sender stopped because `window` batches were unacknowledged.
  uint64_t window_full_waits = 0;
  // The delay chosen before the next reconnect attempt (0 while connected).
  int64_t next_retry_delay_ns = 0;
};

class Uplink {
 public:
  virtual ~Uplink() = default;
  // Starts the background sender; returns at once.
  virtual absl::Status Start() = 0;
  // Waits until the spool is empty and nothing is in flight (OK), or `deadline` passes
  // (DeadlineExceeded), then stops. For `--exit-when-drained`.
  virtual absl::Status DrainAndStop(absl::Time deadline) = 0;
  // Cancels the stream and joins the sender. Idempotent.
  virtual void Stop() = 0;
  virtual UplinkState State() const = 0;
};

}  // namespace airfleet::uplink
