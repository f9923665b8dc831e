#pragma once

// How airfleetctl prints results: the same rows as an aligned table for people, or as JSON, CSV or
// NDJSON for scripts. Commands build a Table; only this file knows the formats.
//
// Each cell has a machine value (JSON: string, number, bool, null, array) used by json/ndjson/csv,
// and optionally a display string used by the table format (e.g. "5m" for a last-seen time whose
// value is unix ns). Strings that come from the air (SSIDs) must go through DisplayText() before
// they reach a cell, so a hostile SSID cannot inject terminal escapes or break CSV rows.
//
// Thread-safe: pure functions writing to the stream they are given.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace airfleet::ctl {

enum class Format { kTable, kJson, kCsv, kNdjson };

// "table", "json", "csv", "ndjson".
absl::StatusOr<Format> ParseFormat(std::string_view name);

struct Cell {
  Cell() = default;
  Cell(nlohmann::ordered_json v) : value(std::move(v)) {}  // NOLINT: cells read like values
  Cell(nlohmann::ordered_json v, std::string d) : value(std::move(v)), display(std::move(d)) {}

  nlohmann::ordered_json value;
  std::string display;  // empty: derived from value
};

struct Column {
  std::string key;     // JSON key and CSV header
  std::string header;  // table header
};

struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;  // each row has columns.size() cells
};

// Table: header line and aligned columns (numbers right-aligned), "-" for null.
// Json: a pretty array of objects. Ndjson: one compact object per line. Csv: RFC 4180, header row.
void WriteTable(const Table& table, Format format, std::ostream& out);

// One record (uses row 0): "Header: value" lines in table format; an object (not an array) in
// json/ndjson; header row + one row in csv.
void WriteRecord(const Table& table, Format format, std::ostream& out);

// One CSV line ending in "\n" of already-rendered fields, quoted where RFC 4180 needs it.
std::string CsvLine(const std::vector<std::string>& fields);
// A CSV field: quoted when it holds a comma, quote, CR, LF or leading/trailing space.
std::string CsvField(std::string_view field);
// The machine value as CSV text: null -> "", strings raw, arrays joined with ';', others as JSON.
std::string CsvText(const nlohmann::ordered_json& value);

// Printable form of raw bytes: printable ASCII kept, '\\' doubled, anything else as \xNN.
std::string DisplayText(std::string_view raw);
// Age as the largest whole unit: "42s", "5m", "3h", "12d". Negative ages (clock skew between
// collector and operator) print as "0s".
std::string FormatAge(int64_t age_ns);
// UTC time to the second, RFC 3339: "2023-11-14T22:13:20Z".
std::string FormatTime(int64_t unix_ns);

}  // namespace airfleet::ctl
