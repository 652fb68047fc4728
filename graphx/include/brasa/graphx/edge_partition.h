// One partition of a graph's edges, stored as flat columns: the vertices it
// touches (local index -> vertex id, grouped by the vertex partition they
// live in), and per edge the local indices of its ends and its attribute,
// sorted by local source (then destination) so that a scan walks each
// source's edges together, as a CSR row does. Sources are kept as one-byte
// steps (SourceColumn). A graph's edge RDD holds one EdgePartition per
// partition.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "brasa/graphx/types.h"
#include "brasa/rdd/partitioner.h"
#include "brasa/util/serializer.h"
#include "brasa/util/size_estimate.h"

namespace brasa::graphx {

// The local source index of every edge, non-decreasing, as the step from
// the previous edge's source (the first edge's from 0): one byte per edge
// instead of four. An iteration's edge arrays come from memory, not cache,
// so a scan's time follows the bytes it reads (static PageRank's scan went
// from 8 to 5 bytes per edge). A step of kFar or more is kept in `far`.
struct SourceColumn {
  static constexpr uint8_t kFar = 255;
  std::vector<uint8_t> step;  // kFar: the source is the next entry of far
  std::vector<int32_t> far;
  int32_t last = 0;  // the last edge's source, where push_back goes on

  size_t size() const { return step.size(); }
  void reserve(size_t n) { step.reserve(n); }
  void push_back(int32_t s) {  // s >= last
    if (s - last < kFar) {
      step.push_back(static_cast<uint8_t>(s - last));
    } else {
      step.push_back(kFar);
      far.push_back(s);
    }
    last = s;
  }
  // f(e, source of edge e) for every edge, in order; inlined into the loop.
  template <class F> void each(F&& f) const {
    const uint8_t* steps = step.data();
    const int32_t* next_far = far.data();
    int32_t s = 0;
    for (size_t e = 0, n = step.size(); e < n; ++e) {
      const uint8_t k = steps[e];
      s += k;
      if (k == kFar) [[unlikely]]
        s = *next_far++;
      f(e, s);
    }
  }
  std::vector<int32_t> decode() const {
    std::vector<int32_t> out(size());
    each([&](size_t e, int32_t s) { out[e] = s; });
    return out;
  }
  size_t heap_bytes() const { return step.capacity() + far.capacity() * sizeof(int32_t); }
  template <class Ar> void serialize(Ar& ar) {
    ar(step, far, last);
    if constexpr (std::is_same_v<Ar, ByteReader>)
      if (static_cast<size_t>(std::count(step.begin(), step.end(), kFar)) != far.size())
        throw std::runtime_error("graphx: corrupt edge partition (source steps and far sources disagree)");
  }
};

template <class ED> struct EdgePartition {
  // Local index -> vertex id, grouped by the vertex partition each vertex
  // lives in and ascending by id within it: route p, the vertices of
  // vertex partition p, is the range [route_start[p], route_start[p + 1]).
  // Vertex attributes arrive from p, and messages leave for p, as that
  // slice of the local arrays, in this order.
  std::vector<VertexId> local_to_global;
  std::vector<int32_t> route_start;
  SourceColumn src;          // local indices, non-decreasing
  std::vector<int32_t> dst;  // local indices
  std::vector<ED> attr;
  // roles[l]: kSource if local vertex l is the source of an edge here, plus
  // kDestination if it is the destination of one; an operation that reads
  // only one end's attribute is shipped only the vertices in that role.
  std::vector<uint8_t> roles;
  int32_t index = 0;  // which partition of the edge RDD this is

  size_t size() const { return src.size(); }
  size_t num_vertices() const { return local_to_global.size(); }
  size_t num_routes() const { return route_start.empty() ? 0 : route_start.size() - 1; }
  size_t route_begin(size_t p) const { return static_cast<size_t>(route_start[p]); }
  size_t route_size(size_t p) const { return static_cast<size_t>(route_start[p + 1] - route_start[p]); }
  // f(e, source local index, destination local index) for every edge, in order.
  template <class F> void each_edge(F&& f) const {
    const int32_t* d = dst.data();
    src.each([&](size_t e, int32_t s) { f(e, s, d[e]); });
  }

  // The same edges with new attributes (map_edges): the structure is shared
  // by value, which costs a copy of the index columns.
  template <class ED2> EdgePartition<ED2> with_attrs(std::vector<ED2> attrs) const {
    EdgePartition<ED2> out;
    out.local_to_global = local_to_global;
    out.route_start = route_start;
    out.src = src;
    out.dst = dst;
    out.attr = std::move(attrs);
    out.roles = roles;
    out.index = index;
    return out;
  }

  // Builds a partition from edges in any order, routed to
  // `vertex_partitions` hash partitions of vertices. Edges are sorted by
  // local source, then local destination; parallel edges keep their input
  // order.
  static EdgePartition build(std::span<const Edge<ED>> edges, int vertex_partitions) {
    if (edges.size() > static_cast<size_t>(INT32_MAX))
      throw std::length_error("graphx: more than 2^31-1 edges in one edge partition; use more partitions");
    EdgePartition p;
    std::vector<VertexId> ids;  // ascending
    ids.reserve(2 * edges.size());
    for (const auto& e : edges) {
      ids.push_back(e.src);
      ids.push_back(e.dst);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (ids.size() > static_cast<size_t>(INT32_MAX))
      throw std::length_error("graphx: more than 2^31-1 vertices in one edge partition; use more partitions");
    // Grouped by vertex partition (a counting sort keeps ids ascending in each).
    Partitioner by_vertex = Partitioner::hash(vertex_partitions);
    std::vector<int32_t> part(ids.size());
    p.route_start.assign(static_cast<size_t>(vertex_partitions) + 1, 0);
    for (size_t i = 0; i < ids.size(); ++i) {
      part[i] = by_vertex.partition_of(ids[i]);
      ++p.route_start[static_cast<size_t>(part[i]) + 1];
    }
    for (size_t q = 0; q < static_cast<size_t>(vertex_partitions); ++q) p.route_start[q + 1] += p.route_start[q];
    std::vector<int32_t> local_of_rank(ids.size());  // rank in ids -> local index
    {
      std::vector<int32_t> next(p.route_start.begin(), p.route_start.end() - 1);
      for (size_t i = 0; i < ids.size(); ++i) local_of_rank[i] = next[static_cast<size_t>(part[i])]++;
    }
    p.local_to_global.resize(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) p.local_to_global[static_cast<size_t>(local_of_rank[i])] = ids[i];
    auto local_of = [&](VertexId id) {
      return local_of_rank[static_cast<size_t>(std::lower_bound(ids.begin(), ids.end(), id) - ids.begin())];
    };
    std::vector<int32_t> s(edges.size()), d(edges.size());
    for (size_t i = 0; i < edges.size(); ++i) {
      s[i] = local_of(edges[i].src);
      d[i] = local_of(edges[i].dst);
    }
    std::vector<uint32_t> order(edges.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return s[a] != s[b] ? s[a] < s[b] : d[a] < d[b]; });
    p.src.reserve(edges.size());
    p.dst.reserve(edges.size());
    p.attr.reserve(edges.size());
    p.roles.assign(ids.size(), 0);
    for (uint32_t i : order) {
      p.src.push_back(s[i]);
      p.dst.push_back(d[i]);
      p.attr.push_back(edges[i].attr);
      p.roles[static_cast<size_t>(s[i])] |= kSource;
      p.roles[static_cast<size_t>(d[i])] |= kDestination;
    }
    return p;
  }

  size_t heap_bytes() const {
    return local_to_global.capacity() * sizeof(VertexId) + route_start.capacity() * sizeof(int32_t) +
           src.heap_bytes() + dst.capacity() * sizeof(int32_t) + approx_bytes(attr) + roles.capacity();
  }
  template <class Ar> void serialize(Ar& ar) {
    ar(local_to_global, route_start, src, dst, attr, roles, index);
    if constexpr (std::is_same_v<Ar, ByteReader>) check();
  }

  // Throws when the columns do not fit together (corrupt bytes): every
  // index a scan follows is then in range.
  void check() const {
    const size_t n = num_vertices(), m = size();
    bool ok = dst.size() == m && attr.size() == m && roles.size() == n && !route_start.empty() &&
              route_start.front() == 0 && static_cast<size_t>(route_start.back()) == n &&
              std::is_sorted(route_start.begin(), route_start.end());
    for (size_t e = 0; ok && e < m; ++e) ok = dst[e] >= 0 && static_cast<size_t>(dst[e]) < n;
    if (ok && m > 0) {
      int32_t last_source = -1;
      src.each([&](size_t, int32_t s) {
        ok = ok && s >= last_source && static_cast<size_t>(s) < n;
        last_source = s;
      });
    }
    if (!ok) throw std::runtime_error("graphx: corrupt edge partition " + std::to_string(index));
  }
};

}  // namespace brasa::graphx
