// GraphX's TriangleCount: for each vertex, the number of triangles through
// it, reading edges in both directions, ignoring self loops and counting
// parallel edges once. Every vertex gets a count (0 when isolated).
#pragma once

#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "brasa/graphx/graph.h"
#include "brasa/graphx/lib/neighbors.h"

namespace brasa::graphx {

namespace detail {

struct CanonicalEnds {  // (min, max) of an edge, none for a self loop
  template <class ED> std::vector<std::pair<VertexId, VertexId>> operator()(const Edge<ED>& e) const {
    if (e.src == e.dst) return {};
    return {{std::min(e.src, e.dst), std::max(e.src, e.dst)}};
  }
};
struct AsUnitEdge {
  Edge<char> operator()(const std::pair<VertexId, VertexId>& e) const { return {e.first, e.second, 1}; }
};
struct Unit {
  template <class VD> std::pair<VertexId, char> operator()(const std::pair<VertexId, VD>& v) const {
    return {v.first, 0};
  }
};
struct TakeSet {
  std::vector<VertexId> operator()(VertexId, char, std::optional<std::vector<VertexId>> s) const {
    return s ? std::move(*s) : std::vector<VertexId>{};
  }
};
// Common neighbours of an edge's ends other than the ends themselves.
struct SendCommonCount {
  template <class Ctx> void operator()(Ctx& ctx) const {
    const auto& a = ctx.src_attr();
    const auto& b = ctx.dst_attr();
    int count = 0;
    for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
      if (a[i] < b[j]) {
        ++i;
      } else if (b[j] < a[i]) {
        ++j;
      } else {
        if (a[i] != ctx.src_id() && a[i] != ctx.dst_id()) ++count;
        ++i, ++j;
      }
    }
    ctx.send_to_src(count);
    ctx.send_to_dst(count);
  }
};
struct AddCounts {
  int operator()(int a, int b) const { return a + b; }
  int identity() const { return 0; }
};
struct HalfOrZero {
  template <class VD> int operator()(VertexId id, const VD&, std::optional<int> twice) const {
    if (!twice) return 0;
    if (*twice % 2 != 0)
      throw std::logic_error("triangle_count: vertex " + std::to_string(id) + " counted an odd number of half triangles");
    return *twice / 2;
  }
};

}  // namespace detail

template <class VD, class ED> Graph<int, ED> triangle_count(const Graph<VD, ED>& graph) {
  auto edges = graph.edges().flat_map(detail::CanonicalEnds{}).distinct().map(detail::AsUnitEdge{});
  auto canonical = Graph<char, char>::create(graph.vertices().rdd().map(detail::Unit{}), edges, 0);
  auto with_sets = canonical.outer_join_vertices(collect_neighbor_ids(canonical, EdgeDirection::Either),
                                                 detail::TakeSet{});
  auto twice = with_sets.template aggregate_messages<int>(detail::SendCommonCount{}, detail::AddCounts{});
  return graph.outer_join_vertices(twice.rdd(), detail::HalfOrZero{});
}

}  // namespace brasa::graphx
