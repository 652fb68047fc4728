// Definitions of RDD<T>'s actions (collect, count, take, reduce, aggregate, save_*, stats, ...) and of save.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "brasa/rdd/detail/actions.h"
#include "brasa/rdd/detail/count_node.h"
#include "brasa/rdd/detail/functions.h"
#include "brasa/rdd/detail/narrow_nodes.h"
#include "brasa/rdd/output_committer.h"
#include "brasa/rdd/partitioner.h"
#include "brasa/rdd/rdd.h"
#include "brasa/rdd/stat_counter.h"
#include "brasa/scheduler/dag_scheduler.h"
#include "brasa/util/closure.h"

namespace brasa {

template <class T>
std::vector<T> RDD<T>::collect(CallSite site) const {
  return collect_named("collect", site);
}

template <class T>
int64_t RDD<T>::count(CallSite site) const {
  std::atomic<int64_t> n{0};
  run_job(act::Count{}, [&](int, int64_t c) { n += c; }, "count", site);
  return n;
}

template <class T>
std::vector<T> RDD<T>::take(int64_t n, CallSite site) const {
  std::vector<T> out;
  int next = 0, batch = 1;
  while (static_cast<int64_t>(out.size()) < n && next < num_partitions()) {
    std::vector<int> parts;
    for (int i = 0; i < batch && next < num_partitions(); ++i) parts.push_back(next++);
    std::vector<std::vector<T>> got(parts.size());
    int64_t want = n - static_cast<int64_t>(out.size());
    run_job_on(parts, act::Take{want},
               [&](int p, std::vector<T>&& part) { got[static_cast<size_t>(p - parts[0])] = std::move(part); },
               "take", site);
    for (auto& g : got)
      for (auto& x : g)
        if (static_cast<int64_t>(out.size()) < n) out.push_back(std::move(x));
    batch *= 4;  // Spark's scale-up factor
  }
  return out;
}

template <class T>
T RDD<T>::first(CallSite site) const {
  auto v = take(1, site);
  if (v.empty()) throw std::logic_error(node_->empty_error("first", site));
  return std::move(v[0]);
}

template <class T>
bool RDD<T>::is_empty(CallSite site) const {
  return num_partitions() == 0 || take(1, site).empty();
}

template <class T>
template <class Less>
std::vector<T> RDD<T>::take_ordered(int64_t n, Less less, CallSite site) const {
  BRASA_CHECK_CLOSURE(Less);
  std::vector<std::vector<T>> parts(static_cast<size_t>(num_partitions()));
  run_job(act::Smallest<Less>{n, less},
          [&](int p, std::vector<T>&& part) { parts[static_cast<size_t>(p)] = std::move(part); }, "take_ordered",
          site);
  auto all = concat(parts);
  size_t k = static_cast<size_t>(std::max<int64_t>(0, std::min<int64_t>(n, static_cast<int64_t>(all.size()))));
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end(), less);
  all.erase(all.begin() + static_cast<std::ptrdiff_t>(k), all.end());  // resize() would need a default T
  return all;
}

template <class T>
template <class Less>
std::vector<T> RDD<T>::top(int64_t n, Less less, CallSite site) const {
  return take_ordered(n, fn::Reversed<Less>{less}, site);
}

template <class T>
std::vector<T> RDD<T>::take_sample(bool with_replacement, int64_t num, uint64_t seed, CallSite site) const {
  if (num < 0) throw std::invalid_argument("take_sample: num must be non-negative, got " + std::to_string(num));
  if (num == 0) return {};
  int64_t total = count(site);
  if (total == 0) return {};
  Random rng(seed);
  std::vector<T> picked;
  if (!with_replacement && num >= total) {
    picked = collect_named("take_sample", site);
  } else {
    double fraction = fn::sample_fraction(num, total, with_replacement);
    do {
      picked = sample(with_replacement, fraction, rng.next(), site).collect_named("take_sample", site);
    } while (static_cast<int64_t>(picked.size()) < num);
  }
  rng.shuffle(picked);
  if (static_cast<int64_t>(picked.size()) > num) picked.erase(picked.begin() + num, picked.end());
  return picked;
}

