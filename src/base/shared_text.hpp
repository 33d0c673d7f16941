// An immutable string whose copies share one buffer: 8 bytes where a std::string is 32, and a
// copy costs a reference count instead of an allocation. For settings that thousands of
// accounts hold the same value of (a [[fleet]]'s user_agent, tls_ca_file, password_file...),
// or that are mostly empty (nothing allocated then).
#pragma once
#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace sipline::base {

class SharedText {
 public:
  SharedText() = default;
  SharedText(std::string text) : rep_(text.empty() ? nullptr : new Rep{{1}, std::move(text)}) {}
  SharedText(const char* text) : SharedText(std::string(text)) {}
  SharedText(std::string_view text) : SharedText(std::string(text)) {}
  SharedText(const SharedText& o) noexcept : rep_(o.rep_) {
    if (rep_ != nullptr) rep_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  SharedText(SharedText&& o) noexcept : rep_(std::exchange(o.rep_, nullptr)) {}
  SharedText& operator=(SharedText o) noexcept {
    std::swap(rep_, o.rep_);
    return *this;
  }
  ~SharedText() { release(); }

  const std::string& str() const { return rep_ != nullptr ? rep_->text : empty_string(); }
  operator const std::string&() const { return str(); }  // NOLINT: reads as the string it is
  operator std::string_view() const { return str(); }    // NOLINT
  bool empty() const { return rep_ == nullptr; }
  void clear() noexcept { release(); }
  std::size_t size() const { return str().size(); }
  const char* c_str() const { return str().c_str(); }
  const char* data() const { return str().data(); }
  // Copies sharing this one's buffer (tests, and the proof a template's copies share it).
  bool shares_with(const SharedText& o) const { return rep_ == o.rep_; }

  friend bool operator==(const SharedText& a, const SharedText& b) {
    return a.rep_ == b.rep_ || a.str() == b.str();
  }
  friend bool operator==(const SharedText& a, std::string_view b) { return a.str() == b; }
  friend bool operator==(const SharedText& a, const std::string& b) { return a.str() == b; }
  friend bool operator==(const SharedText& a, const char* b) { return a.str() == b; }
  friend std::string operator+(std::string_view a, const SharedText& b) {
    return std::string(a).append(b.str());
  }
  friend std::string operator+(const SharedText& a, std::string_view b) {
    return std::string(a.str()).append(b);
  }

 private:
  struct Rep {
    std::atomic<std::size_t> refs;  // copies may live on the HTTP threads (settings, reload)
    std::string text;
  };
  static const std::string& empty_string() {
    static const std::string kEmpty;
    return kEmpty;
  }
  void release() noexcept {
    if (rep_ != nullptr && rep_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete rep_;
    rep_ = nullptr;
  }
  Rep* rep_ = nullptr;
};

}  // namespace sipline::base
