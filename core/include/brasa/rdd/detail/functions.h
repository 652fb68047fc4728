// Small functors that the RDD operations build on the user's functions.
// They are plain structs holding the user's (trivially copyable or
// serializable) functions, so a shipped stage can carry them.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "brasa/rdd/detail/invoke.h"
#include "brasa/util/hash.h"
#include "brasa/util/random.h"
#include "brasa/util/serializer.h"

namespace brasa::fn {

// Holds a shippable function so that the holder is default constructible
// (lambdas with captures are not), for functors that also hold values
// written by a serialize method.
template <class F, bool = std::is_default_constructible_v<F>> struct Held {
  F f;
  F& get() { return f; }
  template <class Ar> void serialize(Ar& ar) { ar(f); }
};
template <class F> struct Held<F, false> {
  static_assert(std::is_trivially_copyable_v<F>);
  alignas(F) unsigned char bytes[sizeof(F)];
  Held() = default;
  explicit Held(const F& f) { std::memcpy(bytes, &f, sizeof(F)); }
  F& get() { return *std::launder(reinterpret_cast<F*>(bytes)); }
  template <class Ar> void serialize(Ar& ar) { ar(bytes); }
};

// f(parts...) called as f(index, parts...). Partitions come by const
// reference only when f can take them so (see invoke.h).
template <class F> struct IgnoreIndex {
  F f;
  using reads_in_place = void;
  template <class Ar> void serialize(Ar& ar) requires HasSerializeMethod<F> { ar(f); }
  template <class... V>
  auto operator()(int, V&&... parts) requires((std::is_rvalue_reference_v<V&&> && ...) || kSafelyCallable<F, V&&...>) {
    return f(std::forward<V>(parts)...);
  }
};

template <class F> struct OnValue {  // (k, v) -> (k, f(v))
  F f;
  template <class Ar> void serialize(Ar& ar) requires HasSerializeMethod<F> { ar(f); }
  template <class P> auto operator()(P&& kv) {
    return std::pair{std::move(kv.first), f(std::move(kv.second))};
  }
};

template <class F> struct FlatOnValue {  // (k, v) -> [(k, w) for w in f(v)]
  F f;
  template <class Ar> void serialize(Ar& ar) requires HasSerializeMethod<F> { ar(f); }
  template <class P> auto operator()(P&& kv) {
    using W = std::decay_t<decltype(*std::begin(f(std::move(kv.second))))>;
    std::vector<std::pair<std::decay_t<decltype(kv.first)>, W>> out;
    for (auto& w : f(std::move(kv.second))) out.emplace_back(kv.first, std::move(w));
    return out;
  }
};

struct First {
  template <class P> auto operator()(P&& kv) { return std::move(kv.first); }
};
struct Second {
  template <class P> auto operator()(P&& kv) { return std::move(kv.second); }
};

template <class F> struct KeyBy {  // x -> (f(x), x)
  F f;
  template <class Ar> void serialize(Ar& ar) requires HasSerializeMethod<F> { ar(f); }
  template <class X> auto operator()(X&& x) {
    auto k = f(std::as_const(x));
    return std::pair{std::move(k), std::move(x)};
  }
};

struct Identity {
  template <class X> X operator()(X&& x) const { return std::move(x); }
};

template <class C, class Seq> struct SeqFromZero {
  C zero;
  Held<Seq> seq;
  template <class Ar> void serialize(Ar& ar) { ar(zero, seq); }
  template <class V> C operator()(V&& v) { return seq.get()(C(zero), std::forward<V>(v)); }
};

// Folds v into c with f written either way: c = f(c, v) (Spark's style), or
// f(c, v) returning void and updating c in place (cheaper for containers).
template <class F, class C, class V> constexpr bool updates_in_place() {
  if constexpr (std::is_invocable_v<F&, C&, V&&>)
    return std::is_void_v<std::invoke_result_t<F&, C&, V&&>>;
  else
    return false;
}
template <class F> struct MergeWith {
  F f;
  template <class Ar> void serialize(Ar& ar) requires HasSerializeMethod<F> { ar(f); }
  template <class C, class V> void operator()(C& c, V&& v) {
    if constexpr (updates_in_place<F, C, V>())
      f(c, std::forward<V>(v));
    else
      c = f(std::move(c), std::forward<V>(v));
  }
};

// less with its arguments swapped (top = take_ordered by the reverse order).
template <class Less> struct Reversed {
  Less less;
  template <class Ar> void serialize(Ar& ar) requires HasSerializeMethod<Less> { ar(less); }
  template <class T> bool operator()(const T& a, const T& b) const { return less(b, a); }
};

// tree_reduce as a tree_aggregate over optionals (empty partitions give none).
template <class F> struct OptionalSeq {
  F f;
  template <class Ar> void serialize(Ar& ar) requires HasSerializeMethod<F> { ar(f); }
  template <class T> std::optional<T> operator()(std::optional<T>&& a, T&& x) {
    return a ? std::optional<T>(f(std::move(*a), std::move(x))) : std::optional<T>(std::move(x));
  }
};
template <class F> struct OptionalCombine {
  F f;
  template <class Ar> void serialize(Ar& ar) requires HasSerializeMethod<F> { ar(f); }
  template <class T> std::optional<T> operator()(std::optional<T>&& a, std::optional<T>&& b) {
    if (!a) return std::move(b);
    if (!b) return std::move(a);
    return f(std::move(*a), std::move(*b));
  }
};

struct AppendTo {  // group_by_key
  template <class C, class V> void operator()(C& c, V&& v) { c.push_back(std::forward<V>(v)); }
  template <class C> void operator()(C& c, C&& more) {
    c.insert(c.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  }
};

struct SingletonVector {
  template <class V> std::vector<std::decay_t<V>> operator()(V&& v) {
    std::vector<std::decay_t<V>> out;
    out.push_back(std::forward<V>(v));
    return out;
  }
};

struct KeepFirst {
  template <class C, class V> void operator()(C&, V&&) {}
};

// Deterministic per-partition sampling: Bernoulli without replacement,
// Poisson with replacement, seeded by (seed, partition).
template <class T> struct Sampler {
  double fraction;
  bool with_replacement;
  uint64_t seed;
  std::vector<T> operator()(int index, std::vector<T>&& part) const {
    Random rng(mix64(seed ^ mix64(static_cast<uint64_t>(index) + 1)));
    std::vector<T> out;
    if (with_replacement) {
      for (auto& x : part)
        for (int c = rng.poisson(fraction); c > 0; --c) out.push_back(x);
    } else {
      for (auto& x : part)
        if (rng.uniform() < fraction) out.push_back(std::move(x));
    }
    return out;
  }
};

// random_split: the records whose uniform draw falls in [lower, upper).
// Every split of one partition draws the same sequence, so the splits are
// disjoint and cover it.
template <class T> struct RangeSampler {
  double lower, upper;
  uint64_t seed;
  std::vector<T> operator()(int index, const std::vector<T>& part) const {
    Random rng(mix64(seed ^ mix64(static_cast<uint64_t>(index) + 1)));
    std::vector<T> out;
    for (const auto& x : part) {
      double d = rng.uniform();
      if (d >= lower && d < upper) out.push_back(x);
    }
    return out;
  }
};

// Spark's SamplingUtils.computeFractionForSampleSize: a sampling rate that
// gives at least `num` of `total` records with probability 0.9999.
inline double sample_fraction(int64_t num, int64_t total, bool with_replacement) {
  double n = static_cast<double>(num), t = static_cast<double>(total);
  if (with_replacement) {
    double sds = num < 6 ? 12 : num < 16 ? 9 : 6;
    return std::max(n + sds * std::sqrt(n), 1e-10) / t;
  }
  double fraction = n / t, gamma = -std::log(1e-4) / t;
  return std::min(1.0, std::max(1e-10, fraction + gamma + std::sqrt(gamma * gamma + 2 * gamma * fraction)));
}

template <class T> struct Glom {
  std::vector<std::vector<T>> operator()(int, std::vector<T>&& part) const {
    std::vector<std::vector<T>> out;
    out.push_back(std::move(part));
    return out;
  }
};

// zip_with_index: numbers records from each partition's starting offset.
template <class T> struct AddIndex {
  std::vector<int64_t> offsets;
  template <class Ar> void serialize(Ar& ar) { ar(offsets); }
  std::vector<std::pair<T, int64_t>> operator()(int p, std::vector<T>&& part) const {
    std::vector<std::pair<T, int64_t>> out;
    out.reserve(part.size());
    int64_t i = offsets[static_cast<size_t>(p)];
    for (auto& x : part) out.emplace_back(std::move(x), i++);
    return out;
  }
};

// zip: pairs the records of two partitions of equal length, moving them
// when owned and copying them when lent.
template <class T, class U> struct Zip {
  using reads_in_place = void;
  static void check(int p, size_t a, size_t b) {
    if (a != b)
      throw std::runtime_error("zip: partition " + std::to_string(p) + " has " + std::to_string(a) +
                               " records on the left and " + std::to_string(b) +
                               " on the right; can only zip RDDs with the same number of records in each partition");
  }
  template <class A, class B> std::vector<std::pair<T, U>> operator()(int p, A&& a, B&& b) const {
    check(p, a.size(), b.size());
    std::vector<std::pair<T, U>> out;
    out.reserve(a.size());
    for (size_t i = 0; i < a.size(); ++i) out.emplace_back(element<A>(a, i), element<B>(b, i));
    return out;
  }
  template <class V, class X> static decltype(auto) element(X& v, size_t i) {
    if constexpr (std::is_rvalue_reference_v<V&&>)
      return std::move(v[i]);
    else
      return v[i];
  }
};

// Joins from the groups of a cogroup.
struct InnerJoin {
  template <class P> auto operator()(P&& g) {
    auto& [vs, ws] = g.second;
    using V = typename std::decay_t<decltype(vs)>::value_type;
    using W = typename std::decay_t<decltype(ws)>::value_type;
    std::vector<std::pair<std::decay_t<decltype(g.first)>, std::pair<V, W>>> out;
    for (auto& v : vs)
      for (auto& w : ws) out.emplace_back(g.first, std::pair<V, W>(v, w));
    return out;
  }
};

struct LeftOuterJoin {
  template <class P> auto operator()(P&& g) {
    auto& [vs, ws] = g.second;
    using V = typename std::decay_t<decltype(vs)>::value_type;
    using W = typename std::decay_t<decltype(ws)>::value_type;
    std::vector<std::pair<std::decay_t<decltype(g.first)>, std::pair<V, std::optional<W>>>> out;
    for (auto& v : vs) {
      if (ws.empty()) out.emplace_back(g.first, std::pair<V, std::optional<W>>(v, std::nullopt));
      for (auto& w : ws) out.emplace_back(g.first, std::pair<V, std::optional<W>>(v, w));
    }
    return out;
  }
};

struct RightOuterJoin {
  template <class P> auto operator()(P&& g) {
    auto& [vs, ws] = g.second;
    using V = typename std::decay_t<decltype(vs)>::value_type;
    using W = typename std::decay_t<decltype(ws)>::value_type;
    std::vector<std::pair<std::decay_t<decltype(g.first)>, std::pair<std::optional<V>, W>>> out;
    for (auto& w : ws) {
      if (vs.empty()) out.emplace_back(g.first, std::pair<std::optional<V>, W>(std::nullopt, w));
      for (auto& v : vs) out.emplace_back(g.first, std::pair<std::optional<V>, W>(v, w));
    }
    return out;
  }
};

struct FullOuterJoin {
  template <class P> auto operator()(P&& g) {
    auto& [vs, ws] = g.second;
    using V = typename std::decay_t<decltype(vs)>::value_type;
    using W = typename std::decay_t<decltype(ws)>::value_type;
    using Row = std::pair<std::optional<V>, std::optional<W>>;
    std::vector<std::pair<std::decay_t<decltype(g.first)>, Row>> out;
    if (vs.empty())
      for (auto& w : ws) out.emplace_back(g.first, Row(std::nullopt, w));
    else if (ws.empty())
      for (auto& v : vs) out.emplace_back(g.first, Row(v, std::nullopt));
    else
      for (auto& v : vs)
        for (auto& w : ws) out.emplace_back(g.first, Row(v, w));
    return out;
  }
};

struct LeftOnly {  // subtract_by_key
  template <class P> auto operator()(P&& g) {
    auto& [vs, ws] = g.second;
    using V = typename std::decay_t<decltype(vs)>::value_type;
    std::vector<std::pair<std::decay_t<decltype(g.first)>, V>> out;
    if (ws.empty())
      for (auto& v : vs) out.emplace_back(g.first, std::move(v));
    return out;
  }
};

struct KeyInBoth {  // intersection
  template <class P> auto operator()(P&& g) {
    std::vector<std::decay_t<decltype(g.first)>> out;
    if (!g.second.first.empty() && !g.second.second.empty()) out.push_back(std::move(g.first));
    return out;
  }
};

}  // namespace brasa::fn
