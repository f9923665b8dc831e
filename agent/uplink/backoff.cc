#include "agent/uplink/backoff.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace airfleet::uplink {

Backoff::Backoff(BackoffPolicy policy, std::function<uint64_t()> random64)
    : policy_(policy), random64_(std::move(random64)) {}

int64_t Backoff::CeilingNs() const {
  const double ceiling =
      static_cast<double>(policy_.initial_ns) * std::pow(policy_.multiplier, failures_);
  if (ceiling >= static_cast<double>(policy_.max_ns)) return policy_.max_ns;
  return static_cast<int64_t>(ceiling);
}

int64_t Backoff::NextDelayNs() {
  const int64_t ceiling = CeilingNs();
  // Scale the 64-bit draw onto [0, ceiling] without modulo bias.
  const unsigned __int128 scaled =
      static_cast<unsigned __int128>(random64_()) * static_cast<uint64_t>(ceiling + 1);
  // Stop growing once capped so the exponent cannot overflow after a long outage.
  if (ceiling < policy_.max_ns) ++failures_;
  return static_cast<int64_t>(scaled >> 64);
}

}  // namespace airfleet::uplink
