#pragma once

// Reconnect delays: exponential growth with "full jitter" (a uniform draw between 0 and the
// current ceiling), capped. Full jitter spreads a fleet of agents that lost the collector at the
// same moment, so they do not all reconnect in lock-step when it comes back.
//
// Pure: randomness is injected. Not thread-safe (owned by the uplink's supervisor thread).

#include <cstdint>
#include <functional>

namespace airfleet::uplink {

struct BackoffPolicy {
  int64_t initial_ns = 200'000'000;  // 200 ms
  int64_t max_ns = 30'000'000'000;   // 30 s
  double multiplier = 2.0;
};

class Backoff {
 public:
  // `random64` returns uniformly distributed 64-bit values.
  Backoff(BackoffPolicy policy, std::function<uint64_t()> random64);

  // The ceiling for the next attempt: min(max, initial * multiplier^failures).
  int64_t CeilingNs() const;
  // A delay in [0, CeilingNs()], then the ceiling grows.
  int64_t NextDelayNs();
  // After a healthy connection: start again from the initial ceiling.
  void Reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  BackoffPolicy policy_;
  std::function<uint64_t()> random64_;
  int failures_ = 0;
};

}  // namespace airfleet::uplink
