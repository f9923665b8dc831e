#pragma once

// An open-addressing hash index from a key to a position in a caller-owned vector. The caller
// keeps its entries (and their keys) in a std::vector and compares keys itself; the index only
// stores (hash, position) pairs, 8 bytes a slot.
//
// Why not absl::flat_hash_map: the summariser clears its per-window tables every window and
// needs the memory back without freeing it (flat_hash_map::clear() deallocates tables above 127
// slots), so that steady state performs no heap allocation; and it wants exact byte accounting.
//
// Not thread-safe. Positions must be < 2^32 - 1.

#include <cstdint>
#include <cstring>
#include <vector>

#include "common/mix64.h"

namespace airfleet::summarise {

class SlotIndex {
 public:
  static constexpr uint32_t kEmpty = 0xffffffffu;

  // Forgets every entry, keeping the slot array.
  void Clear() {
    if (size_ != 0) std::memset(slots_.data(), 0xff, slots_.size() * sizeof(Slot));
    size_ = 0;
  }

  // Makes room for n entries without growing later (load factor <= 1/2).
  void Reserve(size_t n) {
    size_t cap = 16;
    while (cap < 2 * n) cap <<= 1;
    if (cap > slots_.size()) Rehash(cap);
  }

  // Returns the position stored for the key with this hash for which eq(position) is true, or
  // kEmpty.
  template <typename Eq>
  uint32_t Find(uint64_t hash, Eq eq) const {
    if (slots_.empty()) return kEmpty;
    const uint32_t tag = Tag(hash);
    const size_t mask = slots_.size() - 1;
    for (size_t i = tag & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.pos == kEmpty) return kEmpty;
      if (s.tag == tag && eq(s.pos)) return s.pos;
    }
  }

  // Records a key known not to be present at position `pos`.
  void Insert(uint64_t hash, uint32_t pos) {
    if (2 * (size_ + 1) > slots_.size()) Rehash(slots_.empty() ? 16 : slots_.size() * 2);
    Place(Tag(hash), pos);
    ++size_;
  }

  size_t size() const { return size_; }
  size_t bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    uint32_t tag;
    uint32_t pos;
  };

  // The slot position and the equality pre-check both use these 32 bits, so a rehash needs no
  // access to the keys.
  static uint32_t Tag(uint64_t hash) { return static_cast<uint32_t>(hash ^ (hash >> 32)); }

  void Place(uint32_t tag, uint32_t pos) {
    const size_t mask = slots_.size() - 1;
    size_t i = tag & mask;
    while (slots_[i].pos != kEmpty) i = (i + 1) & mask;
    slots_[i] = Slot{tag, pos};
  }

  void Rehash(size_t cap) {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(cap, Slot{kEmpty, kEmpty});
    for (const Slot& s : old) {
      if (s.pos != kEmpty) Place(s.tag, s.pos);
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

using ::airfleet::Mix64;  // common/mix64.h

}  // namespace airfleet::summarise
