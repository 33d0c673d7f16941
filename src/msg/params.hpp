// Params: the parameter list of a URI or header value. A small vector: up to four parameters
// live inline (no allocation, the common case), more spill to the heap. It offers the parts of
// std::vector's interface that parameter lists need (iteration, size, push_back, indexing).
// UriHeaders (a URI's rare ?headers) keeps nothing inline, so a Uri stays small; it converts
// to Params implicitly.
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <new>
#include <span>
#include <string_view>

namespace sipline::msg {

struct Param {
  std::string_view name;
  std::string_view value;  // empty when the parameter has no "=value"; quotes removed
  bool has_value = false;
};

template <std::size_t N>
class BasicParams {
 public:
  using value_type = Param;
  using iterator = Param*;
  using const_iterator = const Param*;
  using size_type = std::size_t;
  static constexpr std::size_t kInline = N;

  // User-provided on purpose: value-initialising a Params (or a Contact holding three) must
  // not zero the inline buffer.
  BasicParams() noexcept {}  // NOLINT(modernize-use-equals-default)
  BasicParams(std::initializer_list<Param> init) {
    for (const Param& p : init) push_back(p);
  }
  BasicParams(const BasicParams& other) { append(other); }
  template <std::size_t M>
  BasicParams(const BasicParams<M>& other) {  // NOLINT(google-explicit-constructor)
    append(other);
  }
  BasicParams(BasicParams&& other) noexcept { take(other); }
  BasicParams& operator=(const BasicParams& other) {
    if (this != &other) {
      clear();
      append(other);
    }
    return *this;
  }
  BasicParams& operator=(BasicParams&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }
  ~BasicParams() {
    if (heap_ != nullptr) ::operator delete(heap_);
  }

  Param* data() { return heap_ != nullptr ? heap_ : inline_data(); }
  const Param* data() const { return heap_ != nullptr ? heap_ : inline_data(); }
  iterator begin() { return data(); }
  iterator end() { return data() + size_; }
  const_iterator begin() const { return data(); }
  const_iterator end() const { return data() + size_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t capacity() const { return cap_; }
  Param& operator[](std::size_t i) { return data()[i]; }
  const Param& operator[](std::size_t i) const { return data()[i]; }
  Param& front() { return data()[0]; }
  const Param& front() const { return data()[0]; }
  Param& back() { return data()[size_ - 1]; }
  const Param& back() const { return data()[size_ - 1]; }

  void push_back(const Param& p) {
    if (size_ == cap_) grow(cap_ < 2 ? 4 : cap_ * 2);
    ::new (static_cast<void*>(data() + size_)) Param(p);
    ++size_;
  }
  template <typename... Args>
  Param& emplace_back(Args&&... args) {
    push_back(Param{static_cast<Args&&>(args)...});
    return back();
  }
  void reserve(std::size_t n) {
    if (n > cap_) grow(n);
  }
  void clear() { size_ = 0; }

 private:
  Param* inline_data() { return std::launder(reinterpret_cast<Param*>(inline_)); }
  const Param* inline_data() const { return std::launder(reinterpret_cast<const Param*>(inline_)); }
  void grow(std::size_t n) {
    Param* fresh = static_cast<Param*>(::operator new(n * sizeof(Param)));
    const Param* old = data();
    for (std::size_t i = 0; i < size_; ++i) ::new (static_cast<void*>(fresh + i)) Param(old[i]);
    release_heap();
    heap_ = fresh;
    cap_ = static_cast<std::uint32_t>(n);
  }
  template <std::size_t M>
  void append(const BasicParams<M>& other) {
    reserve(other.size());
    for (const Param& p : other) push_back(p);
  }
  void take(BasicParams& other) {
    if (other.heap_ != nullptr) {
      heap_ = other.heap_;
      cap_ = other.cap_;
      size_ = other.size_;
      other.heap_ = nullptr;
      other.cap_ = N;
      other.size_ = 0;
      return;
    }
    for (std::size_t i = 0; i < other.size_; ++i) {
      ::new (static_cast<void*>(inline_data() + i)) Param(other.inline_data()[i]);
    }
    size_ = other.size_;
    other.size_ = 0;
  }
  void release_heap() {
    if (heap_ != nullptr) ::operator delete(heap_);
    heap_ = nullptr;
  }
  void release() {
    release_heap();
    cap_ = N;
    size_ = 0;
  }

  Param* heap_ = nullptr;
  std::uint32_t size_ = 0;
  std::uint32_t cap_ = N;
  alignas(Param) unsigned char inline_[(N == 0 ? 1 : N) * sizeof(Param)];
};

using Params = BasicParams<4>;
using UriHeaders = BasicParams<0>;

}  // namespace sipline::msg
