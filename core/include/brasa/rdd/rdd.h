// RDD<T>: the user's handle on a distributed dataset. It is a cheap,
// copyable pointer to an immutable node of the lineage graph.
// Transformations are lazy and return new RDDs; actions run a job through
// the DAG scheduler and return results to the driver.
//
// Functions given to operations must be shippable (see util/closure.h).
// Operations on pairs (reduce_by_key, join, ...) exist when T is std::pair.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <atomic>
#include <map>
#include <mutex>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "brasa/rdd/detail/actions.h"
#include "brasa/rdd/detail/combine_node.h"
#include "brasa/rdd/detail/functions.h"
#include "brasa/rdd/detail/join_node.h"
#include "brasa/rdd/detail/narrow_nodes.h"
#include "brasa/rdd/detail/result_task.h"
#include "brasa/rdd/detail/shuffled_node.h"
#include "brasa/rdd/detail/sort_node.h"
#include "brasa/rdd/detail/source_nodes.h"
#include "brasa/rdd/stat_counter.h"
#include "brasa/scheduler/dag_scheduler.h"
#include "brasa/rdd/shuffle_dependency.h"
#include "brasa/util/closure.h"
#include "brasa/util/text_format.h"

namespace brasa {

template <class T>
concept PairType = detail::IsPair<T>::value;

template <class T> class RDD;
template <class T> struct IsRDDType : std::false_type {};
template <class T> struct IsRDDType<RDD<T>> : std::true_type {};
template <class T>
concept IsRDD = IsRDDType<std::decay_t<T>>::value;

// Key and value types of a pair RDD, usable in signatures of any RDD<T>.
struct NotAPair {};
template <class T> struct PairTraits {
  using key = NotAPair;
  using value = NotAPair;
};
template <class A, class B> struct PairTraits<std::pair<A, B>> {
  using key = A;
  using value = B;
};
template <class T> using KeyOf = typename PairTraits<T>::key;
template <class T> using ValueOf = typename PairTraits<T>::value;

// Creates output directories for save_* actions and commits or removes them.
class OutputCommitter {
 public:
  OutputCommitter(std::string path, bool overwrite);  // throws if path exists and !overwrite
  std::string task_dir() const;                       // where tasks write their parts
  void commit(int num_partitions);                    // moves parts in place, writes _SUCCESS
  void abort() noexcept;                              // removes everything