template <class T>
template <class F>
T RDD<T>::reduce(F f, CallSite site) const {
  BRASA_CHECK_CLOSURE(F);
  std::vector<std::optional<T>> parts(static_cast<size_t>(num_partitions()));
  run_job(act::Reduce<F>{f}, [&](int p, std::optional<T>&& r) { parts[static_cast<size_t>(p)] = std::move(r); },
          "reduce", site);
  std::optional<T> acc;
  for (auto& part : parts)
    if (part) acc = acc ? f(std::move(*acc), std::move(*part)) : std::move(*part);
  if (!acc) throw std::logic_error(node_->empty_error("reduce", site) + " (fold takes a zero value instead)");
  return std::move(*acc);
}

template <class T>
template <class F>
T RDD<T>::fold(T zero, F f, CallSite site) const {
  return aggregate(zero, f, f, site);
}

template <class T>
template <class U, class Seq, class Comb>
U RDD<T>::aggregate(U zero, Seq seq, Comb comb, CallSite site) const {
  BRASA_CHECK_CLOSURE(Seq);
  auto parts = RDD<U>(std::make_shared<FoldPartitionNode<T, U, Seq>>(node_, zero, seq, "aggregate", site))
                   .collect_named("aggregate", site);
  U acc = std::move(zero);
  for (auto& part : parts) acc = comb(std::move(acc), std::move(part));
  return acc;
}

template <class T>
template <class U, class Seq, class Comb>
U RDD<T>::tree_aggregate(U zero, Seq seq, Comb comb, int depth, CallSite site) const {
  BRASA_CHECK_CLOSURE(Seq);
  BRASA_CHECK_CLOSURE(Comb);
  if (depth < 1) throw std::invalid_argument("tree_aggregate: depth must be at least 1, got " + std::to_string(depth));
  if (num_partitions() == 0) return zero;
  RDD<U> partials(std::make_shared<FoldPartitionNode<T, U, Seq>>(node_, zero, seq, "tree_aggregate", site));
  int n = num_partitions();
  int scale = std::max(static_cast<int>(std::ceil(std::pow(n, 1.0 / depth))), 2);
  while (n > scale + (n + scale - 1) / scale) {
    n = (n + scale - 1) / scale;
    struct Route {
      int n;
      std::vector<std::pair<int, U>> operator()(int p, std::vector<U>&& part) const {
        std::vector<std::pair<int, U>> out;
        for (auto& u : part) out.emplace_back(p % n, std::move(u));
        return out;
      }
    };
    partials = partials.map_partitions_impl(Route{n}, "tree_aggregate", false, site)
                   .reduce_by_key(comb, Partitioner::hash(n), site)
                   .values(site);
  }
  return partials.fold(zero, comb, site);
}

template <class T>
template <class F>
T RDD<T>::tree_reduce(F f, int depth, CallSite site) const {
  auto r = tree_aggregate(std::optional<T>{}, fn::OptionalSeq<F>{f}, fn::OptionalCombine<F>{f}, depth, site);
  if (!r) throw std::logic_error(node_->empty_error("tree_reduce", site));
  return std::move(*r);
}

template <class T>
template <class F>
void RDD<T>::foreach(F f, CallSite site) const {
  BRASA_CHECK_CLOSURE(F);
  run_job(act::Foreach<F>{f}, [](int, bool) {}, "foreach", site);
}

template <class T>
template <class F>
void RDD<T>::foreach_partition(F f, CallSite site) const {
  BRASA_CHECK_CLOSURE(F);
  run_job(act::ForeachPartition<F>{f}, [](int, bool) {}, "foreach_partition", site);
}

template <class T>
std::map<T, int64_t> RDD<T>::count_by_value(CallSite site) const {
  // The keys of a partition's counts are distinct already: they are
  // shuffled as they are and added up on the reduce side.
  RDD<std::pair<T, int64_t>> counted(std::make_shared<CountNode<T>>(node_, site));
  Partitioner by = counted.default_partitioner();
  return counted.partition_by(by, site).reduce_by_key(std::plus<int64_t>{}, by, site).collect_as_map(site);
}

