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
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string_view>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace brasa {

namespace detail {
struct IsSpace {
  // ' ', '\t', '\n', '\v', '\f', '\r' (the last five are consecutive)
  bool operator()(char c) const { return c == ' ' || static_cast<unsigned char>(c - '\t') <= '\r' - '\t'; }
#if defined(__SSE2__)
  static __m128i mask(__m128i x) {
    const __m128i ctl = _mm_sub_epi8(x, _mm_set1_epi8('\t'));
    return _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')),
                        _mm_cmpeq_epi8(_mm_min_epu8(ctl, _mm_set1_epi8('\r' - '\t')), ctl));
  }
#endif
};
template <char sep> struct IsChar {
  bool operator()(char c) const { return c == sep; }
#if defined(__SSE2__)
  static __m128i mask(__m128i x) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(sep)); }
#endif
};

// Calls f(i) for each i in [0, n) where text[i] is a separator, 16 bytes at
// a time: one compare and a bit scan per separator, no branch per byte
// (the per-byte loop mispredicts at the end of every word). Never reads
// outside the text.
template <class Sep, class F> void for_each_separator(std::string_view text, F&& f) {
  const char* p = text.data();
  const size_t n = text.size();
  size_t off = 0;
#if defined(__SSE2__)
  auto bits = [](__m128i x) { return static_cast<uint32_t>(_mm_movemask_epi8(Sep::mask(x))); };
  for (; off + 16 <= n; off += 16)
    for (uint32_t m = bits(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + off))); m; m &= m - 1)
      f(off + static_cast<size_t>(__builtin_ctz(m)));
  if (off < n) {  // the tail, through a copy so as not to read past the text
    alignas(16) char tail[16] = {};
    std::memcpy(tail, p + off, n - off);
    for (uint32_t m = bits(_mm_load_si128(reinterpret_cast<const __m128i*>(tail))) & ((1u << (n - off)) - 1); m;
         m &= m - 1)
      f(off + static_cast<size_t>(__builtin_ctz(m)));
  }
#else
  for (; off < n; ++off)
    if (Sep{}(p[off])) f(off);
#endif
}
}  // namespace detail

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

  // Calls f(token) for each token in order, as iterating does, but finding
  // the separators 16 bytes at a time (what flat_map uses).
  template <class F> void for_each(F&& f) const {
    const char* p = text_.data();
    size_t start = 0;  // of the current token
    detail::for_each_separator<Sep>(text_, [&](size_t i) {
      if (!skip_empty || i > start) f(std::string_view(p + start, i - start));
      start = i + 1;
    });
    if (!skip_empty || start < text_.size()) f(std::string_view(p + start, text_.size() - start));
  }

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

// The words of `text`: maximal runs of non-whitespace (Python's str.split()).
inline SplitRange<detail::IsSpace, true> words(std::string_view text) { return SplitRange<detail::IsSpace, true>(text); }

// Every field of `text` between the separator `sep`, empty ones included:
// "a,,b," gives "a", "", "b", "" (and "" gives one empty field).
template <char sep> SplitRange<detail::IsChar<sep>, false> split(std::string_view text) {
  return SplitRange<detail::IsChar<sep>, false>(text);
}

}  // namespace brasa
