// Spark's closures capture the values they use (SparkLR's weights,
// SparkKMeans's centres); a Brasa lambda may capture only plain values, so
// that what runs in one process runs in another. with() ships a value with
// a function:
//
//   std::vector<double> w = current_weights();
//   auto gradient = points.map(brasa::with(w, [](const std::vector<double>& w, const Point& p) {
//     return gradient_of(w, p);
//   }));
//
// f is called as f(value, args...), with the value as a const reference.
// The value travels encoded in the stage's plan, so every task of a stage
// receives a copy: fine for kilobytes. Above a megabyte (logged as a
// warning, as Spark warns of large tasks) use ctx.broadcast(value), which
// each executor fetches once and keeps.
#pragma once

#include <array>
#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "brasa/util/serializer.h"

namespace brasa {

namespace detail {
// Logs a warning naming the value's type when `bytes` is above a megabyte.
void note_shipped_value(size_t bytes, const std::type_info& type);
}  // namespace detail

template <class V, class F> class With {
  static_assert(Serializable<V>, "brasa::with: the value must be a serializable record type");
  static_assert(std::is_trivially_copyable_v<F>,
                "brasa::with: the function may capture plain values only; put the rest in the value");

 public:
  With() = default;  // what the plan reader fills in
  With(V value, F f) : value_(std::move(value)) { std::memcpy(f_.data(), &f, sizeof(F)); }

  template <class... A> decltype(auto) operator()(A&&... args) const {
    return function()(value_, std::forward<A>(args)...);
  }
  const V& value() const { return value_; }

  template <class Ar> void serialize(Ar& ar) {
    if constexpr (std::is_same_v<Ar, ByteWriter>) {
      const size_t before = ar.bytes().size();
      ar(value_, f_);
      detail::note_shipped_value(ar.bytes().size() - before, typeid(V));
    } else {
      ar(value_, f_);
    }
  }

 private:
  const F& function() const { return *std::launder(reinterpret_cast<const F*>(f_.data())); }

  V value_{};
  alignas(F) std::array<unsigned char, sizeof(F)> f_{};  // F's bytes: a lambda has no default constructor
};

template <class V, class F> With<std::decay_t<V>, F> with(V&& value, F f) {
  return With<std::decay_t<V>, F>(std::forward<V>(value), f);
}

}  // namespace brasa
