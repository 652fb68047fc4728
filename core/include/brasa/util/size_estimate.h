// Approximate heap footprint of records, for the block manager's memory
// budget. Exact for vectors of bitwise types, an estimate otherwise.
#pragma once

#include <string>
#include <type_traits>
#include <vector>

#include "brasa/util/serializer.h"

namespace brasa {

template <class T> size_t approx_bytes(const T& v);

namespace detail {
template <class T> size_t approx_extra(const T& v) {  // bytes owned beyond sizeof(T)
  if constexpr (std::is_same_v<T, std::string>) {
    return v.capacity() > 15 ? v.capacity() : 0;
  } else if constexpr (IsVector<T>::value) {
    return approx_bytes(v);
  } else if constexpr (IsPair<T>::value) {
    return approx_extra(v.first) + approx_extra(v.second);
  } else {
    return 0;
  }
}
}  // namespace detail

template <class T> size_t approx_bytes(const T& v) {
  if constexpr (detail::IsVector<T>::value) {
    using E = typename T::value_type;
    size_t n = v.capacity() * sizeof(E);
    if constexpr (!kBitwise<E>) {
      for (const auto& e : v) n += detail::approx_extra(e);
    }
    return n;
  } else {
    return sizeof(T) + detail::approx_extra(v);
  }
}

}  // namespace brasa
