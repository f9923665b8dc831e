#include "common/log.h"

#include <unistd.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace airfleet::log {
namespace {

std::atomic<Format> g_format{Format::kText};
std::mutex g_program_mu;
std::string g_program = "airfleet";  // guarded by g_program_mu

const char* LevelName(Level level) {
  switch (level) {
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

absl::StatusOr<Format> ParseFormat(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("log format '", std::string(name), "' is not one of: text, json"));
}

void SetProgram(std::string program) {
  std::lock_guard<std::mutex> lock(g_program_mu);
  g_program = std::move(program);
}

void SetFormat(Format format) { g_format.store(format); }

std::string FormatLine(Format format, std::string_view program, Level level,
                       std::string_view message, const Fields& fields, int64_t now_unix_ms) {
  if (format == Format::kText) {
    std::string line = absl::StrCat(std::string(program), ": ", std::string(message));
    for (const auto& [key, value] : fields) absl::StrAppend(&line, " ", key, "=", value);
    return line;
  }
  nlohmann::ordered_json j;
  j["ts"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixMillis(now_unix_ms),
                             absl::UTCTimeZone());
  j["level"] = LevelName(level);
  j["program"] = std::string(program);
  j["msg"] = std::string(message);
  for (const auto& [key, value] : fields) j[key] = value;
  // Invalid UTF-8 (an SSID in a message) is replaced, never a reason to lose the line.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void Write(Level level, std::string_view message, const Fields& fields) {
  std::string program;
  {
    std::lock_guard<std::mutex> lock(g_program_mu);
    program = g_program;
  }
  std::string line =
      FormatLine(g_format.load(), program, level, message, fields, absl::ToUnixMillis(absl::Now()));
  line.push_back('\n');
  // One write(2) per line: concurrent lines do not interleave (stdio may split them).
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace airfleet::log
