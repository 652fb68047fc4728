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

// Bytes, inlined: a short key costs two overlapping fixed-size loads and
// two multiplies (wyhash's trick for the tail), with no library call.
inline uint64_t hash_bytes(const char* p, size_t n) {
  auto load8 = [](const char* q) {
    uint64_t v;
    std::memcpy(&v, q, 8);
    return v;
  };
  auto load4 = [](const char* q) {
    uint32_t v;
    std::memcpy(&v, q, 4);
    return static_cast<uint64_t>(v);
  };
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL);
  uint64_t a, b;
  if (n <= 16) {
    if (n >= 8) {
      a = load8(p);
      b = load8(p + n - 8);
    } else if (n >= 4) {
      a = load4(p);
      b = load4(p + n - 4);
    } else if (n > 0) {
      a = (static_cast<uint64_t>(static_cast<unsigned char>(p[0])) << 16) |
          (static_cast<uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8) | static_cast<unsigned char>(p[n - 1]);
      b = 0;
    } else {
      a = b = 0;
    }
  } else {
    for (; n > 16; p += 16, n -= 16) h = mix64(h ^ load8(p)) + load8(p + 8);
    a = load8(p + n - 16);
    b = load8(p + n - 8);
  }
  return mix64(mix64(h ^ a) ^ b);
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
