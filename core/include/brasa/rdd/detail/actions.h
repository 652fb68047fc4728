// The per-partition functions of actions: f(node, partition) -> result,
// run where the partition is (see result_task.h). They hold only shippable
// values; the driver-side half of each action is in RDD<T>.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "brasa/rdd/rdd_node.h"
#include "brasa/scheduler/task_metrics.h"
#include "brasa/util/files.h"
#include "brasa/util/random.h"
#include "brasa/util/text_format.h"

namespace brasa::act {

// Output written by a task, for its metrics.
inline void count_output(size_t records, size_t bytes) {
  if (TaskMetrics* m = current_task_metrics()) {
    m->records_written += static_cast<int64_t>(records);
    m->bytes_written += static_cast<int64_t>(bytes);
  }
}

struct Collect {
  template <class T> std::vector<T> operator()(RDDNode<T>& node, int p) const { return node.materialize(p); }
};

struct Count {
  template <class T> int64_t operator()(RDDNode<T>& node, int p) const {
    struct Counter final : ReadingSink<T, Counter> {
      int64_t n = 0;
      void read(std::span<const T> batch) { n += static_cast<int64_t>(batch.size()); }
      // Words are counted without being made strings.
      bool takes_views() const override { return std::is_same_v<T, std::string>; }
      void push_views(std::span<const std::string_view> views) override { n += static_cast<int64_t>(views.size()); }
    } c;
    node.iterate(p, c);
    return c.n;
  }
};

// The first n records of the partition; stops computing once it has them.
struct Take {
  int64_t n;
  template <class T> std::vector<T> operator()(RDDNode<T>& node, int p) const {
    struct Taker final : Sink<T> {
      int64_t n;
      std::vector<T> out;
      void push(std::span<T> batch) override {
        for (auto& x : batch)
          if (static_cast<int64_t>(out.size()) < n) out.push_back(std::move(x));
      }
      bool stopped() const override { return static_cast<int64_t>(out.size()) >= n; }
    } t;
    t.n = n;
    if (n > 0) node.iterate(p, t);
    return std::move(t.out);
  }
};

// The n smallest records by `less`, sorted, kept in a bounded heap.
template <class Less> struct Smallest {
  int64_t n;
  Less less;
  template <class Ar> void serialize(Ar& ar) requires HasSerializeMethod<Less> { ar(n, less); }

  template <class T> std::vector<T> operator()(RDDNode<T>& node, int p) const {
    struct Heap final : Sink<T> {
      size_t n;
      Less less;
      std::vector<T> heap;  // max-heap by less: the root is the largest kept
      void push(std::span<T> batch) override {
        for (auto& x : batch) {
          if (heap.size() < n) {
            heap.push_back(std::move(x));
            std::push_heap(heap.begin(), heap.end(), less);
          } else if (n > 0 && less(x, heap.front())) {
            std::pop_heap(heap.begin(), heap.end(), less);
            heap.back() = std::move(x);
            std::push_heap(heap.begin(), heap.end(), less);
          }
        }
      }
    } h;
    h.n = static_cast<size_t>(std::max<int64_t>(n, 0));
    h.less = less;
    if (n > 0) node.iterate(p, h);
    std::sort_heap(h.heap.begin(), h.heap.end(), h.less);
    return std::move(h.heap);
  }
};

template <class F> struct Reduce {
  F f;
  template <class Ar> void serialize(Ar& ar) requires HasSerializeMethod<F> { ar(f); }

  template <class T> std::optional<T> operator()(RDDNode<T>& node, int p) {
    struct Reducer final : Sink<T> {
      F* f;
      std::optional<T> acc;
      // Folds into a local: a loop that tests the optional on every record
      // took 1.6x the time of a loop over an array (workload 10).
      void push(std::span<T> batch) override {
        if (batch.empty()) return;
        size_t i = 0;
        if (!acc) acc.emplace(std::move(batch[i++]));
        T a = std::move(*acc);
        for (; i < batch.size(); ++i) a = (*f)(std::move(a), std::move(batch[i]));
        *acc = std::move(a);
      }
      void push_borrowed(std::span<const T> batch) override {
        if (batch.empty()) return;
        size_t i = 0;
        if (!acc) acc.emplace(batch[i++]);
        T a = std::move(*acc);
        for (; i < batch.size(); ++i) a = fold_lent(*f, std::move(a), batch[i]);
        *acc = std::move(a);
      }
    } r;
    r.f = &f;
    node.iterate(p, r);
    return std::move(r.acc);
  }
};

template <class F> struct Foreach {
  F f;
  template <class Ar> void serialize(Ar& ar) requires HasSerializeMethod<F> { ar(f); }

  template <class T> bool operator()(RDDNode<T>& node, int p) {
    struct Each final : Sink<T> {
      F* f;
      void push(std::span<T> batch) override {
        for (auto& x : batch) (*f)(x);
      }
      void push_borrowed(std::span<const T> batch) override {
        for (const auto& x : batch) invoke_lent(*f, x);
      }
    } each;
    each.f = &f;
    node.iterate(p, each);
    return true;
  }
};

template <class F> struct ForeachPartition {
  F f;
  template <class Ar> void serialize(Ar& ar) requires HasSerializeMethod<F> { ar(f); }

  // f(std::vector<T>&), or f(const std::vector<T>&) / f(std::span<const T>)
  // to read a cached partition in place.
  template <class T> bool operator()(RDDNode<T>& node, int p) {
    Partition<T> part = node.read_partition(p);
    if constexpr (kReadsInPlace<F, std::vector<T>>) {
      f(part.get());
    } else {
      auto own = part.take();
      f(own);
    }
    return true;
  }
};

// Values of key `key` in the partition.
template <class K> struct Lookup {
  K key;
  template <class Ar> void serialize(Ar& ar) { ar(key); }

  template <class V> std::vector<V> operator()(RDDNode<std::pair<K, V>>& node, int p) const {
    struct Match final : Sink<std::pair<K, V>> {
      const K* key;
      std::vector<V> out;
      void push(std::span<std::pair<K, V>> batch) override {
        for (auto& kv : batch)
          if (kv.first == *key) out.push_back(std::move(kv.second));
      }
      void push_borrowed(std::span<const std::pair<K, V>> batch) override {
        for (const auto& kv : batch)
          if (kv.first == *key) out.push_back(kv.second);
      }
    } m;
    m.key = &key;
    node.iterate(p, m);
    return std::move(m.out);
  }
};

// Writes partition p to dir/part-NNNNN atomically: as text lines, or in the
// record encoding (object files, checkpoints).
struct WriteText {
  std::string dir;
  template <class Ar> void serialize(Ar& ar) { ar(dir); }
  template <class T> bool operator()(RDDNode<T>& node, int p) const {
    std::string text;
    struct Render final : ReadingSink<T, Render> {
      std::string* text;
      size_t records = 0;
      void read(std::span<const T> batch) {
        records += batch.size();
        for (const auto& x : batch) {
          append_text(*text, x);
          text->push_back('\n');
        }
      }
    } render;
    render.text = &text;
    node.iterate(p, render);
    write_file_atomic(checkpoint_file(dir, p), text);
    count_output(render.records, text.size());
    return true;
  }
};

struct WriteRecords {
  std::string dir;
  template <class Ar> void serialize(Ar& ar) { ar(dir); }
  template <class T> bool operator()(RDDNode<T>& node, int p) const {
    ByteWriter w;
    auto records = node.read_partition(p);
    write_records(w, records.get());
    write_file_atomic(checkpoint_file(dir, p), w.bytes());
    count_output(records.get().size(), w.bytes().size());
    return true;
  }
};

// Counts per bucket for sorted boundaries (see RDD::histogram).
struct Histogram {
  std::vector<double> bounds;
  template <class Ar> void serialize(Ar& ar) { ar(bounds); }
  template <class T> std::vector<int64_t> operator()(RDDNode<T>& node, int p) const {
    struct Bucket final : ReadingSink<T, Bucket> {
      const std::vector<double>* b;
      std::vector<int64_t> counts;
      void read(std::span<const T> batch) {
        for (const auto& x : batch) {
          double v = static_cast<double>(x);
          if (std::isnan(v) || v < b->front() || v > b->back()) continue;
          size_t i = static_cast<size_t>(std::upper_bound(b->begin(), b->end(), v) - b->begin());
          counts[std::min(i, b->size() - 1) - 1]++;
        }
      }
    } bucket;
    bucket.b = &bounds;
    bucket.counts.assign(bounds.size() - 1, 0);
    node.iterate(p, bucket);
    return std::move(bucket.counts);
  }
};

// A uniform sample of up to `size` keys of a partition, and its record
// count, in one pass without holding the partition (reservoir sampling with
// skips, Li's algorithm L). Seeded by the partition index: deterministic.
struct SampleKeys {
  int size;
  template <class K, class V>
  std::pair<uint64_t, std::vector<K>> operator()(RDDNode<std::pair<K, V>>& node, int p) const {
    struct Reservoir final : ReadingSink<std::pair<K, V>, Reservoir> {
      explicit Reservoir(size_t k, int p) : k(k), rng(static_cast<uint64_t>(p) + 1) { skip(); }
      void read(std::span<const std::pair<K, V>> batch) {
        for (auto& r : batch) {
          if (keys.size() < k) {
            keys.push_back(r.first);
          } else if (seen == next) {
            keys[rng.below(k)] = r.first;
            skip();
          }
          ++seen;
        }
      }
      // The index of the next record to take once the reservoir is full.
      void skip() {
        w *= std::exp(std::log(uniform()) / static_cast<double>(k));
        double gap = std::floor(std::log(uniform()) / std::log1p(-w));
        next = std::max(next + 1, k) + static_cast<uint64_t>(std::min(gap, 1e18));
      }
      double uniform() { return rng.uniform(0x1p-53, 1.0); }
      size_t k;
      Random rng;
      std::vector<K> keys;
      uint64_t seen = 0, next = 0;
      double w = 1;
    } reservoir(static_cast<size_t>(std::max(1, size)), p);
    node.iterate(p, reservoir);
    return {reservoir.seen, std::move(reservoir.keys)};
  }
};

}  // namespace brasa::act
