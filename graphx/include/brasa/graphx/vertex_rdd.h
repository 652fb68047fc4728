// VertexRDD<T>: (vertex id, T) for some of a graph's vertices, stored as one
// VertexPartition per hash partition of the graph's vertices (GraphX's
// VertexRDD). What Graph::vertices(), the degrees and aggregate_messages
// return; outer_join_vertices with one is a walk over arrays, no shuffle.
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "brasa/brasa.h"
#include "brasa/graphx/vertex_partition.h"

namespace brasa::graphx {

namespace detail {
template <class T> struct PairsOf {
  std::vector<std::pair<VertexId, T>> operator()(const std::vector<VertexPartition<T>>& parts) const {
    std::vector<std::pair<VertexId, T>> out;
    for (const auto& p : parts) {
      out.reserve(out.size() + p.count());
      for (size_t i = 0; i < p.size(); ++i)
        if (p.has(i)) out.emplace_back(p.ids[i], p.values[i]);
    }
    return out;
  }
};
template <class T> struct CountPresent {
  int64_t operator()(int64_t acc, const VertexPartition<T>& p) const { return acc + static_cast<int64_t>(p.count()); }
};
struct Plus64 {
  int64_t operator()(int64_t a, int64_t b) const { return a + b; }
};
template <class T, class F> struct MapPresent {
  using U = std::decay_t<std::invoke_result_t<const F&, VertexId, const T&>>;
  F f;
  template <class Ar> void serialize(Ar& ar) requires(!std::is_trivially_copyable_v<F>) { ar(f); }
  std::vector<VertexPartition<U>> operator()(const std::vector<VertexPartition<T>>& parts) const {
    std::vector<VertexPartition<U>> out;
    for (const auto& p : parts) {
      VertexPartition<U> q;
      q.ids = p.ids;
      q.mask = p.mask;
      q.values.resize(p.size());
      for (size_t i = 0; i < p.size(); ++i)
        if (p.has(i)) q.values[i] = f(p.ids[i], p.values[i]);
      out.push_back(std::move(q));
    }
    return out;
  }
};
}  // namespace detail

template <class T> class VertexRDD {
 public:
  explicit VertexRDD(RDD<VertexPartition<T>> parts) : parts_(std::move(parts)) {}

  // The pairs, hash-partitioned by id like the graph's vertices.
  RDD<std::pair<VertexId, T>> rdd() const { return parts_.map_partitions(detail::PairsOf<T>{}, true); }
  std::vector<std::pair<VertexId, T>> collect() const { return rdd().collect(); }
  int64_t count() const { return parts_.aggregate(int64_t{0}, detail::CountPresent<T>{}, detail::Plus64{}); }

  // f(id, value) for every vertex with a value; same vertices.
  template <class F> auto map_values(F f) const {
    using U = typename detail::MapPresent<T, F>::U;
    return VertexRDD<U>(parts_.map_partitions(detail::MapPresent<T, F>{std::move(f)}, true));
  }

  const VertexRDD& cache() const {
    parts_.cache();
    return *this;
  }
  const VertexRDD& persist(StorageLevel level) const {
    parts_.persist(level);
    return *this;
  }
  const VertexRDD& unpersist() const {
    parts_.unpersist();
    return *this;
  }

  // The partitions as stored.
  const RDD<VertexPartition<T>>& partitions() const { return parts_; }

 private:
  RDD<VertexPartition<T>> parts_;
};

namespace detail {
// Drops the cached partitions of an iteration's vertices, except a local
// checkpoint's: its blocks are its only copy, and go when nothing refers
// to it any more (the next checkpoint cuts the lineage to it).
template <class T> void release(const RDD<T>& r) {
  if (!r.is_local_checkpointed()) r.unpersist();
}
template <class T> void release(const VertexRDD<T>& v) { release(v.partitions()); }
}  // namespace detail

}  // namespace brasa::graphx
