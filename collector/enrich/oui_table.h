#pragma once

// MAC prefix -> vendor name, longest prefix first: MA-S (36 bits) over MA-M (28) over MA-L (24).
//
// A table is immutable once built (OuiTableBuilder::Build), so readers share it through a
// shared_ptr<const OuiTable> with no locking; a reload builds a new table and swaps the pointer
// (vendor_db.h). Lookup is three hash probes and never allocates.
//
// Locally administered addresses (bit 0x02 of the first octet) are how randomised MACs present
// themselves; their prefix was not assigned to anyone, so they get no vendor.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"

namespace airfleet::collector {

// The prefix lengths the IEEE assigns (and Wireshark's manuf uses).
inline constexpr std::array<int, 3> kOuiPrefixBits = {36, 28, 24};

class OuiTable {
 public:
  // Vendor of a 48-bit MAC (wire form, first octet most significant); empty if unknown or
  // locally administered. The view lives as long as the table.
  std::string_view Lookup(uint64_t mac) const;

  size_t size() const;

 private:
  friend class OuiTableBuilder;
  // by_bits_[i] holds kOuiPrefixBits[i]-bit prefixes (the MAC shifted right by 48 - bits).
  std::array<absl::flat_hash_map<uint64_t, std::string>, kOuiPrefixBits.size()> by_bits_;
};

class OuiTableBuilder {
 public:
  OuiTableBuilder() : table_(std::make_unique<OuiTable>()) {}

  // Adds `prefix` (its top `bits` bits, right-aligned: 0x00000C for 00:00:0C/24) unless that
  // prefix is already present: the first source added wins, so add sources in order of trust.
  // Returns false (and adds nothing) when `bits` is not one of kOuiPrefixBits, the prefix does
  // not fit in `bits`, or the vendor is empty.
  bool Add(uint64_t prefix, int bits, std::string_view vendor);

  // Ends building; the builder is empty afterwards.
  std::shared_ptr<const OuiTable> Build();

 private:
  std::unique_ptr<OuiTable> table_;
};

}  // namespace airfleet::collector
