#include "collector/enrich/oui_table.h"

namespace airfleet::collector {
namespace {

constexpr uint64_t kLocallyAdministered = uint64_t{0x02} << 40;

}  // namespace

std::string_view OuiTable::Lookup(uint64_t mac) const {
  if ((mac & kLocallyAdministered) != 0) return {};
  for (size_t i = 0; i < kOuiPrefixBits.size(); ++i) {
    const auto& map = by_bits_[i];
    if (map.empty()) continue;
    auto it = map.find(mac >> (48 - kOuiPrefixBits[i]));
    if (it != map.end()) return it->second;
  }
  return {};
}

size_t OuiTable::size() const {
  size_t n = 0;
  for (const auto& map : by_bits_) n += map.size();
  return n;
}

bool OuiTableBuilder::Add(uint64_t prefix, int bits, std::string_view vendor) {
  if (vendor.empty()) return false;
  for (size_t i = 0; i < kOuiPrefixBits.size(); ++i) {
    if (kOuiPrefixBits[i] != bits) continue;
    if ((prefix >> bits) != 0) return false;
    table_->by_bits_[i].try_emplace(prefix, vendor);
    return true;
  }
  return false;
}

std::shared_ptr<const OuiTable> OuiTableBuilder::Build() {
  std::shared_ptr<const OuiTable> out = std::move(table_);
  table_ = std::make_unique<OuiTable>();
  return out;
}

}  // namespace airfleet::collector
