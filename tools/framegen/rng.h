#pragma once

// A small deterministic random generator (SplitMix64). The C++ standard library's distributions
// differ between implementations, so scenario files would change with the toolchain; this one
// gives the same sequence for a seed everywhere. Not cryptographic. Not thread-safe.

#include <cstdint>

namespace airfleet::framegen {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) for n > 0 (multiply-shift; bias below 2^-32 for the n used here).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  // Uniform in [lo, hi].
  int64_t Range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  // True with probability p.
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }

 private:
  uint64_t state_;
};

// Stateless mix of a few values into 64 bits (for addresses derived from (seed, id, epoch)).
inline uint64_t Mix(uint64_t a, uint64_t b, uint64_t c = 0) {
  Rng r(a ^ (b * 0x9e3779b97f4a7c15ULL) ^ (c * 0xc2b2ae3d27d4eb4fULL));
  r.Next();
  return r.Next();
}

}  // namespace airfleet::framegen
