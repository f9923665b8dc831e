#include "common/csv.h"

#include "absl/strings/str_cat.h"

namespace airfleet {

bool CsvReader::Next(CsvRecord* record) {
  record->fields.clear();
  if (!status_.ok()) return false;
  // Skip blank lines so a trailing newline or spacer lines are not empty records.
  while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\n') ++line_;
    ++pos_;
  }
  if (pos_ >= text_.size()) return false;
  record->line = line_;
  std::string field;
  bool in_quotes = false;
  bool was_quoted = false;  // a quote opened this field: a later '"' outside quotes is literal
  while (pos_ < text_.size()) {
    char c = text_[pos_++];
    if (in_quotes) {
      if (c == '"') {
        if (pos_ < text_.size() && text_[pos_] == '"') {
          field.push_back('"');
          ++pos_;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line_;
        field.push_back(c);
      }
      continue;
    }
    if (c == ',') {
      record->fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n') {
      ++line_;
      break;
    } else if (c == '\r' && (pos_ >= text_.size() || text_[pos_] == '\n')) {
      // CR of a CRLF line end (or a final CR): dropped.
    } else if (c == '"' && field.empty() && !was_quoted) {
      in_quotes = true;
      was_quoted = true;
    } else {
      field.push_back(c);
    }
  }
  if (in_quotes) {
    status_ = absl::InvalidArgumentError(
        absl::StrCat("line ", record->line, ": unterminated quoted field"));
    return false;
  }
  record->fields.push_back(std::move(field));
  return true;
}

}  // namespace airfleet
