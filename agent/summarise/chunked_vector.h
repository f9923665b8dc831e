#pragma once

// A vector of trivially copyable T stored in fixed-size chunks. Unlike std::vector it never
// over-allocates by more than one chunk (std::vector's doubling wastes up to half), never moves
// elements (pointers stay valid while the element exists), and clear() keeps every chunk for
// reuse, so a table refilled to a similar size allocates nothing.
//
// Not thread-safe.

#include <cstddef>
#include <memory>
#include <type_traits>
#include <vector>

namespace airfleet::summarise {

template <typename T, size_t kChunk = 256>
class ChunkedVector {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  const T& operator[](size_t i) const { return chunks_[i / kChunk][i % kChunk]; }

  // Appends a value-initialised element and returns it.
  T& emplace_back() {
    if (size_ == chunks_.size() * kChunk) chunks_.push_back(std::make_unique<T[]>(kChunk));
    T& t = (*this)[size_++];
    t = T{};
    return t;
  }
  void clear() { size_ = 0; }
  size_t bytes() const {
    return chunks_.size() * kChunk * sizeof(T) + chunks_.capacity() * sizeof(void*);
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  size_t size_ = 0;
};

}  // namespace airfleet::summarise
