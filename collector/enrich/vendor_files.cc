#include "collector/enrich/vendor_files.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/csv.h"

namespace airfleet::collector {
namespace {

// Debian's absl::string_view is not std::string_view, so absl::StripAsciiWhitespace won't do.
std::string_view Strip(std::string_view s) {
  const char* kBlank = " \t\r\n";
  size_t b = s.find_first_not_of(kBlank);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kBlank) - b + 1);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Exactly `digits` hex digits -> value.
bool ParseHex(std::string_view s, size_t digits, uint64_t* out) {
  if (s.size() != digits) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d = HexDigit(c);
    if (d < 0) return false;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}

// Bits of an IEEE registry name; 0 if unknown (e.g. CID, which is not a MAC block).
int RegistryBits(std::string_view registry) {
  if (registry == "MA-L") return 24;
  if (registry == "MA-M") return 28;
  if (registry == "MA-S" || registry == "IAB") return 36;
  return 0;
}

// "00:1B:C5:00:00:00/36" or "00-00-0C" -> (prefix, bits).
bool ParseManufPrefix(std::string_view text, uint64_t* prefix, int* bits) {
  int mask = -1;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    std::string_view m = text.substr(slash + 1);
    if (m.empty() || m.size() > 2) return false;
    mask = 0;
    for (char c : m) {
      if (c < '0' || c > '9') return false;
      mask = mask * 10 + (c - '0');
    }
    text = text.substr(0, slash);
  }
  uint64_t value = 0;
  int octets = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find_first_of(":-.", i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view octet = text.substr(i, end - i);
    uint64_t v = 0;
    if (octets == 6 || octet.empty() || octet.size() > 2 || !ParseHex(octet, octet.size(), &v)) {
      return false;
    }
    value = (value << 8) | v;
    ++octets;
    i = end + 1;
    if (end == text.size()) break;
    if (i == text.size()) return false;  // trailing separator
  }
  if (octets == 0) return false;
  const int given = octets * 8;
  if (mask < 0) mask = given;
  if (mask == 0 || mask > given) return false;
  *prefix = value >> (given - mask);
  *bits = mask;
  return true;
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": ", std::strerror(errno)));
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", path));
  return ss.str();
}

}  // namespace

absl::StatusOr<VendorParseStats> ParseIeeeCsv(std::string_view text, OuiTableBuilder* builder) {
  VendorParseStats stats;
  CsvReader reader(text);
  CsvRecord record;
  if (!reader.Next(&record) || record.fields.size() < 3 || record.fields[0] != "Registry" ||
      record.fields[1] != "Assignment") {
    if (!reader.status().ok()) return reader.status();
    return absl::InvalidArgumentError(
        "not an IEEE registry CSV: want the header "
        "'Registry,Assignment,Organization Name,Organization Address'");
  }
  while (reader.Next(&record)) {
    const auto& f = record.fields;
    int bits = f.size() >= 3 ? RegistryBits(f[0]) : 0;
    uint64_t prefix = 0;
    std::string_view vendor = f.size() >= 3 ? Strip(f[2]) : std::string_view();
    if (bits == 0 || !ParseHex(f[1], static_cast<size_t>(bits / 4), &prefix) ||
        !builder->Add(prefix, bits, vendor)) {
      ++stats.skipped;
      continue;
    }
    ++stats.entries;
  }
  if (!reader.status().ok()) return reader.status();
  return stats;
}

VendorParseStats ParseManuf(std::string_view text, OuiTableBuilder* builder) {
  VendorParseStats stats;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = Strip(text.substr(pos, eol - pos));
    pos = eol + 1;
    if (line.empty() || line.front() == '#') continue;
    // Fields are tab-separated; very old files used spaces, so fall back to the first blank.
    std::vector<std::string_view> fields;
    const char* seps = line.find('\t') != std::string_view::npos ? "\t" : " ";
    for (size_t i = 0; i <= line.size();) {
      size_t end = line.find_first_of(seps, i);
      if (end == std::string_view::npos) end = line.size();
      std::string_view field = Strip(line.substr(i, end - i));
      if (!field.empty()) fields.push_back(field);
      i = end + 1;
      // With spaces, everything after the short name is the long name.
      if (*seps == ' ' && fields.size() == 2 && i < line.size()) {
        fields.push_back(Strip(line.substr(i)));
        break;
      }
    }
    uint64_t prefix = 0;
    int bits = 0;
    if (fields.size() < 2 || !ParseManufPrefix(fields[0], &prefix, &bits)) {
      ++stats.skipped;
      continue;
    }
    std::string_view vendor =
        fields.size() >= 3 && fields[2].front() != '#' ? fields[2] : fields[1];
    if (!builder->Add(prefix, bits, vendor)) {
      ++stats.skipped;
      continue;
    }
    ++stats.entries;
  }
  return stats;
}

std::vector<VendorFile> DefaultVendorFiles(const std::string& ieee_dir,
                                           const std::string& manuf_path) {
  std::vector<VendorFile> files;
  if (!ieee_dir.empty()) {
    for (const char* name : {"oui36.csv", "mam.csv", "iab.csv", "oui.csv"}) {
      files.push_back({absl::StrCat(ieee_dir, "/", name), VendorFileFormat::kIeeeCsv});
    }
  }
  if (!manuf_path.empty()) files.push_back({manuf_path, VendorFileFormat::kManuf});
  return files;
}

absl::StatusOr<VendorLoad> LoadVendorFiles(const std::vector<VendorFile>& files) {
  VendorLoad load;
  OuiTableBuilder builder;
  for (const VendorFile& file : files) {
    std::error_code ec;
    if (!std::filesystem::exists(file.path, ec) && !ec) {
      load.missing.push_back(file.path);
      continue;
    }
    absl::StatusOr<std::string> text = ReadWholeFile(file.path);
    if (!text.ok()) return text.status();
    if (file.format == VendorFileFormat::kIeeeCsv) {
      absl::StatusOr<VendorParseStats> stats = ParseIeeeCsv(*text, &builder);
      if (!stats.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(file.path, ": ", stats.status().message()));
      }
      load.skipped += stats->skipped;
    } else {
      load.skipped += ParseManuf(*text, &builder).skipped;
    }
    load.loaded.push_back(file.path);
  }
  load.table = builder.Build();
  return load;
}

}  // namespace airfleet::collector
