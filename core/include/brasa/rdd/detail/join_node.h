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
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "brasa/rdd/detail/combine_node.h"
#include "brasa/util/sink.h"
#include "brasa/util/hash.h"
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
  // A key without a default constructor waits in an optional until its
  // slot is taken; other keys sit in the slot as they are.
  static constexpr bool kPlainKey = std::is_default_constructible_v<K>;
  using KeyCell = std::conditional_t<kPlainKey, K, std::optional<K>>;
  static const K& key_of(const KeyCell& k) {
    if constexpr (kPlainKey)
      return k;
    else
      return *k;
  }
  struct Slot {
    KeyCell key{};
    uint32_t begin = 0;
    uint32_t count = 0;  // 0: empty
  };

  // The right side's partition: its rows as they come, then (finish()) its
  // values grouped by key and a table of key -> (begin, count) into them.
  struct Build final : Sink<std::pair<K, W>> {
    explicit Build(size_t budget) : budget(budget) {}
    void push(std::span<std::pair<K, W>> batch) override { add(batch); }
    // A cached right side: its rows are copied once, here.
    void push_borrowed(std::span<const std::pair<K, W>> batch) override { add(batch); }
    template <class Row> void add(std::span<Row> batch) {
      for (auto& r : batch) {
        if constexpr (!kBitwise<std::pair<K, W>>) heap += approx_bytes(r) - sizeof(r);
        hashes.push_back(hash_of(r.first));
        rows.push_back(std::move(r));
      }
      size_t bytes = heap + rows.capacity() * sizeof(std::pair<K, W>) + hashes.capacity() * sizeof(uint64_t);
      if (bytes > budget || rows.size() >= std::numeric_limits<uint32_t>::max()) too_big = true;
    }
    bool stopped() const override { return too_big; }

    // Open addressing with each key's (begin, count) inline, so that a
    // lookup costs one cache miss and its values one more. Three passes
    // over the rows: count each key's rows (prefetching slots ahead), lay
    // the groups out (a running sum over the slots), and place the values
    // from the last row back, so that each group keeps the rows' order.
    void finish() {
      size_t keys = insert_keys(table_size(rows.size()));
      if (table_size(keys) < table.size()) insert_keys(table_size(keys));  // many rows per key: a smaller table
      uint32_t end = 0;
      for (Slot& s : table) {
        end += s.count;
        s.begin = end;  // the group's end until its values are placed
      }
      if constexpr (std::is_default_constructible_v<W>) {
        values.resize(rows.size());
        for (size_t i = rows.size(); i-- > 0;) values[--table[slot_of[i]].begin] = std::move(rows[i].second);
      } else {  // lay out the rows' order first, then append the values in it
        std::vector<uint32_t> order(rows.size());
        for (size_t i = rows.size(); i-- > 0;) order[--table[slot_of[i]].begin] = static_cast<uint32_t>(i);
        values.reserve(rows.size());
        for (uint32_t i : order) values.push_back(std::move(rows[i].second));
      }
      rows = {};
      hashes = {};
      slot_of = {};
    }
    const Slot* find(const K& key, uint64_t hash) const {
      for (size_t pos = hash & mask;; pos = (pos + 1) & mask) {
        const Slot& s = table[pos];
        if (s.count == 0) return nullptr;
        if (key_of(s.key) == key) return &s;
      }
    }

    size_t budget;
    size_t heap = 0;
    bool too_big = false;
    std::vector<std::pair<K, W>> rows;  // while building
    std::vector<uint64_t> hashes;       // of the rows' keys
    std::vector<uint32_t> slot_of;      // each row's slot
    std::vector<W> values;              // grouped by key, after finish()
    std::vector<Slot> table;
    size_t mask = 0;

   private:
    static size_t table_size(size_t keys) {  // at most half full
      size_t capacity = 16;
      while (capacity < 2 * keys) capacity *= 2;
      return capacity;
    }
    // Fills a table of `capacity` slots with the rows' keys and counts;
    // returns the number of keys.
    size_t insert_keys(size_t capacity) {
      constexpr size_t kAhead = 16;
      table.assign(capacity, Slot{});
      mask = capacity - 1;
      slot_of.resize(rows.size());
      size_t keys = 0;
      for (size_t i = 0; i < rows.size(); ++i) {
        if (i + kAhead < rows.size()) __builtin_prefetch(&table[hashes[i + kAhead] & mask]);
        size_t pos = hashes[i] & mask;
        while (table[pos].count && !(key_of(table[pos].key) == rows[i].first)) pos = (pos + 1) & mask;
        if (table[pos].count++ == 0) {
          table[pos].key = rows[i].first;
          ++keys;
        }
        slot_of[i] = static_cast<uint32_t>(pos);
      }
      return keys;
    }
  };

  struct Probe final : Sink<std::pair<K, V>> {
    Probe(Build& b, BatchWriter<Out>& w) : build(b), writer(w) {}
    void push(std::span<std::pair<K, V>> batch) override { probe(batch); }
    // A cached left side is read in place: each match copies its record.
    void push_borrowed(std::span<const std::pair<K, V>> batch) override { probe(batch); }
    // Two passes over a batch, each prefetching ahead of itself: the key
    // lookups, then the values the matches point to.
    template <class Row> void probe(std::span<Row> batch) {
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
        // (The pair of values is built as a prvalue: a braced {v, w} would be
        // built and then copied into the output record, both values twice.)
        for (uint32_t j = 1; j < count; ++j, ++w) writer.emit(Out{r.first, std::pair<V, W>(r.second, *w)});
        writer.emit(Out{std::move(r.first), std::pair<V, W>(std::move(r.second), *w)});  // the last match takes the record
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
          for (auto& w : groups.second) writer.emit(Out{k, std::pair<V, W>(v, w)});
    }
    bool stopped() const override { return writer.stopped(); }
    BatchWriter<Out>& writer;
  };

};

}  // namespace brasa
