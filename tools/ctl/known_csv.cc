#include "tools/ctl/known_csv.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/csv.h"
#include "common/mac.h"

namespace airfleet::ctl {
namespace {

constexpr size_t kMaxReported = 20;

std::string_view Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

}  // namespace

bool ParseKnownKind(std::string_view text, v1::KnownKind* kind) {
  if (text.empty() || text == "known") {
    *kind = v1::KNOWN_KIND_KNOWN;
  } else if (text == "guest") {
    *kind = v1::KNOWN_KIND_GUEST;
  } else {
    return false;
  }
  return true;
}

absl::StatusOr<std::vector<v1::KnownDevice>> ParseKnownCsv(std::string_view text) {
  // A UTF-8 byte order mark (spreadsheets add one) is not part of the first header name.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  CsvReader reader(text);
  CsvRecord header;
  if (!reader.Next(&header)) {
    if (!reader.status().ok()) return reader.status();
    return absl::InvalidArgumentError("empty file: want the header mac,name,owner,kind,tags");
  }
  enum Col { kMac, kName, kOwner, kKind, kTags, kNumCols };
  static constexpr const char* kNames[] = {"mac", "name", "owner", "kind", "tags"};
  int index[kNumCols] = {-1, -1, -1, -1, -1};
  for (size_t i = 0; i < header.fields.size(); ++i) {
    std::string_view name = Trim(header.fields[i]);
    // `known list -o csv` adds the collector's update time; importing that file ignores it.
    bool matched = name == "updated";
    for (int c = 0; c < kNumCols; ++c) {
      if (name == kNames[c] && index[c] < 0) {
        index[c] = static_cast<int>(i);
        matched = true;
      }
    }
    if (!matched) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", header.line, ": unknown or repeated column '", std::string(name),
                       "' (want mac,name,owner,kind,tags)"));
    }
  }
  if (index[kMac] < 0 || index[kName] < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", header.line, ": the header needs at least the columns mac and name"));
  }

  std::vector<v1::KnownDevice> out;
  std::vector<std::string> errors;
  absl::flat_hash_map<uint64_t, int> first_line;
  CsvRecord r;
  while (reader.Next(&r)) {
    auto field = [&](Col c) -> std::string_view {
      return index[c] >= 0 && static_cast<size_t>(index[c]) < r.fields.size()
                 ? Trim(r.fields[index[c]])
                 : std::string_view();
    };
    const std::string at = absl::StrCat("line ", r.line, ": ");
    if (r.fields.size() > header.fields.size()) {
      errors.push_back(
          absl::StrCat(at, r.fields.size(), " fields but the header has ", header.fields.size()));
      continue;
    }
    std::optional<Mac> mac = Mac::Parse(field(kMac));
    if (!mac) {
      errors.push_back(absl::StrCat(at, "'", std::string(field(kMac)), "' is not a MAC address"));
      continue;
    }
    if (auto [it, fresh] = first_line.try_emplace(mac->ToU64(), r.line); !fresh) {
      errors.push_back(absl::StrCat(at, mac->ToString(), " is already on line ", it->second));
      continue;
    }
    v1::KnownDevice d;
    d.set_mac(mac->ToU64());
    d.set_name(std::string(field(kName)));
    if (d.name().empty()) {
      errors.push_back(absl::StrCat(at, "name is empty"));
      continue;
    }
    d.set_owner(std::string(field(kOwner)));
    v1::KnownKind kind;
    if (!ParseKnownKind(field(kKind), &kind)) {
      errors.push_back(
          absl::StrCat(at, "kind '", std::string(field(kKind)), "' is not known or guest"));
      continue;
    }
    d.set_kind(kind);
    std::string_view tags = field(kTags);
    while (!tags.empty()) {
      size_t semi = tags.find(';');
      std::string_view tag = Trim(tags.substr(0, semi));
      if (!tag.empty()) d.add_tags(std::string(tag));
      if (semi == std::string_view::npos) break;
      tags.remove_prefix(semi + 1);
    }
    out.push_back(std::move(d));
  }
  if (!reader.status().ok()) errors.push_back(std::string(reader.status().message()));
  if (!errors.empty()) {
    size_t more = errors.size() > kMaxReported ? errors.size() - kMaxReported : 0;
    errors.resize(errors.size() - more);
    std::string msg = absl::StrJoin(errors, "\n");
    if (more > 0) absl::StrAppend(&msg, "\n... and ", more, " more");
    return absl::InvalidArgumentError(msg);
  }
  return out;
}

}  // namespace airfleet::ctl
