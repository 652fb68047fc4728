// Connected components with GraphX's semantics: each vertex is labelled
// with the smallest vertex id in its component (edges read in both
// directions), computed by Pregel as GraphX does: labels spread along edges
// until none changes (a path of length L takes L supersteps).
#pragma once

#include <algorithm>
#include <climits>
#include <limits>

#include "brasa/graphx/pregel.h"

namespace brasa::graphx {

namespace detail {
struct OwnId {
  template <class VD> VertexId operator()(VertexId id, const VD&) const { return id; }
};
struct MinOf {
  VertexId operator()(VertexId a, VertexId b) const { return std::min(a, b); }
};
struct VProgMin {
  VertexId operator()(VertexId, VertexId label, VertexId msg) const { return std::min(label, msg); }
};
struct SendSmallerLabel {
  template <class Ctx> void operator()(Ctx& ctx) const {
    if (ctx.src_attr() < ctx.dst_attr())
      ctx.send_to_dst(ctx.src_attr());
    else if (ctx.src_attr() > ctx.dst_attr())
      ctx.send_to_src(ctx.dst_attr());
  }
};
}  // namespace detail

template <class VD, class ED>
Graph<VertexId, ED> connected_components(const Graph<VD, ED>& graph, int max_iterations = INT_MAX) {
  if (max_iterations < 1)
    throw std::invalid_argument("connected_components: max_iterations must be at least 1, got " +
                                std::to_string(max_iterations));
  auto labels = graph.map_vertices(detail::OwnId{});
  return pregel(labels, std::numeric_limits<VertexId>::max(), PregelOptions{max_iterations, EdgeDirection::Either},
                detail::VProgMin{}, detail::SendSmallerLabel{}, detail::MinOf{});
}

}  // namespace brasa::graphx
