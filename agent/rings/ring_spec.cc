#include "agent/rings/ring_spec.h"

#include <time.h>

#include "absl/strings/str_cat.h"

namespace airfleet::rings {
namespace {

// Fields that expand to digits and '-' only, so an expanded name is as safe as the pattern.
// (%T, %c, %b ... would bring ':' or spaces and locale text into file names.)
constexpr std::string_view kAllowedFields = "YymdHMSjsF%";

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > kMaxRingNameLength) return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool IsPlainFileName(const std::string& name) {
  if (name.empty() || name[0] == '.') return false;  // also rules out "." and ".."
  return name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
}

absl::Status ValidateRingSpec(const RingSpec& spec) {
  if (!ValidName(spec.name)) {
    return absl::InvalidArgumentError(absl::StrCat("ring name \"", spec.name, "\" must be 1 to ",
                                                   kMaxRingNameLength,
                                                   " characters from A-Z a-z 0-9 _ -"));
  }
  const std::string& p = spec.file_pattern;
  if (p.empty() || p.size() > kMaxFilePatternLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("file pattern must be 1 to ", kMaxFilePatternLength, " characters"));
  }
  if (p.find('/') != std::string::npos || p.find("..") != std::string::npos || p[0] == '.') {
    return absl::InvalidArgumentError(absl::StrCat(
        "file pattern \"", p, "\" must be a plain file name: no '/', no \"..\", no leading '.'"));
  }
  for (size_t i = 0; i < p.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError("file pattern contains a control character");
    }
    if (c != '%') continue;
    if (i + 1 == p.size() || kAllowedFields.find(p[i + 1]) == std::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("file pattern \"", p, "\": unsupported field at position ", i,
                       "; allowed: %Y %y %m %d %H %M %S %j %s %F %%"));
    }
    ++i;
  }
  if (spec.rotate_seconds < 0) {
    return absl::InvalidArgumentError("rotate_seconds must not be negative");
  }
  if (spec.rotate_seconds == 0 && spec.rotate_bytes == 0) {
    return absl::InvalidArgumentError(
        "a ring needs a rotation rule: rotate_seconds and/or rotate_bytes above 0");
  }
  if (spec.rotate_bytes != 0 && spec.rotate_bytes < kMinRotateBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("rotate_bytes must be 0 (off) or at least ", kMinRotateBytes));
  }
  if (spec.keep_files < 1 || spec.keep_files > kMaxKeepFiles) {
    return absl::InvalidArgumentError(
        absl::StrCat("keep_files must be between 1 and ", kMaxKeepFiles));
  }
  return absl::OkStatus();
}

std::string ExpandFilePattern(const std::string& pattern, int64_t timestamp_ns) {
  const int64_t sec = timestamp_ns >= 0 ? timestamp_ns / 1'000'000'000
                                        : (timestamp_ns - 999'999'999) / 1'000'000'000;
  const time_t t = static_cast<time_t>(sec);
  struct tm tm_utc;
  gmtime_r(&t, &tm_utc);
  // %s is the local-time epoch in glibc's strftime; expand it ourselves so it is UTC like the rest.
  std::string fixed;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '%' && i + 1 < pattern.size()) {
      if (pattern[i + 1] == 's') {
        fixed += std::to_string(sec);
      } else {
        fixed.append(pattern, i, 2);
      }
      ++i;
    } else {
      fixed.push_back(pattern[i]);
    }
  }
  char buf[512];
  const size_t n = strftime(buf, sizeof buf, fixed.c_str(), &tm_utc);
  return std::string(buf, n);
}

}  // namespace airfleet::rings
