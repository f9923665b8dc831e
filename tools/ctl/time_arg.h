#pragma once

// Parses the time arguments of airfleetctl (--since, --until). `now_ns` comes from the caller so
// tests do not depend on the wall clock.

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace airfleet::ctl {

// Accepts, returning unix ns:
//  * a duration before now: "90s", "15m", "2h", "7d", "1w", or a sum like "1h30m";
//  * an RFC 3339 time: "2024-05-01T12:00:00Z", "2024-05-01T14:00:00+02:00";
//  * a date (UTC midnight): "2024-05-01";
//  * unix seconds after '@': "@1700000000".
// INVALID_ARGUMENT with the accepted forms in the message otherwise.
absl::StatusOr<int64_t> ParseTimeArg(std::string_view text, int64_t now_ns);

}  // namespace airfleet::ctl
