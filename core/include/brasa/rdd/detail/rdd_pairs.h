// Definitions of RDD<T>'s pair operations, distinct, repartition, sort_by, intersection and their private helpers.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "brasa/rdd/detail/actions.h"
#include "brasa/rdd/detail/combine_node.h"
#include "brasa/rdd/detail/functions.h"
#include "brasa/rdd/detail/invoke.h"
#include "brasa/rdd/detail/join_node.h"
#include "brasa/rdd/detail/narrow_nodes.h"
#include "brasa/rdd/detail/shuffled_node.h"
#include "brasa/rdd/detail/sort_node.h"
#include "brasa/rdd/partitioner.h"
#include "brasa/rdd/rdd.h"
#include "brasa/rdd/shuffle_dependency.h"
#include "brasa/util/closure.h"
#include "brasa/util/hash.h"

namespace brasa {

// Stops a keyed operation on a key type without a hash or == with one
// error at the user's line (the engine's templates are then not made).
template <class K> constexpr bool key_checked() {
  static_assert(KeyType<K>,
                "brasa: the key type of this keyed operation (the line 'required from here' made it) needs a hash "
                "and ==: keys are integers, enums, strings, pairs and tuples of these, or types with a std::hash "
                "specialisation and operator==.");
  return KeyType<K>;
}

template <class T>
auto RDD<T>::keys(CallSite site) const requires PairType<T> {
  using K = KeyOf<T>;
  return RDD<K>(std::make_shared<MapNode<T, K, fn::First>>(node_, fn::First{}, "keys", site));
}

template <class T>
auto RDD<T>::values(CallSite site) const requires PairType<T> {
  using V = ValueOf<T>;
  return RDD<V>(std::make_shared<MapNode<T, V, fn::Second>>(node_, fn::Second{}, "values", site));
}

template <class T>
template <class F>
auto RDD<T>::map_values(F f, CallSite site) const requires PairType<T> {
  BRASA_CHECK_CLOSURE(F);
  using Out = MovingResult<fn::OnValue<F>, T>;
  auto node = std::make_shared<MapNode<T, Out, fn::OnValue<F>>>(node_, fn::OnValue<F>{std::move(f)}, "map_values",
                                                                site);
  node->set_partitioner(partitioner());
  return RDD<Out>(node);
}

template <class T>
template <class F>
auto RDD<T>::flat_map_values(F f, CallSite site) const requires PairType<T> {
  BRASA_CHECK_CLOSURE(F);
  using Out = typename MovingResult<fn::FlatOnValue<F>, T>::value_type;
  return RDD<Out>(std::make_shared<FlatMapNode<T, Out, fn::FlatOnValue<F>>>(
      node_, fn::FlatOnValue<F>{std::move(f)}, "flat_map_values", site, true));
}

template <class T>
RDD<T> RDD<T>::partition_by(const Partitioner& p, CallSite site) const requires PairType<T> {
  using K = KeyOf<T>;
  using V = ValueOf<T>;
  if constexpr (!key_checked<K>()) {
    return *this;
  } else {
    if (partitioner() == p) return *this;
    auto dep = std::make_shared<PairShuffleDependency<K, V>>(node_, p);
    return RDD<T>(std::make_shared<ShuffledNode<T>>(dep, "partition_by", site));
  }
}

template <class T>
template <class Create, class MergeValue, class MergeCombiners>
auto RDD<T>::combine_by_key(Create create, MergeValue merge_value, MergeCombiners merge_combiners,
                            std::optional<Partitioner> p, CallSite site) const requires PairType<T> {
  BRASA_CHECK_CLOSURE(Create);
  BRASA_CHECK_CLOSURE(MergeValue);
  BRASA_CHECK_CLOSURE(MergeCombiners);
  return combine_in_place(std::move(create), fn::MergeWith<MergeValue>{std::move(merge_value)},
                          fn::MergeWith<MergeCombiners>{std::move(merge_combiners)}, p, "combine_by_key", site);
}

template <class T>
template <class Create, class MergeValue, class MergeCombiners>
auto RDD<T>::combine_in_place(Create create, MergeValue merge_value, MergeCombiners merge_combiners,
                              std::optional<Partitioner> p, const char* op, const CallSite& site) const
    requires PairType<T> {
  using K = KeyOf<T>;
  using V = ValueOf<T>;
  using C = MovingResult<Create, V>;
  if constexpr (!key_checked<K>()) {
    return RDD<std::pair<K, C>>();
  } else {
    Partitioner target = p ? *p : default_partitioner();
    if (partitioner() == target) {
      return RDD<std::pair<K, C>>(std::make_shared<CombineNode<K, V, C, Create, MergeValue, MergeCombiners>>(
          node_, std::move(create), std::move(merge_value), std::move(merge_combiners), op, site));
    }
    auto dep = std::make_shared<CombiningShuffleDependency<K, V, C, Create, MergeValue>>(
        node_, target, std::move(create), std::move(merge_value));
    auto shuffled = std::make_shared<ShuffledNode<std::pair<K, C>>>(dep, "shuffled", site);
    return RDD<std::pair<K, C>>(std::make_shared<CombineNode<K, C, C, fn::Identity, MergeCombiners, MergeCombiners>>(
        shuffled, fn::Identity{}, merge_combiners, merge_combiners, op, site));
  }
}

template <class T>
template <class F>
auto RDD<T>::reduce_by_key(F f, std::optional<Partitioner> p, CallSite site) const requires PairType<T> {
  BRASA_CHECK_CLOSURE(F);
  return combine_in_place(fn::Identity{}, fn::MergeWith<F>{f}, fn::MergeWith<F>{f}, p, "reduce_by_key", site);
}

template <class T>
template <class F>
auto RDD<T>::reduce_by_key(F f, int num_partitions, CallSite site) const requires PairType<T> {
  return reduce_by_key(std::move(f), Partitioner::hash(check_partitions(num_partitions, "reduce_by_key")), site);
}

template <class T>
template <class C, class Seq, class Comb>
auto RDD<T>::aggregate_by_key(C zero, Seq seq, Comb comb, std::optional<Partitioner> p, CallSite site) const
    requires PairType<T> {
  BRASA_CHECK_CLOSURE(Seq);
  BRASA_CHECK_CLOSURE(Comb);
  return combine_in_place(fn::SeqFromZero<C, Seq>{std::move(zero), fn::Held<Seq>(seq)}, fn::MergeWith<Seq>{seq},
                          fn::MergeWith<Comb>{comb}, p, "aggregate_by_key", site);
}

template <class T>
template <class F>
auto RDD<T>::fold_by_key(ValueOf<T> zero, F f, std::optional<Partitioner> p, CallSite site) const
    requires PairType<T> {
  return aggregate_by_key(std::move(zero), f, f, p, site);
}

template <class T>
auto RDD<T>::group_by_key(std::optional<Partitioner> p, CallSite site) const requires PairType<T> {
  using K = KeyOf<T>;
  using V = ValueOf<T>;
  if constexpr (!key_checked<K>()) {
    return RDD<std::pair<K, std::vector<V>>>();
  } else {
    auto laid_out = partition_by(p ? *p : default_partitioner(), site);
    return RDD<std::pair<K, std::vector<V>>>(
        std::make_shared<CombineNode<K, V, std::vector<V>, fn::SingletonVector, fn::AppendTo, fn::AppendTo>>(
            laid_out.node(), fn::SingletonVector{}, fn::AppendTo{}, fn::AppendTo{}, "group_by_key", site));
  }
}

template <class T>
template <class W>
auto RDD<T>::cogroup(const RDD<std::pair<KeyOf<T>, W>>& other, std::optional<Partitioner> p, CallSite site) const
    requires PairType<T> {
  using K = KeyOf<T>;
  using V = ValueOf<T>;
  if constexpr (!key_checked<K>()) {
    return RDD<std::pair<K, std::pair<std::vector<V>, std::vector<W>>>>();
  } else {
    Partitioner target = p ? *p : binary_partitioner(other);
    auto a = partition_by(target, site);
    auto b = other.partition_by(target, site);
    return RDD<std::pair<K, std::pair<std::vector<V>, std::vector<W>>>>(
        std::make_shared<CoGroupNode<K, V, W>>(a.node(), b.node(), site));
  }
}

template <class T>
template <class W>
auto RDD<T>::join(const RDD<std::pair<KeyOf<T>, W>>& other, std::optional<Partitioner> p, CallSite site) const
    requires PairType<T> {
  using K = KeyOf<T>;
  using V = ValueOf<T>;
  if constexpr (!key_checked<K>()) {
    return RDD<std::pair<K, std::pair<V, W>>>();
  } else {
    Partitioner target = p ? *p : binary_partitioner(other);
    auto a = partition_by(target, site);
    auto b = other.partition_by(target, site);
    return RDD<std::pair<K, std::pair<V, W>>>(std::make_shared<HashJoinNode<K, V, W>>(a.node(), b.node(), site));
  }
}

template <class T>
template <class W>
auto RDD<T>::left_outer_join(const RDD<std::pair<KeyOf<T>, W>>& other, std::optional<Partitioner> p,
                             CallSite site) const requires PairType<T> {
  return cogroup(other, p, site).flat_map_groups(fn::LeftOuterJoin{}, "left_outer_join", site);
}

template <class T>
template <class W>
auto RDD<T>::right_outer_join(const RDD<std::pair<KeyOf<T>, W>>& other, std::optional<Partitioner> p,
                              CallSite site) const requires PairType<T> {
  return cogroup(other, p, site).flat_map_groups(fn::RightOuterJoin{}, "right_outer_join", site);
}

template <class T>
template <class W>
auto RDD<T>::full_outer_join(const RDD<std::pair<KeyOf<T>, W>>& other, std::optional<Partitioner> p,
                             CallSite site) const requires PairType<T> {
  return cogroup(other, p, site).flat_map_groups(fn::FullOuterJoin{}, "full_outer_join", site);
}

template <class T>
template <class W>
RDD<T> RDD<T>::subtract_by_key(const RDD<std::pair<KeyOf<T>, W>>& other, CallSite site) const
    requires PairType<T> {
  return cogroup(other, std::nullopt, site).flat_map_groups(fn::LeftOnly{}, "subtract_by_key", site);
}

template <class T>
RDD<T> RDD<T>::sort_by_key(bool ascending, int num_partitions, CallSite site) const requires PairType<T> {
  int n = num_partitions > 0 ? num_partitions : this->num_partitions();
  auto laid_out = partition_by(range_partitioner(n, ascending, site), site);
  return RDD<T>(std::make_shared<SortByKeyNode<T>>(laid_out.node(), ascending, site));
}

template <class T>
RDD<T> RDD<T>::distinct(int num_partitions, CallSite site) const {
  int n = num_partitions > 0 ? num_partitions : this->num_partitions();
  struct WithUnit {
    std::pair<T, uint8_t> operator()(T&& x) const { return {std::move(x), 0}; }
  };
  return map(WithUnit{}, site)
      .combine_in_place(fn::Identity{}, fn::KeepFirst{}, fn::KeepFirst{}, Partitioner::hash(n), "distinct", site)
      .keys(site);
}

template <class T>
RDD<T> RDD<T>::repartition(int n, CallSite site) const {
  check_partitions(n, "repartition");
  struct Spread {  // round-robin keys, starting at a position that depends on the partition
    std::vector<std::pair<int64_t, T>> operator()(int p, std::vector<T>&& part) const {
      std::vector<std::pair<int64_t, T>> out;
      out.reserve(part.size());
      int64_t k = static_cast<int64_t>(mix64(static_cast<uint64_t>(p)) >> 1);
      for (auto& x : part) out.emplace_back(k++, std::move(x));
      return out;
    }
  };
  return map_partitions_impl(Spread{}, "repartition", false, site)
      .partition_by(Partitioner::hash(n), site)
      .values(site);
}

template <class T>
template <class F>
RDD<T> RDD<T>::sort_by(F key, bool ascending, int num_partitions, CallSite site) const {
  return key_by(std::move(key), site).sort_by_key(ascending, num_partitions, site).values(site);
}

template <class T>
RDD<T> RDD<T>::intersection(const RDD<T>& other, CallSite site) const {
  struct WithUnit {
    std::pair<T, uint8_t> operator()(T&& x) const { return {std::move(x), 0}; }
  };
  auto a = map(WithUnit{}, site);
  auto b = other.map(WithUnit{}, site);
  Partitioner p = Partitioner::hash(std::max(num_partitions(), other.num_partitions()));
  return a.cogroup(b, p, site).flat_map_groups(fn::KeyInBoth{}, "intersection", site);
}

template <class T>
template <class F>
auto RDD<T>::flat_map_groups(F f, const char* op, const CallSite& site) const {
  using U = typename MovingResult<F, T>::value_type;
  return RDD<U>(std::make_shared<FlatMapNode<T, U, F>>(node_, std::move(f), op, site, true));
}

template <class T>
Partitioner RDD<T>::default_partitioner(int other_partitions) const {
  if (partitioner()) return *partitioner();
  return Partitioner::hash(std::max({1, num_partitions(), other_partitions}));
}

template <class T>
template <class U>
Partitioner RDD<T>::binary_partitioner(const RDD<U>& other) const {
  if (partitioner()) return *partitioner();
  if (other.partitioner()) return *other.partitioner();
  return default_partitioner(other.num_partitions());
}

template <class T>
Partitioner RDD<T>::range_partitioner(int n, bool ascending, const CallSite& site) const requires PairType<T> {
  using K = KeyOf<T>;
  // A sample of about 400 keys per output partition, each key weighted by
  // how many records it stands for, then weighted quantiles, as Spark's
  // RangePartitioner: every input partition gives 3 times its share of
  // the sample, and one much larger than the others is sampled again at
  // the overall rate. Spark samples 20 keys per partition (its SQL, 100):
  // sorting 10^6 random keys into 8 or 20 ranges, that left the largest
  // range 6-26% above the mean (11-16% with 100, 2-7% with 400), and a
  // stage waits for its largest task.
  size_t sample_size = std::min<size_t>(size_t{400} * static_cast<size_t>(n), 1000000);
  int parts = std::max(1, num_partitions());
  int per_partition = static_cast<int>(std::ceil(3.0 * static_cast<double>(sample_size) / parts));
  std::vector<std::pair<uint64_t, std::vector<K>>> samples(static_cast<size_t>(num_partitions()));
  auto keep = [&](int p, std::pair<uint64_t, std::vector<K>>&& sample) {
    samples[static_cast<size_t>(p)] = std::move(sample);
  };
  run_job(act::SampleKeys{per_partition}, keep, "sort_by_key (sampling)", site);
  uint64_t total = 0;
  for (const auto& sample : samples) total += sample.first;
  double fraction = std::min(1.0, static_cast<double>(sample_size) / static_cast<double>(std::max<uint64_t>(1, total)));
  std::vector<int> again;
  uint64_t largest = 0;
  for (int p = 0; p < num_partitions(); ++p)
    if (fraction * static_cast<double>(samples[static_cast<size_t>(p)].first) > per_partition) {
      again.push_back(p);
      largest = std::max(largest, samples[static_cast<size_t>(p)].first);
    }
  if (!again.empty()) {
    int size = static_cast<int>(std::ceil(fraction * static_cast<double>(largest)));
    run_job_on(again, act::SampleKeys{size}, keep, "sort_by_key (sampling large partitions)", site);
  }
  std::vector<std::pair<K, double>> weighted;  // in partition order, then by key: deterministic
  for (auto& [records, keys] : samples)
    for (auto& k : keys)
      weighted.emplace_back(std::move(k), static_cast<double>(records) / static_cast<double>(keys.size()));
  std::stable_sort(weighted.begin(), weighted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  double weight = 0;
  for (const auto& [k, w] : weighted) weight += w;
  std::vector<K> bounds;
  double step = weight / n, sum = 0, target = step;
  for (const auto& [k, w] : weighted) {
    if (static_cast<int>(bounds.size()) >= n - 1) break;
    sum += w;
    if (sum < target) continue;
    if (bounds.empty() || bounds.back() < k) bounds.push_back(k);
    while (target <= sum) target += step;
  }
  // Descending order keeps ascending bounds; the partitioner mirrors the index.
  return Partitioner::range(std::move(bounds), ascending);
}

}  // namespace brasa
