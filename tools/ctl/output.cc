#include "tools/ctl/output.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "absl/strings/str_cat.h"

namespace airfleet::ctl {
namespace {

using Json = nlohmann::ordered_json;

// The table form of a value: arrays joined with ",", bools as yes/no, null as "-".
std::string TableText(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "-";
    case Json::value_t::string:
      return v.get<std::string>();
    case Json::value_t::boolean:
      return v.get<bool>() ? "yes" : "no";
    case Json::value_t::array: {
      std::string out;
      for (const auto& e : v) {
        if (!out.empty()) out += ",";
        out += TableText(e);
      }
      return out.empty() ? "-" : out;
    }
    default:
      return v.dump();
  }
}

std::string CellText(const Cell& c) { return c.display.empty() ? TableText(c.value) : c.display; }

Json RowObject(const Table& t, const std::vector<Cell>& row) {
  Json obj = Json::object();
  for (size_t i = 0; i < t.columns.size(); ++i) {
    obj[t.columns[i].key] = i < row.size() ? row[i].value : Json(nullptr);
  }
  return obj;
}

std::string Dump(const Json& j, int indent) {
  // `replace`: a bad UTF-8 byte must not abort the whole listing.
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

// Display width in terminal columns, counting UTF-8 sequences as one column each.
size_t Width(std::string_view s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xc0) != 0x80;
  return w;
}

void Pad(std::ostream& out, size_t n) {
  for (size_t i = 0; i < n; ++i) out << ' ';
}

void WriteCsv(const Table& t, const std::vector<const std::vector<Cell>*>& rows,
              std::ostream& out) {
  std::vector<std::string> fields;
  for (const Column& c : t.columns) fields.push_back(c.key);
  out << CsvLine(fields);
  for (const auto* row : rows) {
    fields.clear();
    for (size_t i = 0; i < t.columns.size(); ++i) {
      fields.push_back(i < row->size() ? CsvText((*row)[i].value) : "");
    }
    out << CsvLine(fields);
  }
}

}  // namespace

absl::StatusOr<Format> ParseFormat(std::string_view name) {
  if (name == "table") return Format::kTable;
  if (name == "json") return Format::kJson;
  if (name == "csv") return Format::kCsv;
  if (name == "ndjson") return Format::kNdjson;
  return absl::InvalidArgumentError(absl::StrCat("unknown output format '", std::string(name),
                                                 "': expected table, json, csv or ndjson"));
}

void WriteTable(const Table& t, Format format, std::ostream& out) {
  switch (format) {
    case Format::kJson: {
      Json arr = Json::array();
      for (const auto& row : t.rows) arr.push_back(RowObject(t, row));
      out << Dump(arr, 2) << "\n";
      return;
    }
    case Format::kNdjson:
      for (const auto& row : t.rows) out << Dump(RowObject(t, row), -1) << "\n";
      return;
    case Format::kCsv: {
      std::vector<const std::vector<Cell>*> rows;
      for (const auto& row : t.rows) rows.push_back(&row);
      WriteCsv(t, rows, out);
      return;
    }
    case Format::kTable:
      break;
  }
  const size_t n = t.columns.size();
  std::vector<std::vector<std::string>> text(t.rows.size(), std::vector<std::string>(n));
  std::vector<size_t> width(n);
  // A column is numeric (right-aligned) when it has a number and every non-null value in it is a
  // number printed as such; display texts (ages, times) read better left-aligned.
  std::vector<bool> numeric(n, true), any_number(n, false);
  for (size_t c = 0; c < n; ++c) width[c] = Width(t.columns[c].header);
  for (size_t r = 0; r < t.rows.size(); ++r) {
    for (size_t c = 0; c < n; ++c) {
      Cell empty;
      const Cell& cell = c < t.rows[r].size() ? t.rows[r][c] : empty;
      text[r][c] = CellText(cell);
      width[c] = std::max(width[c], Width(text[r][c]));
      if (cell.value.is_null()) continue;
      if (!cell.value.is_number() || !cell.display.empty()) numeric[c] = false;
      any_number[c] = true;
    }
  }
  for (size_t c = 0; c < n; ++c) numeric[c] = numeric[c] && any_number[c];
  auto write_line = [&](const std::vector<std::string>& fields, bool header) {
    std::string line;
    for (size_t c = 0; c < n; ++c) {
      size_t pad = width[c] - Width(fields[c]);
      bool right = numeric[c] && !header;
      if (c > 0) line += "  ";
      if (right) line.append(pad, ' ');
      line += fields[c];
      if (!right && c + 1 < n) line.append(pad, ' ');
    }
    out << line << "\n";
  };
  std::vector<std::string> headers;
  for (size_t c = 0; c < n; ++c) {
    // Numeric column headers are right-aligned like their values.
    if (numeric[c]) {
      headers.push_back(std::string(width[c] - Width(t.columns[c].header), ' ') +
                        t.columns[c].header);
    } else {
      headers.push_back(t.columns[c].header);
    }
  }
  write_line(headers, true);
  for (const auto& row : text) write_line(row, false);
}

void WriteRecord(const Table& t, Format format, std::ostream& out) {
  static const std::vector<Cell> kEmpty;
  const std::vector<Cell>& row = t.rows.empty() ? kEmpty : t.rows[0];
  switch (format) {
    case Format::kJson:
      out << Dump(RowObject(t, row), 2) << "\n";
      return;
    case Format::kNdjson:
      out << Dump(RowObject(t, row), -1) << "\n";
      return;
    case Format::kCsv:
      WriteCsv(t, {&row}, out);
      return;
    case Format::kTable:
      break;
  }
  size_t width = 0;
  for (const Column& c : t.columns) width = std::max(width, Width(c.header));
  for (size_t i = 0; i < t.columns.size(); ++i) {
    out << t.columns[i].header << ":";
    Pad(out, width - Width(t.columns[i].header) + 2);
    out << (i < row.size() ? CellText(row[i]) : "-") << "\n";
  }
}

std::string CsvField(std::string_view f) {
  bool quote = f.find_first_of(",\"\r\n") != std::string_view::npos ||
               (!f.empty() && (f.front() == ' ' || f.back() == ' '));
  if (!quote) return std::string(f);
  std::string out = "\"";
  for (char c : f) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    line += CsvField(fields[i]);
  }
  line += '\n';
  return line;
}

std::string CsvText(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "";
    case Json::value_t::string:
      return v.get<std::string>();
    case Json::value_t::array: {
      std::string out;
      for (size_t i = 0; i < v.size(); ++i) {
        if (i > 0) out += ';';
        out += v[i].is_string() ? v[i].get<std::string>() : Dump(v[i], -1);
      }
      return out;
    }
    default:
      return Dump(v, -1);
  }
}

std::string DisplayText(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size());
  for (unsigned char c : raw) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string FormatAge(int64_t age_ns) {
  int64_t s = age_ns > 0 ? age_ns / 1000000000 : 0;
  if (s < 60) return absl::StrCat(s, "s");
  if (s < 3600) return absl::StrCat(s / 60, "m");
  if (s < 86400) return absl::StrCat(s / 3600, "h");
  return absl::StrCat(s / 86400, "d");
}

std::string FormatTime(int64_t unix_ns) {
  // Floor division so times before 1970 still print the right second.
  int64_t secs = unix_ns / 1000000000;
  if (unix_ns % 1000000000 < 0) --secs;
  time_t t = static_cast<time_t>(secs);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace airfleet::ctl
