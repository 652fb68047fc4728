// Definitions of RDD<T>'s narrow transformations (map, filter, flat_map, map_partitions, zip, ..., cartesian).
#pragma once

#include <cmath>
#include <cstdint>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "brasa/rdd/detail/functions.h"
#include "brasa/rdd/detail/invoke.h"
#include "brasa/rdd/detail/narrow_nodes.h"
#include "brasa/rdd/rdd.h"
#include "brasa/util/closure.h"

namespace brasa {

template <class T>
template <class F>
auto RDD<T>::map(F f, CallSite site) const {
  BRASA_CHECK_CLOSURE(F);
  using U = MovingResult<F, T>;
  return RDD<U>(std::make_shared<MapNode<T, U, F>>(node_, std::move(f), "map", site));
}

template <class T>
template <class F>
RDD<T> RDD<T>::filter(F f, CallSite site) const {
  BRASA_CHECK_CLOSURE(F);
  return RDD<T>(std::make_shared<FilterNode<T, F>>(node_, std::move(f), site));
}

template <class T>
template <class F>
auto RDD<T>::flat_map(F f, CallSite site) const {
  BRASA_CHECK_CLOSURE(F);
  // Views (brasa::words, brasa::split) become strings: a view would outlive its text.
  using Element = std::decay_t<decltype(*std::begin(std::declval<MovingResult<F, T>&>()))>;
  using U = std::conditional_t<std::is_same_v<Element, std::string_view>, std::string, Element>;
  return RDD<U>(std::make_shared<FlatMapNode<T, U, F>>(node_, std::move(f), "flat_map", site, false));
}

template <class T>
template <class F>
auto RDD<T>::map_partitions(F f, bool preserves_partitioning, CallSite site) const {
  BRASA_CHECK_CLOSURE(F);
  return map_partitions_impl(fn::IgnoreIndex<F>{std::move(f)}, "map_partitions", preserves_partitioning, site);
}

template <class T>
template <class F>
auto RDD<T>::map_partitions_with_index(F f, bool preserves_partitioning, CallSite site) const {
  BRASA_CHECK_CLOSURE(F);
  return map_partitions_impl(std::move(f), "map_partitions_with_index", preserves_partitioning, site);
}

template <class T>
RDD<std::vector<T>> RDD<T>::glom(CallSite site) const {
  return map_partitions_impl(fn::Glom<T>{}, "glom", false, site);
}

template <class T>
template <class F>
auto RDD<T>::key_by(F f, CallSite site) const {
  BRASA_CHECK_CLOSURE(F);
  using KV = MovingResult<fn::KeyBy<F>, T>;
  return RDD<KV>(std::make_shared<MapNode<T, KV, fn::KeyBy<F>>>(node_, fn::KeyBy<F>{std::move(f)}, "key_by", site));
}

template <class T>
RDD<T> RDD<T>::union_with(const RDD<T>& other, CallSite site) const {
  return RDD<T>(std::make_shared<UnionNode<T>>(std::vector<NodePtr<T>>{node_, other.node_}, site));
}

template <class T>
RDD<T> RDD<T>::coalesce(int n, bool shuffle, CallSite site) const {
  check_partitions(n, "coalesce");
  if (shuffle) return repartition(n, site);
  if (n >= num_partitions()) return *this;
  return RDD<T>(std::make_shared<CoalesceNode<T>>(node_, n, site));
}

template <class T>
template <class U>
RDD<std::pair<T, U>> RDD<T>::zip(const RDD<U>& other, CallSite site) const {
  using Zip = fn::Zip<T, U>;
  return RDD<std::pair<T, U>>(std::make_shared<ZipPartitionsNode<std::pair<T, U>, Zip, T, U>>(
      std::tuple{node_, other.node()}, Zip{}, "zip", site, false));
}

template <class T>
template <class U, class F>
auto RDD<T>::zip_partitions(const RDD<U>& b, F f, bool preserves_partitioning, CallSite site) const
    requires(!IsRDD<F>) {
  BRASA_CHECK_CLOSURE(F);
  return zip_partitions_impl(fn::IgnoreIndex<F>{std::move(f)}, preserves_partitioning, site, b);
}

template <class T>
template <class U, class V, class F>
auto RDD<T>::zip_partitions(const RDD<U>& b, const RDD<V>& c, F f, bool preserves_partitioning,
                            CallSite site) const requires(!IsRDD<F>) {
  BRASA_CHECK_CLOSURE(F);
  return zip_partitions_impl(fn::IgnoreIndex<F>{std::move(f)}, preserves_partitioning, site, b, c);
}

template <class T>
template <class U, class V, class W, class F>
auto RDD<T>::zip_partitions(const RDD<U>& b, const RDD<V>& c, const RDD<W>& d, F f, bool preserves_partitioning,
                            CallSite site) const requires(!IsRDD<F>) {
  BRASA_CHECK_CLOSURE(F);
  return zip_partitions_impl(fn::IgnoreIndex<F>{std::move(f)}, preserves_partitioning, site, b, c, d);
}

template <class T>
RDD<std::pair<T, int64_t>> RDD<T>::zip_with_index(CallSite site) const {
  std::vector<int64_t> offsets(static_cast<size_t>(num_partitions()), 0);
  if (num_partitions() > 1) {
    auto counts = partition_counts("zip_with_index", site);
    for (size_t i = 1; i < counts.size(); ++i) offsets[i] = offsets[i - 1] + counts[i - 1];
  }
  return map_partitions_impl(fn::AddIndex<T>{std::move(offsets)}, "zip_with_index", false, site);
}

template <class T>
RDD<T> RDD<T>::sample(bool with_replacement, double fraction, uint64_t seed, CallSite site) const {
  if (fraction < 0 || (!with_replacement && fraction > 1) || std::isnan(fraction))
    throw std::invalid_argument("sample: fraction must be in [0, 1] without replacement and >= 0 with it, got " +
                                std::to_string(fraction));
  return map_partitions_impl(fn::Sampler<T>{fraction, with_replacement, seed}, "sample", true, site);
}

template <class T>
std::vector<RDD<T>> RDD<T>::random_split(const std::vector<double>& weights, uint64_t seed, CallSite site) const {
  double total = 0;
  for (double w : weights) {
    if (!(w >= 0) || std::isinf(w))
      throw std::invalid_argument("random_split: weights must be finite and non-negative, got " + std::to_string(w));
    total += w;
  }
  if (weights.empty() || total <= 0)
    throw std::invalid_argument("random_split: the weights must sum to more than 0");
  std::vector<RDD<T>> out;
  double lower = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    double upper = i + 1 == weights.size() ? 1.0 : lower + weights[i] / total;
    out.push_back(map_partitions_impl(fn::RangeSampler<T>{lower, upper, seed}, "random_split", true, site));
    lower = upper;
  }
  return out;
}

template <class T>
template <class U>
RDD<std::pair<T, U>> RDD<T>::cartesian(const RDD<U>& other, CallSite site) const {
  return RDD<std::pair<T, U>>(std::make_shared<CartesianNode<T, U>>(node_, other.node(), site));
}

}  // namespace brasa
