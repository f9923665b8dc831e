#pragma once

// A small RFC 4180 CSV reader shared by the collector's vendor-file loader and airfleetctl's
// known-device import. Pure: it reads a string the caller owns and does no I/O.
//
// Accepted: ',' separators, LF or CRLF line ends, quoted fields ("a, b"), doubled quotes inside
// quotes ("say ""hi"""), and line breaks inside quoted fields. Blank lines are skipped. Text after
// a closing quote and before the next separator is kept (lenient, as the IEEE files need no
// more and hand-written files sometimes have it).
//
// Thread-compatible: one reader per thread; the text must outlive the reader.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace airfleet {

struct CsvRecord {
  int line = 0;  // 1-based physical line where the record starts (for error messages)
  std::vector<std::string> fields;
};

class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {}

  // Reads the next non-blank record; false at the end of the text or on error (see status()).
  bool Next(CsvRecord* record);
  // Not OK after an unterminated quoted field ("line N: unterminated quoted field").
  const absl::Status& status() const { return status_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  absl::Status status_;
};

}  // namespace airfleet
