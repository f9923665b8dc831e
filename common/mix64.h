#pragma once

#include <cstdint>

namespace airfleet {

// 64-bit finaliser (MurmurHash3 fmix64): spreads values whose low bits may be sequential (MAC
// addresses), and mixes the words of a content hash.
inline uint64_t Mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace airfleet
