// The map side of a shuffle over a pair RDD. A map task computes one parent
// partition and splits it into one bucket per reduce partition, either as
// the records themselves or, with map-side combining, as one combined value
// per key (a flat hash table per bucket). Buckets or tables that outgrow the
// task's shuffle memory are spilled as runs (tables are flushed into the
// buckets first: the reducers merge partial combiners anyway).
#pragma once

#include <algorithm>
#include <atomic>
#include <memory>
#include <utility>
#include <vector>

#include "brasa/rdd/rdd_node.h"
#include "brasa/shuffle/combine_batch.h"
#include "brasa/shuffle/shuffle_manager.h"
#include "brasa/util/flat_hash_map.h"
#include "brasa/util/inline_hash_map.h"

namespace brasa {

// The most shuffle memory a map task held, for its metrics.
inline void note_peak_memory(size_t bytes) {
  if (TaskMetrics* m = current_task_metrics()) m->peak_memory = std::max(m->peak_memory, static_cast<int64_t>(bytes));
}

// Buckets hold the parent's records unchanged.
template <class K, class V> class PairShuffleDependency final : public ShuffleDependencyBase {
 public:
  using Record = std::pair<K, V>;

  PairShuffleDependency(std::shared_ptr<RDDNode<Record>> parent, Partitioner partitioner)
      : ShuffleDependencyBase(parent, std::move(partitioner)), parent_(std::move(parent)) {}

  void run_map_task(int map_partition) override {
    Runtime& rt = parent_->runtime();
    auto output = std::make_shared<MapOutput<Record>>(static_cast<size_t>(partitioner().num_partitions()));
    struct Split final : Sink<Record> {
      const Partitioner* partitioner;
      MapOutput<Record>* output;
      Runtime* rt;
      size_t bytes = 0, peak = 0;
      void push(std::span<Record> batch) override {
        for (auto& r : batch) add(std::move(r));
        added(batch.size());
      }
      void push_borrowed(std::span<const Record> batch) override {  // copies straight into the buckets
        for (const auto& r : batch) add(Record(r));
        added(batch.size());
      }
      void add(Record&& r) {
        if constexpr (!kBitwise<Record>) bytes += approx_bytes(r);
        output->buckets[static_cast<size_t>(partitioner->partition_of(r.first))].push_back(std::move(r));
      }
      void added(size_t n) {
        if constexpr (kBitwise<Record>) bytes += n * sizeof(Record);
        peak = std::max(peak, bytes);
        if (bytes > rt->task_shuffle_memory()) {
          output->spill(*rt);
          bytes = 0;
        }
      }
    } split;
    split.partitioner = &partitioner();
    split.output = output.get();
    split.rt = &rt;
    parent_->iterate(map_partition, split);
    note_peak_memory(split.peak);
    output->count_memory();
    rt.shuffle_manager().put(rt, shuffle_id(), map_partition, std::move(output));
  }

  void write_plan(PlanWriter& w) const override {
    w.begin<PairShuffleDependency>();
    w(shuffle_id());
    partitioner().template write<K>(w.writer());
    w.node(*parent_);
  }
  static std::unique_ptr<TaskBody> rebuild(PlanReader& r) {
    auto shuffle_id = r.read<int>();
    auto partitioner = Partitioner::read<K>(r.reader());
    auto parent = r.node<Record>();
    return std::unique_ptr<TaskBody>(new PairShuffleDependency(std::move(parent), std::move(partitioner), shuffle_id));
  }

 private:
  PairShuffleDependency(std::shared_ptr<RDDNode<Record>> parent, Partitioner partitioner, int shuffle_id)
      : ShuffleDependencyBase(parent, std::move(partitioner), shuffle_id), parent_(std::move(parent)) {}

  std::shared_ptr<RDDNode<Record>> parent_;
};

// Buckets hold one (key, combiner) per key, built with create(value) and
// merge_value(combiner&, value).
template <class K, class V, class C, class Create, class MergeValue>
class CombiningShuffleDependency final : public ShuffleDependencyBase {
 public:
  using Record = std::pair<K, V>;
  using Bucket = std::pair<K, C>;
  // Numbers combine in a table with the entries in its slots.
  using Table = std::conditional_t<kBitwise<K> && kBitwise<C> && sizeof(Bucket) <= 16, InlineHashMap<K, C>,
                                   FlatHashMap<K, C>>;

