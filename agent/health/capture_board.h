#pragma once

// Hands the capture loop's counters to the uplink's heartbeat. The capture loop owns its counters
// on its own thread and publishes a copy now and then (AgentRunner: every 1,024 packets and when
// idle); the uplink reads the latest copy when it sends a heartbeat. The board outlives both, so
// a heartbeat after the capture loop has ended (a replay waiting for its backlog to drain) still
// reports the final counters.
//
// Threading: Publish and Latest may be called from any threads.

#include <mutex>

#include "airfleet/v1/batch.pb.h"

namespace airfleet::health {

class CaptureBoard {
 public:
  void Publish(const v1::CaptureStats& stats);
  // The last published counters; empty before the first Publish.
  v1::CaptureStats Latest() const;
  bool has_published() const;

 private:
  mutable std::mutex mu_;
  v1::CaptureStats latest_;  // guarded by mu_
  bool published_ = false;   // guarded by mu_
};

}  // namespace airfleet::health