 private:
  std::string path_;
};

template <class T> class RDD {
 public:
  using value_type = T;

  RDD() = default;
  explicit RDD(NodePtr<T> node) : node_(std::move(node)) {}

  const NodePtr<T>& node() const { return node_; }
  int id() const { return node_->id(); }
  int num_partitions() const { return node_->num_partitions(); }
  const std::optional<Partitioner>& partitioner() const { return node_->partitioner(); }
  std::string to_debug_string() const { return node_->to_debug_string(); }
  // Spark's setName / name: a label for progress lines and debug strings.
  const RDD<T>& set_name(std::string name) const {
    node_->set_name(std::move(name));
    return *this;
  }
  const std::string& name() const { return node_->user_name(); }

  // ---- Narrow transformations ---------------------------------------------

  template <class F> auto map(F f, CallSite site = CallSite::current()) const {
    BRASA_CHECK_CLOSURE(F);
    using U = MovingResult<F, T>;
    return RDD<U>(std::make_shared<MapNode<T, U, F>>(node_, std::move(f), "map", site));
  }

  template <class F> RDD<T> filter(F f, CallSite site = CallSite::current()) const {
    BRASA_CHECK_CLOSURE(F);
    return RDD<T>(std::make_shared<FilterNode<T, F>>(node_, std::move(f), site));
  }

  // f returns an iterable (vector, list, ...) of output records.
  template <class F> auto flat_map(F f, CallSite site = CallSite::current()) const {
    BRASA_CHECK_CLOSURE(F);
    using U = std::decay_t<decltype(*std::begin(std::declval<MovingResult<F, T>&>()))>;
    return RDD<U>(std::make_shared<FlatMapNode<T, U, F>>(node_, std::move(f), "flat_map", site, false));
  }

  // f(std::vector<T>&& partition) returns an iterable for the whole partition.
  template <class F>
  auto map_partitions(F f, bool preserves_partitioning = false, CallSite site = CallSite::current()) const {
    BRASA_CHECK_CLOSURE(F);
    return map_partitions_impl(fn::IgnoreIndex<F>{std::move(f)}, "map_partitions", preserves_partitioning, site);
  }

  // f(int partition_index, std::vector<T>&& partition) returns an iterable.
  template <class F>
  auto map_partitions_with_index(F f, bool preserves_partitioning = false,
                                 CallSite site = CallSite::current()) const {
    BRASA_CHECK_CLOSURE(F);
    return map_partitions_impl(std::move(f), "map_partitions_with_index", preserves_partitioning, site);
  }

  RDD<std::vector<T>> glom(CallSite site = CallSite::current()) const {
    return map_partitions_impl(fn::Glom<T>{}, "glom", false, site);
  }

  template <class F> auto key_by(F f, CallSite site = CallSite::current()) const {
    BRASA_CHECK_CLOSURE(F);
    using KV = MovingResult<fn::KeyBy<F>, T>;
    return RDD<KV>(std::make_shared<MapNode<T, KV, fn::KeyBy<F>>>(node_, fn::KeyBy<F>{std::move(f)}, "key_by", site));
  }

  RDD<T> union_with(const RDD<T>& other, CallSite site = CallSite::current()) const {
    return RDD<T>(std::make_shared<UnionNode<T>>(std::vector<NodePtr<T>>{node_, other.node_}, site));
  }

  // Fewer partitions without a shuffle (or with one, to grow or rebalance).
  RDD<T> coalesce(int n, bool shuffle = false, CallSite site = CallSite::current()) const {
    check_partitions(n, "coalesce");
    if (shuffle) return repartition(n, site);
    if (n >= num_partitions()) return *this;
    return RDD<T>(std::make_shared<CoalesceNode<T>>(node_, n, site));
  }

  // Pairs up records of two RDDs with the same number of partitions and of
  // records in each partition.
  template <class U> RDD<std::pair<T, U>> zip(const RDD<U>& other, CallSite site = CallSite::current()) const {
    using Zip = fn::Zip<T, U>;
    return RDD<std::pair<T, U>>(std::make_shared<ZipPartitionsNode<std::pair<T, U>, Zip, T, U>>(
        std::tuple{node_, other.node()}, Zip{}, "zip", site, false));
  }

  // Spark's zipPartitions: partition p of the result is f(a, b[, c, d]),
  // the p-th partitions of this RDD and of the others (all with the same
  // number of partitions), returning an iterable of records. A parameter
  // `const std::vector<X>&` or `std::span<const X>` reads cached partitions
  // in place; `std::vector<X>` takes each partition (a copy when cached).
  // preserves_partitioning keeps this RDD's partitioner.
  template <class U, class F>
  auto zip_partitions(const RDD<U>& b, F f, bool preserves_partitioning = false,
                      CallSite site = CallSite::current()) const requires(!IsRDD<F>) {
    BRASA_CHECK_CLOSURE(F);
    return zip_partitions_impl(fn::IgnoreIndex<F>{std::move(f)}, preserves_partitioning, site, b);
  }
  template <class U, class V, class F>
  auto zip_partitions(const RDD<U>& b, const RDD<V>& c, F f, bool preserves_partitioning = false,
                      CallSite site = CallSite::current()) const requires(!IsRDD<F>) {
    BRASA_CHECK_CLOSURE(F);
    return zip_partitions_impl(fn::IgnoreIndex<F>{std::move(f)}, preserves_partitioning, site, b, c);
  }
  template <class U, class V, class W, class F>
  auto zip_partitions(const RDD<U>& b, const RDD<V>& c, const RDD<W>& d, F f, bool preserves_partitioning = false,
                      CallSite site = CallSite::current()) const requires(!IsRDD<F>) {
    BRASA_CHECK_CLOSURE(F);
    return zip_partitions_impl(fn::IgnoreIndex<F>{std::move(f)}, preserves_partitioning, site, b, c, d);
  }

  // (record, index) with indices 0..count-1 in partition order. Like Spark,
  // runs a job to count the partitions first (when there is more than one).
  RDD<std::pair<T, int64_t>> zip_with_index(CallSite site = CallSite::current()) const {
    std::vector<int64_t> offsets(static_cast<size_t>(num_partitions()), 0);
    if (num_partitions() > 1) {
      auto counts = partition_counts("zip_with_index", site);
      for (size_t i = 1; i < counts.size(); ++i) offsets[i] = offsets[i - 1] + counts[i - 1];
    }
    return map_partitions_impl(fn::AddIndex<T>{std::move(offsets)}, "zip_with_index", false, site);
  }

  RDD<T> sample(bool with_replacement, double fraction, uint64_t seed = 42,
                CallSite site = CallSite::current()) const {
    if (fraction < 0 || (!with_replacement && fraction > 1) || std::isnan(fraction))
      throw std::invalid_argument("sample: fraction must be in [0, 1] without replacement and >= 0 with it, got " +
                                  std::to_string(fraction));
    return map_partitions_impl(fn::Sampler<T>{fraction, with_replacement, seed}, "sample", true, site);
  }

  // Spark's randomSplit: splits with sizes in proportion to `weights`
  // (normalised), disjoint and together holding every record. Each split
  // draws the same per-partition sequence (seeded by seed and partition),
  // so the result does not depend on the master. Persist the RDD first:
  // every split reads it.
  std::vector<RDD<T>> random_split(const std::vector<double>& weights, uint64_t seed = 42,
                                   CallSite site = CallSite::current()) const {
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

  // Spark's takeSample: `num` records drawn at random (without replacement:
  // distinct records of the RDD), in random order; deterministic for a seed.
  // Runs a count, then samples until it has enough.
  std::vector<T> take_sample(bool with_replacement, int64_t num, uint64_t seed = 42,
                             CallSite site = CallSite::current()) const {
    if (num < 0) throw std::invalid_argument("take_sample: num must be non-negative, got " + std::to_string(num));
    if (num == 0) return {};
    int64_t total = count(site);
    if (total == 0) return {};
    std::mt19937_64 rng(seed);
    std::vector<T> picked;
    if (!with_replacement && num >= total) {
      picked = collect_named("take_sample", site);
    } else {
      double fraction = fn::sample_fraction(num, total, with_replacement);
      do {
        picked = sample(with_replacement, fraction, rng(), site).collect_named("take_sample", site);
      } while (static_cast<int64_t>(picked.size()) < num);
    }
    std::shuffle(picked.begin(), picked.end(), rng);
    if (static_cast<int64_t>(picked.size()) > num) picked.resize(static_cast<size_t>(num));
    return picked;
  }

  template <class U> RDD<std::pair<T, U>> cartesian(const RDD<U>& other, CallSite site = CallSite::current()) const {
    return RDD<std::pair<T, U>>(std::make_shared<CartesianNode<T, U>>(node_, other.node(), site));
  }

  // ---- Pair transformations ------------------------------------------------

  auto keys(CallSite site = CallSite::current()) const requires PairType<T> {
    using K = KeyOf<T>;
    return RDD<K>(std::make_shared<MapNode<T, K, fn::First>>(node_, fn::First{}, "keys", site));
  }

  auto values(CallSite site = CallSite::current()) const requires PairType<T> {
    using V = ValueOf<T>;
    return RDD<V>(std::make_shared<MapNode<T, V, fn::Second>>(node_, fn::Second{}, "values", site));
  }

  template <class F> auto map_values(F f, CallSite site = CallSite::current()) const requires PairType<T> {
    BRASA_CHECK_CLOSURE(F);
    using Out = MovingResult<fn::OnValue<F>, T>;
    auto node = std::make_shared<MapNode<T, Out, fn::OnValue<F>>>(node_, fn::OnValue<F>{std::move(f)}, "map_values",
                                                                  site);
    node->set_partitioner(partitioner());
    return RDD<Out>(node);
  }

  template <class F> auto flat_map_values(F f, CallSite site = CallSite::current()) const requires PairType<T> {
    BRASA_CHECK_CLOSURE(F);
    using Out = typename MovingResult<fn::FlatOnValue<F>, T>::value_type;
    return RDD<Out>(std::make_shared<FlatMapNode<T, Out, fn::FlatOnValue<F>>>(
        node_, fn::FlatOnValue<F>{std::move(f)}, "flat_map_values", site, true));
  }

  // Lays the records out by `p`; no shuffle when already laid out by it.
  RDD<T> partition_by(const Partitioner& p, CallSite site = CallSite::current()) const requires PairType<T> {
    if (partitioner() == p) return *this;
    using K = KeyOf<T>;
    using V = ValueOf<T>;
    auto dep = std::make_shared<PairShuffleDependency<K, V>>(node_, p);
    return RDD<T>(std::make_shared<ShuffledNode<T>>(dep, "partition_by", site));
  }

  // Spark's combineByKey: create(v) -> C starts a combiner, merge_value(C, v)
  // -> C adds a value to one, merge_combiners(C, C) -> C merges two. The
  // merges may instead take (C&, ...) and return void, updating in place.
  // Combines on the map side before shuffling; no shuffle at all if already
  // partitioned by p.
  template <class Create, class MergeValue, class MergeCombiners>
  auto combine_by_key(Create create, MergeValue merge_value, MergeCombiners merge_combiners,
                      std::optional<Partitioner> p = std::nullopt, CallSite site = CallSite::current()) const
      requires PairType<T> {
    BRASA_CHECK_CLOSURE(Create);
    BRASA_CHECK_CLOSURE(MergeValue);
    BRASA_CHECK_CLOSURE(MergeCombiners);
    return combine_in_place(std::move(create), fn::MergeWith<MergeValue>{std::move(merge_value)},
                            fn::MergeWith<MergeCombiners>{std::move(merge_combiners)}, p, "combine_by_key", site);
  }

  // combine_by_key with in-place merges: merge_value(C&, V&&) and
  // merge_combiners(C&, C&&).
  template <class Create, class MergeValue, class MergeCombiners>
  auto combine_in_place(Create create, MergeValue merge_value, MergeCombiners merge_combiners,
                        std::optional<Partitioner> p, const char* op, const CallSite& site) const
      requires PairType<T> {
    using K = KeyOf<T>;
    using V = ValueOf<T>;
    using C = MovingResult<Create, V>;
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

  template <class F>
  auto reduce_by_key(F f, std::optional<Partitioner> p = std::nullopt, CallSite site = CallSite::current()) const
      requires PairType<T> {
    BRASA_CHECK_CLOSURE(F);
    return combine_in_place(fn::Identity{}, fn::MergeWith<F>{f}, fn::MergeWith<F>{f}, p, "reduce_by_key", site);
  }
  template <class F> auto reduce_by_key(F f, int num_partitions, CallSite site = CallSite::current()) const
      requires PairType<T> {
    return reduce_by_key(std::move(f), Partitioner::hash(check_partitions(num_partitions, "reduce_by_key")), site);
  }

  template <class C, class Seq, class Comb>
  auto aggregate_by_key(C zero, Seq seq, Comb comb, std::optional<Partitioner> p = std::nullopt,
                        CallSite site = CallSite::current()) const requires PairType<T> {
    BRASA_CHECK_CLOSURE(Seq);
    BRASA_CHECK_CLOSURE(Comb);
    return combine_in_place(fn::SeqFromZero<C, Seq>{std::move(zero), fn::Held<Seq>(seq)}, fn::MergeWith<Seq>{seq},
                            fn::MergeWith<Comb>{comb}, p, "aggregate_by_key", site);
  }

  template <class F>
  auto fold_by_key(ValueOf<T> zero, F f, std::optional<Partitioner> p = std::nullopt,
                   CallSite site = CallSite::current()) const requires PairType<T> {
    return aggregate_by_key(std::move(zero), f, f, p, site);
  }

  // (k, [v...]); no map-side combining (it would not shrink the data).
  auto group_by_key(std::optional<Partitioner> p = std::nullopt, CallSite site = CallSite::current()) const
      requires PairType<T> {
    using K = KeyOf<T>;
    using V = ValueOf<T>;
    auto laid_out = partition_by(p ? *p : default_partitioner(), site);
    return RDD<std::pair<K, std::vector<V>>>(
        std::make_shared<CombineNode<K, V, std::vector<V>, fn::SingletonVector, fn::AppendTo, fn::AppendTo>>(
            laid_out.node(), fn::SingletonVector{}, fn::AppendTo{}, fn::AppendTo{}, "group_by_key", site));
  }

  // (k, ([v...], [w...])) for every key of either side.
  template <class W>
  auto cogroup(const RDD<std::pair<KeyOf<T>, W>>& other, std::optional<Partitioner> p = std::nullopt,
               CallSite site = CallSite::current()) const requires PairType<T> {
    using K = KeyOf<T>;
    using V = ValueOf<T>;
    Partitioner target = p ? *p : binary_partitioner(other);
    auto a = partition_by(target, site);
    auto b = other.partition_by(target, site);
    return RDD<std::pair<K, std::pair<std::vector<V>, std::vector<W>>>>(
        std::make_shared<CoGroupNode<K, V, W>>(a.node(), b.node(), site));
  }

  // (k, (v, w)) for every pair of records with equal keys. Holds one
  // partition of `other` at a time in a hash table: make it the smaller side.
  template <class W>
  auto join(const RDD<std::pair<KeyOf<T>, W>>& other, std::optional<Partitioner> p = std::nullopt,
            CallSite site = CallSite::current()) const requires PairType<T> {
    using K = KeyOf<T>;
    using V = ValueOf<T>;
    Partitioner target = p ? *p : binary_partitioner(other);
    auto a = partition_by(target, site);
    auto b = other.partition_by(target, site);
    return RDD<std::pair<K, std::pair<V, W>>>(std::make_shared<HashJoinNode<K, V, W>>(a.node(), b.node(), site));
  }
  template <class W>
  auto left_outer_join(const RDD<std::pair<KeyOf<T>, W>>& other,
                       std::optional<Partitioner> p = std::nullopt, CallSite site = CallSite::current()) const
      requires PairType<T> {
    return cogroup(other, p, site).flat_map_groups(fn::LeftOuterJoin{}, "left_outer_join", site);
  }
  template <class W>
  auto right_outer_join(const RDD<std::pair<KeyOf<T>, W>>& other,
                        std::optional<Partitioner> p = std::nullopt, CallSite site = CallSite::current()) const
      requires PairType<T> {
    return cogroup(other, p, site).flat_map_groups(fn::RightOuterJoin{}, "right_outer_join", site);
  }
  template <class W>
  auto full_outer_join(const RDD<std::pair<KeyOf<T>, W>>& other,
                       std::optional<Partitioner> p = std::nullopt, CallSite site = CallSite::current()) const
      requires PairType<T> {
    return cogroup(other, p, site).flat_map_groups(fn::FullOuterJoin{}, "full_outer_join", site);
  }
  // Pairs whose key does not occur in `other`.
  template <class W>
  RDD<T> subtract_by_key(const RDD<std::pair<KeyOf<T>, W>>& other,
                         CallSite site = CallSite::current()) const requires PairType<T> {
    return cogroup(other, std::nullopt, site).flat_map_groups(fn::LeftOnly{}, "subtract_by_key", site);
  }

  // Sorts by key with a range partitioner computed from a sample of the keys,
  // as Spark does: partition i holds keys before those of partition i+1.
  RDD<T> sort_by_key(bool ascending = true, int num_partitions = 0, CallSite site = CallSite::current()) const
      requires PairType<T> {
    int n = num_partitions > 0 ? num_partitions : this->num_partitions();
    auto laid_out = partition_by(range_partitioner(n, ascending, site), site);
    return RDD<T>(std::make_shared<SortByKeyNode<T>>(laid_out.node(), ascending, site));
  }

  // ---- Wide transformations on any RDD --------------------------------------

  RDD<T> distinct(int num_partitions = 0, CallSite site = CallSite::current()) const {
    int n = num_partitions > 0 ? num_partitions : this->num_partitions();
    struct WithUnit {
      std::pair<T, uint8_t> operator()(T&& x) const { return {std::move(x), 0}; }
    };
    return map(WithUnit{}, site)
        .combine_in_place(fn::Identity{}, fn::KeepFirst{}, fn::KeepFirst{}, Partitioner::hash(n), "distinct", site)
        .keys(site);
  }

  // Exactly n partitions, balanced, through a shuffle.
  RDD<T> repartition(int n, CallSite site = CallSite::current()) const {
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

  template <class F>
  RDD<T> sort_by(F key, bool ascending = true, int num_partitions = 0, CallSite site = CallSite::current()) const {
    return key_by(std::move(key), site).sort_by_key(ascending, num_partitions, site).values(site);
  }

  // Distinct records present in both RDDs.
  RDD<T> intersection(const RDD<T>& other, CallSite site = CallSite::current()) const {
    struct WithUnit {
      std::pair<T, uint8_t> operator()(T&& x) const { return {std::move(x), 0}; }
    };
    auto a = map(WithUnit{}, site);
    auto b = other.map(WithUnit{}, site);
    Partitioner p = Partitioner::hash(std::max(num_partitions(), other.num_partitions()));
    return a.cogroup(b, p, site).flat_map_groups(fn::KeyInBoth{}, "intersection", site);
  }

  // ---- Persistence ------------------------------------------------------------

  const RDD<T>& persist(StorageLevel level = StorageLevel::memory_only()) const {
    node_->set_storage_level(level);
    return *this;
  }
  const RDD<T>& cache() const { return persist(StorageLevel::memory_only()); }
  const RDD<T>& unpersist() const {
    node_->unpersist();
    return *this;
  }
  StorageLevel storage_level() const { return node_->storage_level(); }

  // Writes the RDD's partitions under `dir` now and cuts its lineage: later
  // jobs read the files instead of recomputing the parents. Persist first to
  // avoid computing the RDD twice.
  const RDD<T>& checkpoint(const std::string& dir, CallSite site = CallSite::current()) const {
    std::string target = (std::filesystem::path(dir) / ("rdd-" + std::to_string(id()))).string();
    std::filesystem::create_directories(target);
    run_job(act::WriteRecords{target}, [](int, bool) {}, "checkpoint", site);
    node_->mark_checkpointed(target);
    return *this;
  }
  bool is_checkpointed() const { return node_->is_checkpointed(); }

  // Spark's localCheckpoint: computes the RDD now into the block managers
  // (MEMORY_AND_DISK, or the RDD's own level with disk added) and cuts its
  // lineage, so later jobs neither walk nor ship it and the shuffles only
  // it needed are freed. Needs no directory and costs no extra write, but
  // is not fault-tolerant: a block lost with its executor cannot be
  // recomputed from nothing, and the job that needs it fails saying so.
  // Iterative algorithms call it every few iterations.
  const RDD<T>& local_checkpoint(CallSite site = CallSite::current()) const {
    if (node_->is_local_checkpointed() || node_->is_checkpointed()) return *this;
    StorageLevel level = storage_level();
    if (!level.is_valid()) {
      level = StorageLevel::memory_and_disk();
    } else if (!level.use_disk) {
      node_->unpersist();
      level.use_disk = true;
    }
    node_->set_storage_level(level);
    run_job(act::Count{}, [](int, int64_t) {}, "local_checkpoint", site);
    node_->mark_local_checkpointed();
    return *this;
  }
  bool is_local_checkpointed() const { return node_->is_local_checkpointed(); }

  // ---- Actions -------------------------------------------------------------------

  std::vector<T> collect(CallSite site = CallSite::current()) const { return collect_named("collect", site); }

  int64_t count(CallSite site = CallSite::current()) const {
    std::atomic<int64_t> n{0};
    run_job(act::Count{}, [&](int, int64_t c) { n += c; }, "count", site);
    return n;
  }

  // The first n records, scanning as few partitions as possible.
  std::vector<T> take(int64_t n, CallSite site = CallSite::current()) const {
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

  T first(CallSite site = CallSite::current()) const {
    auto v = take(1, site);
    if (v.empty()) throw std::logic_error("first: the RDD is empty");
    return std::move(v[0]);
  }

  bool is_empty(CallSite site = CallSite::current()) const { return num_partitions() == 0 || take(1, site).empty(); }

  // The n smallest records by `less` (default operator<), in order.
  template <class Less = std::less<T>>
  std::vector<T> take_ordered(int64_t n, Less less = Less{}, CallSite site = CallSite::current()) const {
    BRASA_CHECK_CLOSURE(Less);
    std::vector<std::vector<T>> parts(static_cast<size_t>(num_partitions()));
    run_job(act::Smallest<Less>{n, less},
            [&](int p, std::vector<T>&& part) { parts[static_cast<size_t>(p)] = std::move(part); }, "take_ordered",
            site);
    auto all = concat(parts);
    size_t k = static_cast<size_t>(std::max<int64_t>(0, std::min<int64_t>(n, static_cast<int64_t>(all.size()))));
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end(), less);
    all.resize(k);
    return all;
  }

  // The n largest records by `less`, largest first.
  template <class Less = std::less<T>>
  std::vector<T> top(int64_t n, Less less = Less{}, CallSite site = CallSite::current()) const {
    return take_ordered(n, fn::Reversed<Less>{less}, site);
  }

  template <class F> T reduce(F f, CallSite site = CallSite::current()) const {
    BRASA_CHECK_CLOSURE(F);
    std::vector<std::optional<T>> parts(static_cast<size_t>(num_partitions()));
    run_job(act::Reduce<F>{f}, [&](int p, std::optional<T>&& r) { parts[static_cast<size_t>(p)] = std::move(r); },
            "reduce", site);
    std::optional<T> acc;
    for (auto& part : parts)
      if (part) acc = acc ? f(std::move(*acc), std::move(*part)) : std::move(*part);
    if (!acc) throw std::logic_error("reduce: the RDD is empty (use fold with a zero value)");
    return std::move(*acc);
  }

  template <class F> T fold(T zero, F f, CallSite site = CallSite::current()) const {
    return aggregate(zero, f, f, site);
  }

  // seq(U, T) -> U within partitions, comb(U, U) -> U across them, each
  // partition starting from a copy of zero.
  template <class U, class Seq, class Comb>
  U aggregate(U zero, Seq seq, Comb comb, CallSite site = CallSite::current()) const {
    BRASA_CHECK_CLOSURE(Seq);
    auto parts = RDD<U>(std::make_shared<FoldPartitionNode<T, U, Seq>>(node_, zero, seq, "aggregate", site))
                     .collect_named("aggregate", site);
    U acc = std::move(zero);
    for (auto& part : parts) acc = comb(std::move(acc), std::move(part));
    return acc;
  }

  // aggregate, combining partition results in a tree of the given depth
  // (through shuffles of one record per partition), so that the driver
  // receives few, already combined values. The shape is fixed by the
  // partition count, so the result is deterministic.
  template <class U, class Seq, class Comb>
  U tree_aggregate(U zero, Seq seq, Comb comb, int depth = 2, CallSite site = CallSite::current()) const {
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

  template <class F> T tree_reduce(F f, int depth = 2, CallSite site = CallSite::current()) const {
    auto r = tree_aggregate(std::optional<T>{}, fn::OptionalSeq<F>{f}, fn::OptionalCombine<F>{f}, depth, site);
    if (!r) throw std::logic_error("tree_reduce: the RDD is empty");
    return std::move(*r);
  }

  template <class F> void foreach(F f, CallSite site = CallSite::current()) const {
    BRASA_CHECK_CLOSURE(F);
    run_job(act::Foreach<F>{f}, [](int, bool) {}, "foreach", site);
  }

  // f(std::vector<T>&) once per partition.
  template <class F> void foreach_partition(F f, CallSite site = CallSite::current()) const {
    BRASA_CHECK_CLOSURE(F);
    run_job(act::ForeachPartition<F>{f}, [](int, bool) {}, "foreach_partition", site);
  }

  std::map<T, int64_t> count_by_value(CallSite site = CallSite::current()) const {
    struct One {
      std::pair<T, int64_t> operator()(T&& x) const { return {std::move(x), 1}; }
    };
    return map(One{}, site).reduce_by_key(std::plus<int64_t>{}, std::nullopt, site).collect_as_map(site);
  }

  auto count_by_key(CallSite site = CallSite::current()) const requires PairType<T> {
    struct One {
      int64_t operator()(const ValueOf<T>&) const { return 1; }
    };
    return map_values(One{}, site).reduce_by_key(std::plus<int64_t>{}, std::nullopt, site).collect_as_map(site);
  }

  // Values for key k; reads a single partition when the partitioner is known.
  auto lookup(const KeyOf<T>& k, CallSite site = CallSite::current()) const requires PairType<T> {
    using V = ValueOf<T>;
    std::vector<std::vector<V>> parts(static_cast<size_t>(num_partitions()));
    auto keep = [&](int p, std::vector<V>&& found) { parts[static_cast<size_t>(p)] = std::move(found); };
    if (partitioner())
      run_job_on({partitioner()->partition_of(k)}, act::Lookup<KeyOf<T>>{k}, keep, "lookup", site);
    else
      run_job(act::Lookup<KeyOf<T>>{k}, keep, "lookup", site);
    return concat(parts);
  }

  // Key -> value on the driver; for duplicate keys the last one wins.
  auto collect_as_map(CallSite site = CallSite::current()) const requires PairType<T> {
    std::map<KeyOf<T>, ValueOf<T>> out;
    for (auto& kv : collect(site)) out.insert_or_assign(std::move(kv.first), std::move(kv.second));
    return out;
  }

  // Writes one text file per partition (part-00000, ...) and _SUCCESS into
  // `path`. Refuses an existing path unless overwrite; leaves nothing behind
  // if the job fails.
  void save_as_text_file(const std::string& path, bool overwrite = false,
                         CallSite site = CallSite::current()) const {
    save<act::WriteText>(path, overwrite, "save_as_text_file", site);
  }

  // Writes the records in Brasa's binary encoding, for Context::object_file.
  void save_as_object_file(const std::string& path, bool overwrite = false,
                           CallSite site = CallSite::current()) const {
    save<act::WriteRecords>(path, overwrite, "save_as_object_file", site);
  }

  // count, mean, stdev, min, max of a numeric RDD.
  StatCounter stats(CallSite site = CallSite::current()) const requires std::is_arithmetic_v<T> {
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

  // Counts per bucket for sorted bucket boundaries [b0, b1), ..., [bn-1, bn]
  // (the last bucket includes its upper bound, as in Spark).
  std::vector<int64_t> histogram(std::vector<double> buckets, CallSite site = CallSite::current()) const
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

  // `bucket_count` even buckets between min and max: (boundaries, counts).
  std::pair<std::vector<double>, std::vector<int64_t>> histogram(int bucket_count,
                                                                 CallSite site = CallSite::current()) const
      requires std::is_arithmetic_v<T> {
    if (bucket_count < 1) throw std::invalid_argument("histogram: bucket_count must be at least 1");
    StatCounter s = stats(site);
    if (s.count() == 0) throw std::logic_error("histogram: the RDD is empty");
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

 private:
  template <class U> friend class RDD;

  // ---- Internals shared by the operations above ------------------------------

  template <class F>
  auto map_partitions_impl(F f, const char* op, bool keeps_partitioner, const CallSite& site) const {
    using Result = decltype(f(0, std::declval<std::vector<T>&&>()));
    using U = std::decay_t<decltype(*std::begin(std::declval<Result&>()))>;
    return RDD<U>(std::make_shared<MapPartitionsNode<T, U, F>>(node_, std::move(f), op, site, keeps_partitioner));
  }

  template <class F, class... Us>
  auto zip_partitions_impl(F f, bool keeps_partitioner, const CallSite& site, const RDD<Us>&... others) const {
    using Result = decltype(f(0, std::declval<std::vector<T>&&>(), std::declval<std::vector<Us>&&>()...));
    using Out = std::decay_t<decltype(*std::begin(std::declval<Result&>()))>;
    return RDD<Out>(std::make_shared<ZipPartitionsNode<Out, F, T, Us...>>(
        std::tuple{node_, others.node()...}, std::move(f), "zip_partitions", site, keeps_partitioner));
  }

  // For cogroup results: applies a group-to-records function keeping the
  // partitioner.
  template <class F> auto flat_map_groups(F f, const char* op, const CallSite& site) const {
    using U = typename MovingResult<F, T>::value_type;
    return RDD<U>(std::make_shared<FlatMapNode<T, U, F>>(node_, std::move(f), op, site, true));
  }


  std::vector<T> collect_named(const char* action, const CallSite& site) const {
    std::vector<std::vector<T>> parts(static_cast<size_t>(num_partitions()));
    run_job(act::Collect{}, [&](int p, std::vector<T>&& part) { parts[static_cast<size_t>(p)] = std::move(part); },
            action, site);
    return concat(parts);
  }

  // Runs f(node, p) for every partition where it is and hands each result to
  // handler(p, result) on the driver (see result_task.h).
  template <class F, class Handler>
  void run_job(F f, Handler handler, const char* action, const CallSite& site) const {
    std::vector<int> all(static_cast<size_t>(num_partitions()));
    for (int i = 0; i < num_partitions(); ++i) all[static_cast<size_t>(i)] = i;
    run_job_on(all, std::move(f), std::move(handler), action, site);
  }
  template <class F, class Handler>
  void run_job_on(const std::vector<int>& parts, F f, Handler handler, const char* action,
                  const CallSite& site) const {
    TypedJobAction<T, F, Handler> job(node_, std::move(f), handler);
    node_->runtime().scheduler().run_job(node_, parts, job, std::string(action) + " at " + describe(site));
  }

  std::vector<int64_t> partition_counts(const char* action, const CallSite& site) const {
    std::vector<int64_t> counts(static_cast<size_t>(num_partitions()), 0);
    run_job(act::Count{}, [&](int p, int64_t c) { counts[static_cast<size_t>(p)] = c; }, action, site);
    return counts;
  }

  template <class U> static std::vector<U> concat(std::vector<std::vector<U>>& parts) {
    size_t n = 0;
    for (auto& p : parts) n += p.size();
    std::vector<U> out;
    out.reserve(n);
    for (auto& p : parts) out.insert(out.end(), std::make_move_iterator(p.begin()), std::make_move_iterator(p.end()));
    return out;
  }

  template <class Write>
  void save(const std::string& path, bool overwrite, const char* action, const CallSite& site) const {
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

  Partitioner default_partitioner(int other_partitions = 0) const {
    if (partitioner()) return *partitioner();
    return Partitioner::hash(std::max({1, num_partitions(), other_partitions}));
  }
  // The layout of a two-RDD operation by key: either side's partitioner,
  // so that a side already laid out by it is not shuffled.
  template <class U> Partitioner binary_partitioner(const RDD<U>& other) const {
    if (partitioner()) return *partitioner();
    if (other.partitioner()) return *other.partitioner();
    return default_partitioner(other.num_partitions());
  }

  Partitioner range_partitioner(int n, bool ascending, const CallSite& site) const requires PairType<T> {
    using K = KeyOf<T>;
    // A sample of about 20 keys per output partition, each key weighted by
    // how many records it stands for, then weighted quantiles, as Spark's
    // RangePartitioner: every input partition gives 3 times its share of
    // the sample, and one much larger than the others is sampled again at
    // the overall rate.
    size_t sample_size = std::min<size_t>(size_t{20} * static_cast<size_t>(n), 1000000);
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

  static int check_partitions(int n, const char* op) {
    if (n < 1) throw std::invalid_argument(std::string(op) + ": number of partitions must be at least 1, got " +
                                           std::to_string(n));
    return n;
  }

  NodePtr<T> node_;
};

}  // namespace brasa
