// Inner join of two RDDs laid out by the same partitioner, one partition at
// a time: a hash table of the right side's partition, probed by the left
// side's records as they stream past. Only the right side is held, so put
// the smaller RDD on the right (as in a.join(smaller)). No groups are built,
// unlike cogroup; when the right side's partition outgrows the task's
// shuffle memory, the partition falls back to cogroup, which spills.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "brasa/rdd/combine_node.h"
#include "brasa/rdd/sink.h"
#include "brasa/util/flat_hash_map.h"
#include "brasa/util/size_estimate.h"

namespace brasa {

template <class K, class V, class W>
class HashJoinNode final : public CoPartitionedNode<K, V, W, std::pair<K, std::pair<V, W>>> {
 public:
  using Out = std::pair<K, std::pair<V, W>>;

  HashJoinNode(NodePtr<std::pair<K, V>> a, NodePtr<std::pair<K, W>> b, const CallSite& site)
      : CoPartitionedNode<K, V, W, Out>(std::move(a), std::move(b), "join", site) {}

  void compute(int p, Sink<Out>& out) override {
    BatchWriter<Out> writer(out);
    Build build(this->runtime().task_shuffle_memory());
    this->b_->iterate(p, build);
    if (build.too_big) {
      Flatten flatten(writer);
      CoGroupNode<K, V, W>::cogroup(p, this->a_, this->b_, this->runtime(), flatten);
    } else {
      build.finish();
      Probe probe(build, writer);
      this->a_->iterate(p, probe);
    }
    writer.flush();
  }

  void write_plan(PlanWriter& w) const override { this->template write_pair_plan<HashJoinNode>(w); }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    return HashJoinNode::template rebuild_pair<HashJoinNode>(r);
  }

 private:
  struct Slot {
    K key{};
    uint32_t begin = 0;
    uint32_t count = 0;  // 0: empty
  };

  // The right side's values grouped by key, and a table key -> (begin,
  // count) into them.
  struct Build final : Sink<std::pair<K, W>> {
    explicit Build(size_t budget) : budget(budget) {}
    void push(std::span<std::pair<K, W>> batch) override {
      for (auto& r : batch) {
        if constexpr (!kBitwise<std::pair<K, W>>) heap += approx_bytes(r) - sizeof(r);
        auto next_key = static_cast<uint32_t>(keys.size());
        bool inserted;
        auto& key = keys.find_or_insert(r.first, hash_of(r.first), [next_key] { return std::pair{next_key, 0u}; },
                                        inserted);
        ++key.second;
        key_of_row.push_back(key.first);
        values.push_back(std::move(r.second));
      }
      size_t bytes = heap + values.capacity() * sizeof(W) + key_of_row.capacity() * 4 + keys.memory_bytes();
      if (bytes > budget || values.size() >= std::numeric_limits<uint32_t>::max()) too_big = true;
    }
    bool stopped() const override { return too_big; }

    // Reorders the values by key (a counting sort, stable) and builds the
    // probe table: open addressing with each key's (begin, count) inline, so
    // a lookup costs one cache miss and its values one more.
    void finish() {
      std::vector<uint32_t> next(keys.size());
      uint32_t begin = 0;
      size_t capacity = 16;
      while (capacity < 2 * keys.size()) capacity *= 2;
      mask = capacity - 1;
      table.assign(capacity, Slot{});
      for (size_t k = 0; k < keys.size(); ++k) {
        auto& [key, range] = keys.entries()[k];
        next[k] = begin;
        size_t pos = hash_of(key) & mask;
        while (table[pos].count) pos = (pos + 1) & mask;
        table[pos] = Slot{std::move(key), begin, range.second};
        begin += range.second;
      }
      std::vector<W> grouped(values.size());
      for (size_t row = 0; row < values.size(); ++row) grouped[next[key_of_row[row]]++] = std::move(values[row]);
      values = std::move(grouped);
      key_of_row = {};
      keys = {};
    }
    const Slot* find(const K& key, uint64_t hash) const {
      for (size_t pos = hash & mask;; pos = (pos + 1) & mask) {
        const Slot& s = table[pos];
        if (s.count == 0) return nullptr;
        if (s.key == key) return &s;
      }
    }

    size_t budget;
    size_t heap = 0;
    bool too_big = false;
    FlatHashMap<K, std::pair<uint32_t, uint32_t>> keys;  // key -> (index, rows), while building
    std::vector<uint32_t> key_of_row;
    std::vector<W> values;
    std::vector<Slot> table;  // after finish()
    size_t mask = 0;
  };

  struct Probe final : Sink<std::pair<K, V>> {
    Probe(Build& b, BatchWriter<Out>& w) : build(b), writer(w) {}
    // Two passes over a batch, each prefetching ahead of itself: the key
    // lookups, then the values the matches point to.
    void push(std::span<std::pair<K, V>> batch) override {
      constexpr size_t kSlotAhead = 16, kValuesAhead = 8;
      hashes.resize(batch.size());
      for (size_t i = 0; i < batch.size(); ++i) hashes[i] = hash_of(batch[i].first);
      matches.resize(batch.size());
      for (size_t i = 0; i < batch.size(); ++i) {
        if (i + kSlotAhead < batch.size()) __builtin_prefetch(&build.table[hashes[i + kSlotAhead] & build.mask]);
        const Slot* slot = build.find(batch[i].first, hashes[i]);
        matches[i] = slot ? std::pair{slot->begin, slot->count} : std::pair<uint32_t, uint32_t>{0, 0};
      }
      const W* values = build.values.data();
      for (size_t i = 0; i < batch.size(); ++i) {
        if (i + kValuesAhead < batch.size()) __builtin_prefetch(values + matches[i + kValuesAhead].first);
        auto [begin, count] = matches[i];
        if (count == 0) continue;
        auto& r = batch[i];
        const W* w = values + begin;
        for (uint32_t j = 1; j < count; ++j, ++w) writer.emit(Out{r.first, {r.second, *w}});
        writer.emit(Out{std::move(r.first), {std::move(r.second), *w}});  // the last match takes the record
      }
    }
    bool stopped() const override { return writer.stopped(); }

    Build& build;
    BatchWriter<Out>& writer;
    std::vector<uint64_t> hashes;
    std::vector<std::pair<uint32_t, uint32_t>> matches;  // (begin, count) in build.values
  };

  // Turns cogroup's groups into joined pairs (the fallback).
  struct Flatten final : Sink<std::pair<K, std::pair<std::vector<V>, std::vector<W>>>> {
    explicit Flatten(BatchWriter<Out>& w) : writer(w) {}
    void push(std::span<std::pair<K, std::pair<std::vector<V>, std::vector<W>>>> batch) override {
      for (auto& [k, groups] : batch)
        for (auto& v : groups.first)
          for (auto& w : groups.second) writer.emit(Out{k, {v, w}});
    }
    bool stopped() const override { return writer.stopped(); }
    BatchWriter<Out>& writer;
  };

};

}  // namespace brasa