template <class T>
auto RDD<T>::count_by_key(CallSite site) const requires PairType<T> {
  struct One {
    int64_t operator()(const ValueOf<T>&) const { return 1; }
  };
  return map_values(One{}, site).reduce_by_key(std::plus<int64_t>{}, std::nullopt, site).collect_as_map(site);
}

template <class T>
auto RDD<T>::lookup(const KeyOf<T>& k, CallSite site) const requires PairType<T> {
  using V = ValueOf<T>;
  std::vector<std::vector<V>> parts(static_cast<size_t>(num_partitions()));
  auto keep = [&](int p, std::vector<V>&& found) { parts[static_cast<size_t>(p)] = std::move(found); };
  if (partitioner())
    run_job_on({partitioner()->partition_of(k)}, act::Lookup<KeyOf<T>>{k}, keep, "lookup", site);
  else
    run_job(act::Lookup<KeyOf<T>>{k}, keep, "lookup", site);
  return concat(parts);
}

template <class T>
auto RDD<T>::collect_as_map(CallSite site) const requires PairType<T> {
  std::map<KeyOf<T>, ValueOf<T>> out;
  for (auto& kv : collect(site)) out.insert_or_assign(std::move(kv.first), std::move(kv.second));
  return out;
}

template <class T>
void RDD<T>::save_as_text_file(const std::string& path, bool overwrite, CallSite site) const {
  save<act::WriteText>(path, overwrite, "save_as_text_file", site);
}

template <class T>
void RDD<T>::save_as_object_file(const std::string& path, bool overwrite, CallSite site) const {
  save<act::WriteRecords>(path, overwrite, "save_as_object_file", site);
}

template <class T>
StatCounter RDD<T>::stats(CallSite site) const requires std::is_arithmetic_v<T> {
  struct Add {
    StatCounter operator()(StatCounter&& s, T&& x) const {
      s.add(static_cast<double>(x));
      return std::move(s);
    }
  };
  struct Merge {
    StatCounter operator()(StatCounter&& a, StatCounter&& b) const {
      a.merge(b);
      return std::move(a);
    }
  };
  return aggregate(StatCounter{}, Add{}, Merge{}, site);
}

template <class T>
std::vector<int64_t> RDD<T>::histogram(std::vector<double> buckets, CallSite site) const
    requires std::is_arithmetic_v<T> {
  if (buckets.size() < 2 || !std::is_sorted(buckets.begin(), buckets.end()) ||
      std::adjacent_find(buckets.begin(), buckets.end()) != buckets.end())
    throw std::invalid_argument("histogram: buckets must be at least two strictly increasing boundaries");
  std::vector<int64_t> total(buckets.size() - 1, 0);
  std::mutex mu;
  run_job(
      act::Histogram{std::move(buckets)},
      [&](int, std::vector<int64_t>&& counts) {
        std::lock_guard lock(mu);
        for (size_t i = 0; i < counts.size() && i < total.size(); ++i) total[i] += counts[i];
      },
      "histogram", site);
  return total;
}

template <class T>
std::pair<std::vector<double>, std::vector<int64_t>> RDD<T>::histogram(int bucket_count, CallSite site) const
    requires std::is_arithmetic_v<T> {
  if (bucket_count < 1) throw std::invalid_argument("histogram: bucket_count must be at least 1");
  StatCounter s = stats(site);
  if (s.count() == 0) throw std::logic_error(node_->empty_error("histogram", site));
  std::vector<double> b;
  if (s.min() == s.max()) {
    b = {s.min(), s.max()};
    std::vector<int64_t> counts{s.count()};
    return {b, counts};
  }
  for (int i = 0; i <= bucket_count; ++i) b.push_back(s.min() + (s.max() - s.min()) * i / bucket_count);
  b.back() = s.max();
  auto counts = histogram(b, site);
  return {b, counts};
}

template <class T>
template <class Write>
void RDD<T>::save(const std::string& path, bool overwrite, const char* action, const CallSite& site) const {
  UndoScope undo;  // an interrupt waits until a failed save has removed its output
  OutputCommitter committer(path, overwrite);
  try {
    run_job(Write{committer.task_dir()}, [](int, bool) {}, action, site);
    committer.commit(num_partitions());
  } catch (...) {
    committer.abort();
    throw;
  }
}

}  // namespace brasa
