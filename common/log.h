#pragma once

// The long-running processes' log lines on stderr (journald picks stderr up under systemd).
// Text (default): "airfleet-collector: message", as a person reads it in a terminal. JSON
// (--log-format json): one object per line for log shippers,
//   {"ts":"2026-12-03T07:04:05.123Z","level":"warning","program":"airfleet-collector",
//    "msg":"vendor files not loaded: ..."}
// with any extra fields after "msg". Both go out as one write per line, so lines from several
// threads never interleave.
//
// Thread-safe. Configure once at start (SetProgram, SetFormat) before other threads log.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace airfleet::log {

enum class Format { kText, kJson };
enum class Level { kInfo, kWarning, kError };

// "text" or "json".
absl::StatusOr<Format> ParseFormat(std::string_view name);

void SetProgram(std::string program);
void SetFormat(Format format);

using Fields = std::vector<std::pair<std::string, std::string>>;

// The line as it would be written, without the newline; `now_unix_ms` for the JSON timestamp.
std::string FormatLine(Format format, std::string_view program, Level level,
                       std::string_view message, const Fields& fields, int64_t now_unix_ms);

void Write(Level level, std::string_view message, const Fields& fields = {});
inline void Info(std::string_view message, const Fields& fields = {}) {
  Write(Level::kInfo, message, fields);
}
inline void Warning(std::string_view message, const Fields& fields = {}) {
  Write(Level::kWarning, message, fields);
}
inline void Error(std::string_view message, const Fields& fields = {}) {
  Write(Level::kError, message, fields);
}

}  // namespace airfleet::log
