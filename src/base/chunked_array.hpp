// A growable array in fixed chunks: indexing as a vector, but growing never copies what is
// already there, so elements keep their address and the array never holds an old and a new
// copy of itself at once (a vector of 32,768 timer slots peaks at 1.5 times that while it
// doubles), and the room it keeps unused is less than a chunk instead of up to half of it.
// Chunks stay allocated when the array shrinks, to be reused; clear_unused() gives them back.
#pragma once
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace sipline::base {

template <typename T, std::size_t kChunk = 1024>
class ChunkedArray {
  static_assert((kChunk & (kChunk - 1)) == 0, "chunk size must be a power of two");

 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  const T& operator[](std::size_t i) const { return chunks_[i / kChunk][i % kChunk]; }
  T& front() { return (*this)[0]; }
  const T& front() const { return (*this)[0]; }
  T& back() { return (*this)[size_ - 1]; }

  // Appends a default-constructed element (reusing a kept chunk when there is one).
  T& emplace_back() {
    if (size_ == chunks_.size() * kChunk) chunks_.push_back(std::make_unique<T[]>(kChunk));
    T& slot = (*this)[size_++];
    slot = T{};
    return slot;
  }
  void push_back(T value) { emplace_back() = std::move(value); }
  // Removes the last element (reset to a default value: it holds nothing any more).
  void pop_back() { (*this)[--size_] = T{}; }
  // Keeps the elements for which `keep` holds, in order.
  template <typename Keep>
  void keep_if(Keep keep) {
    std::size_t out = 0;
    for (std::size_t i = 0; i < size_; ++i) {
      if (!keep((*this)[i])) continue;
      if (out != i) (*this)[out] = std::move((*this)[i]);
      ++out;
    }
    while (size_ > out) pop_back();
  }
  // Frees the chunks no element uses.
  void clear_unused() { chunks_.resize((size_ + kChunk - 1) / kChunk); }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace sipline::base
