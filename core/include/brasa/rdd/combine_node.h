// Aggregation by key within a partition: the reduce side of reduce_by_key
// and friends, or the whole operation when the input is already partitioned
// by the target partitioner. Output order is first-appearance order of keys.
#pragma once

#include <algorithm>
#include <memory>
#include <utility>

#include "brasa/rdd/narrow_nodes.h"
#include "brasa/shuffle/combine_batch.h"
#include "brasa/shuffle/sorted_run.h"
#include "brasa/util/flat_hash_map.h"

namespace brasa {

// merge(c, x) folds an input value into a combiner; merge_combiners(c, c2)
// folds one combiner into another, which the external merge needs when the
// table outgrows the task's shuffle memory: the table is then spilled as a
// run sorted by key hash, and the runs are merged at the end (Spark's
// ExternalAppendOnlyMap). Output then comes in hash order.
template <class K, class X, class C, class Create, class Merge, class MergeCombiners>
class CombineNode final : public RDDNode<std::pair<K, C>> {
 public:
  using In = std::pair<K, X>;
  using Out = std::pair<K, C>;

  CombineNode(NodePtr<In> parent, Create create, Merge merge, MergeCombiners merge_combiners, std::string op,
              const CallSite& site)
      : RDDNode<Out>(parent->runtime_ptr(), parent->num_partitions(), std::move(op), site),
        parent_(std::move(parent)),
        create_(std::move(create)),
        merge_(std::move(merge)),
        merge_combiners_(std::move(merge_combiners)) {
    this->set_partitioner(parent_->partitioner());
  }

  void compute(int p, Sink<Out>& out) override {
    struct Combine final : Sink<In> {
      CombineNode* self;
      FlatHashMap<K, C> table;
      std::vector<uint64_t> hashes;
      size_t extra = 0;  // heap bytes of non-bitwise records taken in
      std::shared_ptr<SpillFile> file;
      std::vector<SortedRun> runs;
      void push(std::span<In> batch) override {
        if constexpr (!kBitwise<In>)
          for (const auto& r : batch) extra += approx_bytes(r) - sizeof(In);
        combine_batch(
            batch, hashes, [this](const K&, uint64_t) -> FlatHashMap<K, C>& { return table; }, self->create_,
            self->merge_);
        if (extra + table.memory_bytes() > self->runtime().task_shuffle_memory()) spill();
      }
      void spill() {
        if (!file) file = std::make_shared<SpillFile>(self->runtime(), "aggregation");
        runs.push_back(write_hash_sorted_run(*file, table.take_entries()));
        extra = 0;
      }
    } combine;
    combine.self = this;
    parent_->iterate(p, combine);
    if (combine.runs.empty()) {
      auto entries = combine.table.take_entries();
      push_owned(entries, out);
      return;
    }
    combine.spill();
    merge_runs(*combine.file, combine.runs, out);
  }

 protected:
  std::vector<Dependency> lineage() const override { return {{parent_, nullptr}}; }

 private:
  using HashedEntry = std::pair<uint64_t, Out>;

  // Writes the entries sorted by key hash.
  static SortedRun write_hash_sorted_run(SpillFile& file, std::vector<Out> entries) {
    std::vector<HashedEntry> hashed;
    hashed.reserve(entries.size());
    for (auto& e : entries) {
      uint64_t h = hash_of(e.first);
      hashed.emplace_back(h, std::move(e));
    }
    std::stable_sort(hashed.begin(), hashed.end(),
                     [](const HashedEntry& a, const HashedEntry& b) { return a.first < b.first; });
    return write_sorted_run(file, std::span<HashedEntry>(hashed));
  }

  void merge_runs(const SpillFile& file, const std::vector<SortedRun>& runs, Sink<Out>& out) {
    std::vector<SortedRunReader<HashedEntry>> readers;
    for (const auto& run : runs) readers.emplace_back(file, run);
    BatchWriter<Out> writer(out);
    std::vector<Out> group;  // entries of one hash value, distinct keys
    while (!writer.stopped()) {
      bool any = false;
      uint64_t h = 0;
      for (auto& r : readers)
        if (r.has_next() && (!any || r.head().first < h)) {
          h = r.head().first;
          any = true;
        }
      if (!any) break;
      group.clear();
      for (auto& r : readers) {
        for (; r.has_next() && r.head().first == h; r.advance()) {
          Out& e = r.head().second;
          auto same = std::find_if(group.begin(), group.end(), [&](const Out& g) { return g.first == e.first; });
          if (same == group.end())
            group.push_back(std::move(e));
          else
            merge_combiners_(same->second, std::move(e.second));
        }
      }
      for (auto& e : group) writer.emit(std::move(e));
    }
    writer.flush();
  }

  NodePtr<In> parent_;
  Create create_;
  Merge merge_;
  MergeCombiners merge_combiners_;
};

// Groups two co-partitioned pair RDDs by key: (k, ([v...], [w...])).
template <class K, class V, class W>
class CoGroupNode final : public RDDNode<std::pair<K, std::pair<std::vector<V>, std::vector<W>>>> {
 public:
  using Groups = std::pair<std::vector<V>, std::vector<W>>;
  using Out = std::pair<K, Groups>;

  CoGroupNode(NodePtr<std::pair<K, V>> a, NodePtr<std::pair<K, W>> b, const CallSite& site)
      : RDDNode<Out>(a->runtime_ptr(), a->num_partitions(), "cogroup", site), a_(std::move(a)), b_(std::move(b)) {
    this->set_partitioner(a_->partitioner());
  }

  void compute(int p, Sink<Out>& out) override {
    FlatHashMap<K, Groups> table;
    collect(p, a_, table, [](Groups& g) -> std::vector<V>& { return g.first; });
    collect(p, b_, table, [](Groups& g) -> std::vector<W>& { return g.second; });
    auto entries = table.take_entries();
    push_owned(entries, out);
  }

 protected:
  std::vector<Dependency> lineage() const override { return {{a_, nullptr}, {b_, nullptr}}; }

 private:
  template <class U, class Side>
  static void collect(int p, const NodePtr<std::pair<K, U>>& rdd, FlatHashMap<K, Groups>& table, Side side) {
    (void)side;
    struct Add final : Sink<std::pair<K, U>> {
      FlatHashMap<K, Groups>* table;
      void push(std::span<std::pair<K, U>> batch) override {
        for (auto& r : batch) {
          bool inserted;
          Groups& g = table->find_or_insert(std::move(r.first), hash_of(r.first), [] { return Groups{}; }, inserted);
          Side{}(g).push_back(std::move(r.second));
        }
      }
    } add;
    add.table = &table;
    rdd->iterate(p, add);
  }

  NodePtr<std::pair<K, V>> a_;
  NodePtr<std::pair<K, W>> b_;
};

}  // namespace brasa
