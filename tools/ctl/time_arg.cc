#include "tools/ctl/time_arg.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace airfleet::ctl {
namespace {

constexpr int64_t kNsPerSecond = 1000000000;

absl::Status Invalid(std::string_view text) {
  return absl::InvalidArgumentError(
      absl::StrCat("cannot read time '", std::string(text),
                   "': use a duration before now (90s, 15m, 2h, 7d, 1h30m), an RFC 3339 time "
                   "(2024-05-01T12:00:00Z), a date (2024-05-01) or unix seconds (@1700000000)"));
}

// "1h30m" -> seconds; nullopt-like false when it is not a duration.
bool ParseDurationSeconds(std::string_view text, int64_t* seconds) {
  if (text.empty()) return false;
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == start || i == text.size() || i - start > 9) return false;
    int64_t n = 0;
    for (size_t k = start; k < i; ++k) n = n * 10 + (text[k] - '0');
    int64_t unit;
    switch (text[i]) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      case 'w':
        unit = 7 * 86400;
        break;
      default:
        return false;
    }
    total += n * unit;
    ++i;
  }
  *seconds = total;
  return true;
}

}  // namespace

absl::StatusOr<int64_t> ParseTimeArg(std::string_view text, int64_t now_ns) {
  int64_t seconds = 0;
  if (ParseDurationSeconds(text, &seconds)) return now_ns - seconds * kNsPerSecond;
  if (!text.empty() && text[0] == '@') {
    int64_t unix = 0;
    if (!absl::SimpleAtoi(absl::string_view(text.data() + 1, text.size() - 1), &unix)) {
      return Invalid(text);
    }
    return unix * kNsPerSecond;
  }
  absl::string_view av(text.data(), text.size());
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, av, &t, &err) ||
      absl::ParseTime("%Y-%m-%d", av, absl::UTCTimeZone(), &t, &err)) {
    return absl::ToUnixNanos(t);
  }
  return Invalid(text);
}

}  // namespace airfleet::ctl
