// Approximate heap footprint of records, for the memory budgets of caches,
// shuffles and joins. Exact for vectors of bitwise types, an estimate
// otherwise. A user type is measured through, in this order:
//   * a member `size_t heap_bytes() const`: bytes it owns beyond sizeof(T);
//   * a specialisation of brasa::HeapBytes<T> with `static size_t of(const T&)`;
//   * its serialize function: the fields it names are measured in turn;
// and counts nothing beyond sizeof(T) otherwise.
#pragma once

#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include "brasa/util/serializer.h"

namespace brasa {

template <class T> size_t approx_bytes(const T& v);

// Specialise for a type you cannot change: of(v) returns the heap bytes v
// owns beyond sizeof(T).
template <class T> struct HeapBytes;

namespace detail {
template <class T> size_t approx_extra(const T& v);

// Bytes of a std::map / unordered_map node beyond its key and value.
inline constexpr size_t kNodeOverhead = 48;

// An archive that measures the fields a serialize function names.
class HeapCounter {
 public:
  template <class... Ts> void operator()(const Ts&... vs) { ((bytes += approx_extra(vs)), ...); }
  size_t bytes = 0;
};

template <class T> size_t approx_extra(const T& v) {  // bytes owned beyond sizeof(T)
  if constexpr (requires { { v.heap_bytes() } -> std::convertible_to<size_t>; }) {
    return v.heap_bytes();
  } else if constexpr (requires { { HeapBytes<T>::of(v) } -> std::convertible_to<size_t>; }) {
    return HeapBytes<T>::of(v);
  } else if constexpr (kBitwise<T>) {
    return 0;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return v.capacity() > 15 ? v.capacity() + 1 : 0;
  } else if constexpr (IsVector<T>::value) {
    return approx_bytes(v);
  } else if constexpr (IsPair<T>::value) {
    return approx_extra(v.first) + approx_extra(v.second);
  } else if constexpr (IsTuple<T>::value) {
    return std::apply([](const auto&... es) { return (size_t{0} + ... + approx_extra(es)); }, v);
  } else if constexpr (IsOptional<T>::value) {
    return v ? approx_extra(*v) : 0;
  } else if constexpr (IsMap<T>::value) {
    size_t n = v.size() * (sizeof(typename T::value_type) + kNodeOverhead);
    for (const auto& [key, value] : v) n += approx_extra(key) + approx_extra(value);
    return n;
  } else if constexpr (EigenDense<T>) {
    return T::RowsAtCompileTime > 0 && T::ColsAtCompileTime > 0
               ? 0
               : static_cast<size_t>(v.rows() * v.cols()) * sizeof(typename T::Scalar);
  } else if constexpr (HasSerializeMethod<T>) {
    HeapCounter counter;
    const_cast<T&>(v).serialize(counter);
    return counter.bytes;
  } else if constexpr (HasSerializeFunction<T>) {
    HeapCounter counter;
    serialize(counter, const_cast<T&>(v));
    return counter.bytes;
  } else if constexpr (PlainStruct<T>) {
    size_t bytes = 0;
    for_each_field(v, [&](const auto& field) { bytes += approx_extra(field); });
    return bytes;
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
