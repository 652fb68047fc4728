// RDD<T>: the user's handle on a distributed dataset. It is a cheap,
// copyable pointer to an immutable node of the lineage graph.
// Transformations are lazy and return new RDDs; actions run a job through
// the DAG scheduler and return results to the driver.
//
// Functions given to operations must be shippable (see util/closure.h).
// Operations on pairs (reduce_by_key, join, ...) exist when T is std::pair.
//
// This file is the API. The definitions are in rdd/detail/rdd_*.h, included
// at its end.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "brasa/rdd/detail/narrow_nodes.h"
#include "brasa/rdd/detail/source_nodes.h"
#include "brasa/rdd/partitioner.h"
#include "brasa/rdd/rdd_base.h"
#include "brasa/rdd/stat_counter.h"
#include "brasa/storage/storage_level.h"
#include "brasa/util/serializer.h"

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

template <class T> class RDD {
  static_assert(Record<T>,
                "brasa: this RDD's record type cannot be serialized (the line 'required from here' made it). "
                "Records are trivially copyable types, std::string, standard containers, pairs, tuples and "
                "plain structs of these; give any other class a member "
                "`template <class Ar> void serialize(Ar& ar) { ar(field1, field2); }`.");

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
  const RDD<T>& set_name(std::string name) const;
  const std::string& name() const { return node_->user_name(); }

  // ---- Transformations ------------------------------------------------------
  // Lazy: each returns a new RDD and runs no job, except that zip_with_index,
  // sort_by and sort_by_key first count or sample the records. Narrow unless
  // noted: a partition of the result reads few of the parent's.

  // Spark's map: f(x) for every record.
  template <class F> auto map(F f, CallSite site = CallSite::current()) const;

  // Spark's filter: the records for which f(x) is true.
  template <class F> RDD<T> filter(F f, CallSite site = CallSite::current()) const;

  // Spark's flatMap: f returns an iterable (vector, list, ...) of output
  // records. An iterable of std::string_view (brasa::words(line)) gives an
  // RDD<std::string> without a vector or string per call.
  template <class F> auto flat_map(F f, CallSite site = CallSite::current()) const;

  // Spark's mapPartitions: f(std::vector<T>&& partition) returns an iterable
  // for the whole partition.
  template <class F>
  auto map_partitions(F f, bool preserves_partitioning = false, CallSite site = CallSite::current()) const;

  // Spark's mapPartitionsWithIndex: f(int partition_index, std::vector<T>&&
  // partition) returns an iterable.
  template <class F>
  auto map_partitions_with_index(F f, bool preserves_partitioning = false,
                                 CallSite site = CallSite::current()) const;

  // Spark's glom: each partition as one std::vector<T> record.
  RDD<std::vector<T>> glom(CallSite site = CallSite::current()) const;

  // Spark's keyBy: (f(x), x) for every record.
  template <class F> auto key_by(F f, CallSite site = CallSite::current()) const;

  // Spark's union: the partitions of this RDD, then those of `other`.
  RDD<T> union_with(const RDD<T>& other, CallSite site = CallSite::current()) const;

  // Spark's coalesce: fewer partitions without a shuffle (or with one, to
  // grow or rebalance).
  RDD<T> coalesce(int n, bool shuffle = false, CallSite site = CallSite::current()) const;

  // Spark's zip: pairs up records of two RDDs with the same number of
  // partitions and of records in each partition.
  template <class U> RDD<std::pair<T, U>> zip(const RDD<U>& other, CallSite site = CallSite::current()) const;

  // Spark's zipPartitions: partition p of the result is f(a, b[, c, d]),
  // the p-th partitions of this RDD and of the others (all with the same
  // number of partitions), returning an iterable of records. A parameter
  // `const std::vector<X>&` or `std::span<const X>` reads cached partitions
  // in place; `std::vector<X>` takes each partition (a copy when cached).
  // preserves_partitioning keeps this RDD's partitioner.
  template <class U, class F>
  auto zip_partitions(const RDD<U>& b, F f, bool preserves_partitioning = false,
                      CallSite site = CallSite::current()) const requires(!IsRDD<F>);
  template <class U, class V, class F>
  auto zip_partitions(const RDD<U>& b, const RDD<V>& c, F f, bool preserves_partitioning = false,
                      CallSite site = CallSite::current()) const requires(!IsRDD<F>);
  template <class U, class V, class W, class F>
  auto zip_partitions(const RDD<U>& b, const RDD<V>& c, const RDD<W>& d, F f, bool preserves_partitioning = false,
                      CallSite site = CallSite::current()) const requires(!IsRDD<F>);

  // Spark's zipWithIndex: (record, index) with indices 0..count-1 in
  // partition order. Like Spark, runs a job to count the partitions first
  // (when there is more than one).
  RDD<std::pair<T, int64_t>> zip_with_index(CallSite site = CallSite::current()) const;

  // Spark's sample: each record kept with probability `fraction`, or copied
  // a Poisson(fraction) number of times with replacement; seeded.
  RDD<T> sample(bool with_replacement, double fraction, uint64_t seed = 42,
                CallSite site = CallSite::current()) const;

  // Spark's randomSplit: splits with sizes in proportion to `weights`
  // (normalised), disjoint and together holding every record. Each split
  // draws the same per-partition sequence (seeded by seed and partition),
  // so the result does not depend on the master. Persist the RDD first:
  // every split reads it.
  std::vector<RDD<T>> random_split(const std::vector<double>& weights, uint64_t seed = 42,
                                   CallSite site = CallSite::current()) const;

  // Spark's cartesian: (a, b) for every record a of this RDD and b of `other`.
  template <class U> RDD<std::pair<T, U>> cartesian(const RDD<U>& other, CallSite site = CallSite::current()) const;

  // Wide transformations on any RDD (through a shuffle; defined in
  // rdd_pairs.h, as they are built from the pair operations):

  // Spark's distinct: each record once; num_partitions 0 keeps this RDD's.
  RDD<T> distinct(int num_partitions = 0, CallSite site = CallSite::current()) const;

  // Spark's repartition: exactly n partitions, balanced, through a shuffle.
  RDD<T> repartition(int n, CallSite site = CallSite::current()) const;

  // Spark's sortBy: the records sorted by key(x), as sort_by_key does.
  template <class F>
  RDD<T> sort_by(F key, bool ascending = true, int num_partitions = 0, CallSite site = CallSite::current()) const;

  // Spark's intersection: distinct records present in both RDDs.
  RDD<T> intersection(const RDD<T>& other, CallSite site = CallSite::current()) const;

  // ---- Pair RDDs ------------------------------------------------------------
  // When T is std::pair<K, V>. An operation by key shuffles unless the RDD
  // is already laid out by its partitioner (by default, the RDD's own).

  // Spark's keys: the key of every pair.
  auto keys(CallSite site = CallSite::current()) const requires PairType<T>;

  // Spark's values: the value of every pair.
  auto values(CallSite site = CallSite::current()) const requires PairType<T>;

  // Spark's mapValues: (k, f(v)); keeps the partitioner.
  template <class F> auto map_values(F f, CallSite site = CallSite::current()) const requires PairType<T>;

  // Spark's flatMapValues: (k, w) for every w in the iterable f(v); keeps
  // the partitioner.
  template <class F> auto flat_map_values(F f, CallSite site = CallSite::current()) const requires PairType<T>;

  // Spark's partitionBy: lays the records out by `p`; no shuffle when
  // already laid out by it.
  RDD<T> partition_by(const Partitioner& p, CallSite site = CallSite::current()) const requires PairType<T>;

  // Spark's combineByKey: create(v) -> C starts a combiner, merge_value(C, v)
  // -> C adds a value to one, merge_combiners(C, C) -> C merges two. The
  // merges may instead take (C&, ...) and return void, updating in place.
  // Combines on the map side before shuffling; no shuffle at all if already
  // partitioned by p.
  template <class Create, class MergeValue, class MergeCombiners>
  auto combine_by_key(Create create, MergeValue merge_value, MergeCombiners merge_combiners,
                      std::optional<Partitioner> p = std::nullopt, CallSite site = CallSite::current()) const
      requires PairType<T>;

  // combine_by_key with in-place merges: merge_value(C&, V&&) and
  // merge_combiners(C&, C&&).
  template <class Create, class MergeValue, class MergeCombiners>
  auto combine_in_place(Create create, MergeValue merge_value, MergeCombiners merge_combiners,
                        std::optional<Partitioner> p, const char* op, const CallSite& site) const
      requires PairType<T>;

  // Spark's reduceByKey: (k, f(f(v1, v2), ...)) per key, f associative and
  // commutative; combines on the map side first.
  template <class F>
  auto reduce_by_key(F f, std::optional<Partitioner> p = std::nullopt, CallSite site = CallSite::current()) const
      requires PairType<T>;
  // reduce_by_key into num_partitions hash partitions.
  template <class F> auto reduce_by_key(F f, int num_partitions, CallSite site = CallSite::current()) const
      requires PairType<T>;

  // Spark's aggregateByKey: per key, seq(C, v) -> C from a copy of zero,
  // then comb(C, C) -> C across partitions.
  template <class C, class Seq, class Comb>
  auto aggregate_by_key(C zero, Seq seq, Comb comb, std::optional<Partitioner> p = std::nullopt,
                        CallSite site = CallSite::current()) const requires PairType<T>;

  // Spark's foldByKey: aggregate_by_key with f as both seq and comb.
  template <class F>
  auto fold_by_key(ValueOf<T> zero, F f, std::optional<Partitioner> p = std::nullopt,
                   CallSite site = CallSite::current()) const requires PairType<T>;

  // Spark's groupByKey: (k, [v...]); no map-side combining (it would not
  // shrink the data).
  auto group_by_key(std::optional<Partitioner> p = std::nullopt, CallSite site = CallSite::current()) const
      requires PairType<T>;

  // Spark's cogroup: (k, ([v...], [w...])) for every key of either side.
  template <class W>
  auto cogroup(const RDD<std::pair<KeyOf<T>, W>>& other, std::optional<Partitioner> p = std::nullopt,
               CallSite site = CallSite::current()) const requires PairType<T>;

  // Spark's join: (k, (v, w)) for every pair of records with equal keys. Holds
  // one partition of `other` at a time in a hash table: make it the smaller side.
  template <class W>
  auto join(const RDD<std::pair<KeyOf<T>, W>>& other, std::optional<Partitioner> p = std::nullopt,
            CallSite site = CallSite::current()) const requires PairType<T>;
  // Spark's leftOuterJoin: (k, (v, optional w)) for every record of this RDD.
  template <class W>
  auto left_outer_join(const RDD<std::pair<KeyOf<T>, W>>& other,
                       std::optional<Partitioner> p = std::nullopt, CallSite site = CallSite::current()) const
      requires PairType<T>;
  // Spark's rightOuterJoin: (k, (optional v, w)) for every record of `other`.
  template <class W>
  auto right_outer_join(const RDD<std::pair<KeyOf<T>, W>>& other,
                        std::optional<Partitioner> p = std::nullopt, CallSite site = CallSite::current()) const
      requires PairType<T>;
  // Spark's fullOuterJoin: (k, (optional v, optional w)) for every record of
  // either side.
  template <class W>
  auto full_outer_join(const RDD<std::pair<KeyOf<T>, W>>& other,
                       std::optional<Partitioner> p = std::nullopt, CallSite site = CallSite::current()) const
      requires PairType<T>;
  // Spark's subtractByKey: pairs whose key does not occur in `other`.
  template <class W>
  RDD<T> subtract_by_key(const RDD<std::pair<KeyOf<T>, W>>& other,
                         CallSite site = CallSite::current()) const requires PairType<T>;

  // Spark's sortByKey: sorts by key with a range partitioner computed from a
  // sample of the keys, as Spark does: partition i holds keys before those
  // of partition i+1.
  RDD<T> sort_by_key(bool ascending = true, int num_partitions = 0, CallSite site = CallSite::current()) const
      requires PairType<T>;

  // ---- Persistence ----------------------------------------------------------

  // Spark's persist: keeps the partitions at `level` once a job computes them.
  const RDD<T>& persist(StorageLevel level = StorageLevel::memory_only()) const;
  // Spark's cache: persist in memory.
  const RDD<T>& cache() const { return persist(StorageLevel::memory_only()); }
  // Spark's unpersist: drops the persisted partitions.
  const RDD<T>& unpersist() const;
  StorageLevel storage_level() const { return node_->storage_level(); }

  // Spark's checkpoint, but eager: writes the RDD's partitions under `dir`
  // now and cuts its lineage: later jobs read the files instead of
  // recomputing the parents. Persist first to avoid computing the RDD twice.
  const RDD<T>& checkpoint(const std::string& dir, CallSite site = CallSite::current()) const;
  bool is_checkpointed() const { return node_->is_checkpointed(); }

  // Spark's localCheckpoint: computes the RDD now into the block managers
  // (MEMORY_AND_DISK, or the RDD's own level with disk added) and cuts its
  // lineage, so later jobs neither walk nor ship it and the shuffles only
  // it needed are freed. Needs no directory and costs no extra write, but
  // is not fault-tolerant: a block lost with its executor cannot be
  // recomputed from nothing, and the job that needs it fails saying so.
  // Iterative algorithms call it every few iterations. An RDD persisted
  // with disk whose partitions are all in the block managers already is
  // marked without a job.
  const RDD<T>& local_checkpoint(CallSite site = CallSite::current()) const;
  bool is_local_checkpointed() const { return node_->is_local_checkpointed(); }

  // Runs now the map stages that this RDD's own stage waits for (writing
  // the shuffle outputs its partitions read), but not that stage: the next
  // action on the RDD starts from those outputs (Spark's submitMapStage).
  // An iteration calls it on the next step's shuffled input, so that the
  // stage computing (and caching) one step's state also writes the shuffle
  // of the next: one stage per iteration fewer than an action on the state.
  void run_map_stages(CallSite site = CallSite::current()) const;

  // ---- Actions --------------------------------------------------------------
  // Each runs one or more jobs now and returns its result to the driver.

  // Spark's collect: every record, in partition order.
  std::vector<T> collect(CallSite site = CallSite::current()) const;

  // Spark's count: the number of records.
  int64_t count(CallSite site = CallSite::current()) const;

  // Spark's take: the first n records, scanning as few partitions as possible.
  std::vector<T> take(int64_t n, CallSite site = CallSite::current()) const;

  // Spark's first: the first record; throws if the RDD is empty.
  T first(CallSite site = CallSite::current()) const;

  // Spark's isEmpty: whether the RDD has no records (reads at most one).
  bool is_empty(CallSite site = CallSite::current()) const;

  // Spark's takeOrdered: the n smallest records by `less` (default
  // operator<), in order.
  template <class Less = std::less<T>>
  std::vector<T> take_ordered(int64_t n, Less less = Less{}, CallSite site = CallSite::current()) const;

  // Spark's top: the n largest records by `less`, largest first.
  template <class Less = std::less<T>>
  std::vector<T> top(int64_t n, Less less = Less{}, CallSite site = CallSite::current()) const;

  // Spark's takeSample: `num` records drawn at random (without replacement:
  // distinct records of the RDD), in random order; deterministic for a seed.
  // Runs a count, then samples until it has enough.
  std::vector<T> take_sample(bool with_replacement, int64_t num, uint64_t seed = 42,
                             CallSite site = CallSite::current()) const;

  // Spark's reduce: f(f(x1, x2), ...) over all records, f associative and
  // commutative; throws if the RDD is empty.
  template <class F> T reduce(F f, CallSite site = CallSite::current()) const;

  // Spark's fold: reduce from `zero`, which starts every partition and the
  // driver's combination of them.
  template <class F> T fold(T zero, F f, CallSite site = CallSite::current()) const;

  // Spark's aggregate: seq(U, T) -> U within partitions, comb(U, U) -> U
  // across them, each partition starting from a copy of zero.
  template <class U, class Seq, class Comb>
  U aggregate(U zero, Seq seq, Comb comb, CallSite site = CallSite::current()) const;

  // Spark's treeAggregate: aggregate, combining partition results in a tree
  // of the given depth (through shuffles of one record per partition), so
  // that the driver receives few, already combined values. The shape is
  // fixed by the partition count, so the result is deterministic.
  template <class U, class Seq, class Comb>
  U tree_aggregate(U zero, Seq seq, Comb comb, int depth = 2, CallSite site = CallSite::current()) const;

  // Spark's treeReduce: reduce, combining partition results as
  // tree_aggregate does; throws if the RDD is empty.
  template <class F> T tree_reduce(F f, int depth = 2, CallSite site = CallSite::current()) const;

  // Spark's foreach: f(x) for every record, where the record is.
  template <class F> void foreach(F f, CallSite site = CallSite::current()) const;

  // Spark's foreachPartition: f(std::vector<T>&) once per partition.
  template <class F> void foreach_partition(F f, CallSite site = CallSite::current()) const;

  // Spark's countByValue: record -> number of occurrences, on the driver.
  // Each partition is counted in one table before the shuffle; words of
  // flat_map(brasa::words) are looked up there without making strings.
  std::map<T, int64_t> count_by_value(CallSite site = CallSite::current()) const;

  // Spark's countByKey: key -> number of pairs with it, on the driver.
  auto count_by_key(CallSite site = CallSite::current()) const requires PairType<T>;

  // Spark's lookup: values for key k; reads a single partition when the
  // partitioner is known.
  auto lookup(const KeyOf<T>& k, CallSite site = CallSite::current()) const requires PairType<T>;

  // Spark's collectAsMap: key -> value on the driver; for duplicate keys the
  // last one wins.
  auto collect_as_map(CallSite site = CallSite::current()) const requires PairType<T>;

  // Spark's saveAsTextFile: writes one text file per partition (part-00000,
  // ...) and _SUCCESS into `path`. Refuses an existing path unless
  // overwrite; leaves nothing behind if the job fails.
  void save_as_text_file(const std::string& path, bool overwrite = false,
                         CallSite site = CallSite::current()) const;

  // Spark's saveAsObjectFile: writes the records in Brasa's binary encoding,
  // for Context::object_file.
  void save_as_object_file(const std::string& path, bool overwrite = false,
                           CallSite site = CallSite::current()) const;

  // Spark's stats: count, mean, stdev, min, max of a numeric RDD.
  StatCounter stats(CallSite site = CallSite::current()) const requires std::is_arithmetic_v<T>;

  // Spark's histogram: counts per bucket for sorted bucket boundaries
  // [b0, b1), ..., [bn-1, bn] (the last bucket includes its upper bound, as
  // in Spark).
  std::vector<int64_t> histogram(std::vector<double> buckets, CallSite site = CallSite::current()) const
      requires std::is_arithmetic_v<T>;

  // Spark's histogram(bucketCount): `bucket_count` even buckets between min
  // and max: (boundaries, counts).
  std::pair<std::vector<double>, std::vector<int64_t>> histogram(int bucket_count,
                                                                 CallSite site = CallSite::current()) const
      requires std::is_arithmetic_v<T>;

 private:
  template <class U> friend class RDD;

  // ---- Internals shared by the operations above -----------------------------

  // A new RDD of f(partition_index, std::vector<T>&&), an iterable per partition.
  template <class F>
  auto map_partitions_impl(F f, const char* op, bool keeps_partitioner, const CallSite& site) const;
  // A new RDD of f(partition_index, this RDD's partition, the others' partitions...).
  template <class F, class... Us>
  auto zip_partitions_impl(F f, bool keeps_partitioner, const CallSite& site, const RDD<Us>&... others) const;

  // For cogroup results: applies a group-to-records function keeping the
  // partitioner.
  template <class F> auto flat_map_groups(F f, const char* op, const CallSite& site) const;

  // collect, named `action` in the job's description.
  std::vector<T> collect_named(const char* action, const CallSite& site) const;

  // Runs f(node, p) for every partition where it is and hands each result to
  // handler(p, result) on the driver (see result_task.h).
  template <class F, class Handler>
  void run_job(F f, Handler handler, const char* action, const CallSite& site) const;
  // run_job on the partitions `parts` only.
  template <class F, class Handler>
  void run_job_on(const std::vector<int>& parts, F f, Handler handler, const char* action,
                  const CallSite& site) const;

  // The number of records in each partition (a job).
  std::vector<int64_t> partition_counts(const char* action, const CallSite& site) const;

  // The records of all parts, in order, moved out of them.
  template <class U> static std::vector<U> concat(std::vector<std::vector<U>>& parts);

  // The save_* actions: a job writing with Write{dir} through an OutputCommitter.
  template <class Write>
  void save(const std::string& path, bool overwrite, const char* action, const CallSite& site) const;

  // This RDD's partitioner, or hash partitioning into as many partitions as
  // this RDD or the other side has (at least 1).
  Partitioner default_partitioner(int other_partitions = 0) const;
  // The layout of a two-RDD operation by key: either side's partitioner,
  // so that a side already laid out by it is not shuffled.
  template <class U> Partitioner binary_partitioner(const RDD<U>& other) const;

  // sort_by_key's range partitioner into n partitions, from a sample of the keys.
  Partitioner range_partitioner(int n, bool ascending, const CallSite& site) const requires PairType<T>;

  // n, or throws if it is not a valid number of partitions for `op`.
  static int check_partitions(int n, const char* op);

  NodePtr<T> node_;
};

}  // namespace brasa

// The definitions of the members above: they need the complete class.
#include "brasa/rdd/detail/rdd_internal.h"
#include "brasa/rdd/detail/rdd_transformations.h"
#include "brasa/rdd/detail/rdd_pairs.h"
#include "brasa/rdd/detail/rdd_persistence.h"
#include "brasa/rdd/detail/rdd_actions.h"
#include "brasa/rdd/detail/common_records.h"