  CombiningShuffleDependency(std::shared_ptr<RDDNode<Record>> parent, Partitioner partitioner, Create create,
                             MergeValue merge_value)
      : ShuffleDependencyBase(parent, std::move(partitioner)),
        parent_(std::move(parent)),
        create_(std::move(create)),
        merge_value_(std::move(merge_value)) {}

  void run_map_task(int map_partition) override {
    Runtime& rt = parent_->runtime();
    size_t n = static_cast<size_t>(partitioner().num_partitions());
    auto output = std::make_shared<MapOutput<Bucket>>(n);
    struct Combine final : Sink<Record> {
      CombiningShuffleDependency* self;
      Create create;  // each task its own copies: functors may keep state
      MergeValue merge_value;
      MapOutput<Bucket>* output;
      Runtime* rt;
      std::vector<Table> tables;
      std::vector<uint64_t> hashes;
      size_t extra = 0;  // heap bytes of non-bitwise keys and values taken in
      size_t peak = 0;
      void push(std::span<Record> batch) override {
        extra += combined_bytes<C>(batch);
        const Partitioner& part = self->partitioner();
        combine_batch(
            batch, hashes,
            [&](const K& k, uint64_t h) -> Table& {
              return tables[static_cast<size_t>(part.partition_of(k, h))];
            },
            create, merge_value);
        size_t bytes = extra;
        for (const auto& t : tables) bytes += t.memory_bytes();
        peak = std::max(peak, bytes);
        if (bytes > rt->task_shuffle_memory()) {
          flush();
          output->spill(*rt);
          extra = 0;
        }
      }
      void flush() {
        for (size_t r = 0; r < tables.size(); ++r) output->buckets[r] = tables[r].take_entries();
      }
      Combine(CombiningShuffleDependency* s) : self(s), create(s->create_), merge_value(s->merge_value_) {}
    } combine(this);
    combine.output = output.get();
    combine.rt = &rt;
    // Tables come from this thread's previous map task of the same types
    // when they were small: allocating them afresh for every task costs
    // page faults, which the kernel serialises between threads.
    static thread_local std::vector<Table> spare;
    combine.tables = std::move(spare);
    combine.tables.resize(n);
    // Size the tables like the previous task's, instead of growing them
    // (rehashing and copying) through every doubling; capped so that the
    // reservation alone cannot cause a spill.
    size_t hint = std::min(keys_per_table_.load(std::memory_order_relaxed),
                           rt.task_shuffle_memory() / 4 / n / (sizeof(Bucket) + 16));
    if (hint > 0)
      for (auto& t : combine.tables) t.reserve(hint);
    parent_->iterate(map_partition, combine);
    note_peak_memory(combine.peak);
    size_t most = 0;
    for (const auto& t : combine.tables) most = std::max(most, t.size());
    keys_per_table_.store(most, std::memory_order_relaxed);
    combine.flush();
    size_t kept = 0;
    for (const auto& t : combine.tables) kept += t.memory_bytes();
    if (kept <= (size_t{8} << 20)) spare = std::move(combine.tables);
    output->count_memory();
    rt.shuffle_manager().put(rt, shuffle_id(), map_partition, std::move(output));
  }

  void write_plan(PlanWriter& w) const override {
    w.begin<CombiningShuffleDependency>();
    w(shuffle_id());
    partitioner().template write<K>(w.writer());
    w.node(*parent_);
    w.closure(create_);
    w.closure(merge_value_);
  }
  static std::unique_ptr<TaskBody> rebuild(PlanReader& r) {
    auto shuffle_id = r.read<int>();
    auto partitioner = Partitioner::read<K>(r.reader());
    auto parent = r.node<Record>();
    auto create = r.closure<Create>();
    auto merge_value = r.closure<MergeValue>();
    return std::unique_ptr<TaskBody>(new CombiningShuffleDependency(std::move(parent), std::move(partitioner),
                                                                    shuffle_id, std::move(create),
                                                                    std::move(merge_value)));
  }

 private:
  CombiningShuffleDependency(std::shared_ptr<RDDNode<Record>> parent, Partitioner partitioner, int shuffle_id,
                             Create create, MergeValue merge_value)
      : ShuffleDependencyBase(parent, std::move(partitioner), shuffle_id),
        parent_(std::move(parent)),
        create_(std::move(create)),
        merge_value_(std::move(merge_value)) {}

  std::shared_ptr<RDDNode<Record>> parent_;
  Create create_;
  MergeValue merge_value_;
  std::atomic<size_t> keys_per_table_{0};  // most keys in one table of the last map task
};

}  // namespace brasa
