// Deterministic hashing of keys, shared by hash partitioning and the
// map-side combine tables. The same key hashes to the same value in every
// process running the same binary, which partitioning across executors needs.
#pragma once

#include <cstdint>
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
    return mix64(std::hash<std::string_view>{}(std::string_view(v)));
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

}  // namespace brasa
