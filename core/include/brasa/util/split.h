// Splitting text without allocating: lazy ranges of std::string_view into
// the text, for flat_map over lines (Spark's line.split(" ")):
//
//   ctx.text_file(path).flat_map([](const std::string& line) { return brasa::words(line); })
//
// gives an RDD<std::string>: flat_map makes each view a record while the
// line is alive (a map right after it gets each word as the string it
// takes, with no string in between). The views point into the text, so
// the text must outlive the range (take the line by const reference, not
// by value).
#pragma once

#include <cstddef>
#include <iterator>
#include <string_view>
#include <type_traits>

namespace brasa {

// The tokens of `text` between runs of separators; `Sep(c)` says whether c
// separates. Empty tokens are skipped when `skip_empty`.
template <class Sep, bool skip_empty> class SplitRange {
 public:
  class iterator {
   public:
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::forward_iterator_tag;

    iterator() = default;
    std::string_view operator*() const { return token_; }
    iterator& operator++() {
      advance();
      return *this;
    }
    iterator operator++(int) {
      iterator old = *this;
      advance();
      return old;
    }
    bool operator==(const iterator& o) const { return done_ == o.done_ && (done_ || token_.data() == o.token_.data()); }

   private:
    friend class SplitRange;
    iterator(const char* p, const char* end, bool done) : next_(p), end_(end), done_(done) {}

    // Finds the token starting at next_ (or the first non-empty one).
    void advance() {
      const char* p = next_;
      if constexpr (skip_empty)
        while (p < end_ && Sep{}(*p)) ++p;
      if (p == end_ && (skip_empty || past_end_)) {
        done_ = true;
        return;
      }
      const char* q = p;
      while (q < end_ && !Sep{}(*q)) ++q;
      token_ = std::string_view(p, static_cast<size_t>(q - p));
      past_end_ = q == end_;  // a trailing separator still ends an (empty) field
      next_ = q == end_ ? q : q + 1;
    }

    const char* next_ = nullptr;
    const char* end_ = nullptr;
    bool done_ = true;
    bool past_end_ = false;
    std::string_view token_;
  };

  explicit SplitRange(std::string_view text) : text_(text) {}
  iterator begin() const {
    iterator it(text_.data(), text_.data() + text_.size(), false);
    it.advance();
    return it;
  }
  iterator end() const { return iterator(nullptr, nullptr, true); }

 private:
  std::string_view text_;
};

template <class T> struct IsSplitRange : std::false_type {};
template <class Sep, bool skip_empty> struct IsSplitRange<SplitRange<Sep, skip_empty>> : std::true_type {};

namespace detail {
struct IsSpace {
  // ' ', '\t', '\n', '\v', '\f', '\r' (the last five are consecutive)
  bool operator()(char c) const { return c == ' ' || static_cast<unsigned char>(c - '\t') <= '\r' - '\t'; }
};
template <char sep> struct IsChar {
  bool operator()(char c) const { return c == sep; }
};
}  // namespace detail

// The words of `text`: maximal runs of non-whitespace (Python's str.split()).
inline SplitRange<detail::IsSpace, true> words(std::string_view text) { return SplitRange<detail::IsSpace, true>(text); }

// Every field of `text` between the separator `sep`, empty ones included:
// "a,,b," gives "a", "", "b", "" (and "" gives one empty field).
template <char sep> SplitRange<detail::IsChar<sep>, false> split(std::string_view text) {
  return SplitRange<detail::IsChar<sep>, false>(text);
}

}  // namespace brasa
