// Deterministic hashing of keys, shared by hash partitioning and the
// map-side combine tables. The same key hashes to the same value in every
// process running the same binary, which partitioning across executors needs.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace brasa {

// MurmurHash3's 64-bit finaliser: spreads sequential integers over all bits.
inline uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

namespace detail {
inline uint64_t load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t load4(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
// The k <= 8 bytes at p, zero-extended, read without passing p + k.
inline uint64_t load_exact(const char* p, size_t k) {
  if (k >= 8) return load8(p);
  if (k >= 4) return load4(p) | (load4(p + k - 4) << (8 * (k - 4)));  // overlapping bytes agree
  if (k == 0) return 0;
  auto byte = [p](size_t i) { return static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i); };
  return byte(0) | byte(k / 2) | byte(k - 1);
}
// The low k bytes of v (k <= 8), without a branch.
inline uint64_t low_bytes(uint64_t v, size_t k) { return k >= 8 ? v : v & ((uint64_t{1} << (8 * k)) - 1); }
inline uint64_t hash_seed(size_t n) { return 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL); }
inline uint64_t hash_words(size_t n, uint64_t a, uint64_t b) { return mix64(mix64(hash_seed(n) ^ a) ^ b); }
// Every word goes through a mix: adding the second word of each 16 bytes
// unmixed (as this did until December 2026) let a flip of its low bit
// cancel out.
inline uint64_t hash_long(const char* p, size_t n) {  // n > 16
  uint64_t h = hash_seed(n);
  for (; n > 16; p += 16, n -= 16) h = mix64(mix64(h ^ load8(p)) ^ load8(p + 8));
  return mix64(mix64(h ^ load8(p + n - 16)) ^ load8(p + n - 8));
}
// Whether a std::string's data() is followed by at least 16 readable bytes
// less its size, for sizes up to 16: libstdc++ keeps up to 15 characters in
// a 16-byte buffer inside the object and allocates more than 16 bytes
// otherwise (the C++11 string; the old copy-on-write one shares a
// shorter allocation).
#if defined(__GLIBCXX__) && _GLIBCXX_USE_CXX11_ABI
inline constexpr bool kStringsPadded = true;
#else
inline constexpr bool kStringsPadded = false;
#endif
}  // namespace detail

// Bytes, inlined: up to 16 bytes are two zero-padded 8-byte words and two
// multiplies, with no library call.
[[gnu::always_inline]] inline uint64_t hash_bytes(const char* p, size_t n) {
  if (n > 16) return detail::hash_long(p, n);
  return detail::hash_words(n, detail::load_exact(p, n < 8 ? n : 8), n > 8 ? detail::load_exact(p + 8, n - 8) : 0);
}

// hash_bytes(p, n), for bytes followed by at least 16 - n readable ones (a
// std::string's own buffer): no branch on the length, which a batch of
// words of random lengths mispredicts (a quarter of word count's time).
[[gnu::always_inline]] inline uint64_t hash_padded(const char* p, size_t n) {
  if (n > 16) [[unlikely]]
    return detail::hash_long(p, n);
  return detail::hash_words(n, detail::low_bytes(detail::load8(p), n),
                            detail::low_bytes(detail::load8(p + 8), n > 8 ? n - 8 : 0));
}

inline uint64_t hash_combine(uint64_t seed, uint64_t h) { return mix64(seed ^ (h + 0x9e3779b97f4a7c15ULL)); }

template <class T> uint64_t hash_of(const T& v);

namespace detail {
template <class T>
concept StdHashable = requires(const T& v) { std::hash<T>{}(v); };
}

template <class T> uint64_t hash_of(const T& v) {
  if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) {
    return mix64(static_cast<uint64_t>(v));
  } else if constexpr (std::is_same_v<T, std::string> && detail::kStringsPadded) {
    return hash_padded(v.data(), v.size());
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) {
    return hash_bytes(v.data(), v.size());
  } else if constexpr (requires { v.first; v.second; }) {
    return hash_combine(hash_of(v.first), hash_of(v.second));
  } else if constexpr (requires { std::tuple_size<T>::value; }) {
    uint64_t h = 0;
    std::apply([&h](const auto&... es) { ((h = hash_combine(h, hash_of(es))), ...); }, v);
    return h;
  } else {
    static_assert(detail::StdHashable<T>,
                  "brasa: key type needs a std::hash specialisation (or be integral, string, pair or tuple)");
    return mix64(std::hash<T>{}(v));
  }
}

// Whether hash_of<T> can hash T: integers, enums, strings, pairs and tuples
// of these, or a type with a std::hash specialisation.
template <class T> constexpr bool hashable() {
  if constexpr (std::is_integral_v<T> || std::is_enum_v<T> || std::is_same_v<T, std::string> ||
                std::is_same_v<T, std::string_view>) {
    return true;
  } else if constexpr (requires(const T& v) { v.first; v.second; }) {
    return hashable<std::remove_cvref_t<decltype(std::declval<T>().first)>>() &&
           hashable<std::remove_cvref_t<decltype(std::declval<T>().second)>>();
  } else if constexpr (requires { std::tuple_size<T>::value; }) {
    return []<size_t... I>(std::index_sequence<I...>) {
      return (hashable<std::remove_cvref_t<std::tuple_element_t<I, T>>>() && ...);
    }(std::make_index_sequence<std::tuple_size_v<T>>{});
  } else {
    return detail::StdHashable<T>;
  }
}

// A key of keyed operations (reduce_by_key, join, partition_by, ...): hashed
// and compared with ==.
template <class K>
concept KeyType = hashable<K>() && std::equality_comparable<K>;

}  // namespace brasa
