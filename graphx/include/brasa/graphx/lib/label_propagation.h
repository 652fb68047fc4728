// GraphX's LabelPropagation (community detection): every vertex starts
// with its own id as label; in each of max_steps supersteps it takes the
// label most frequent among its neighbours (edges read in both
// directions). GraphX breaks ties arbitrarily; here the smallest label
// wins, so results are deterministic. Like GraphX, it need not converge.
#pragma once

#include <map>
#include <stdexcept>
#include <string>

#include "brasa/graphx/pregel.h"

namespace brasa::graphx {

namespace detail {

using LabelCounts = std::map<VertexId, int64_t>;

struct OwnLabel {
  template <class VD> VertexId operator()(VertexId id, const VD&) const { return id; }
};
struct SendLabels {
  template <class Ctx> void operator()(Ctx& ctx) const {
    ctx.send_to_src(LabelCounts{{ctx.dst_attr(), 1}});
    ctx.send_to_dst(LabelCounts{{ctx.src_attr(), 1}});
  }
};
struct MergeLabelCounts {
  LabelCounts operator()(LabelCounts a, const LabelCounts& b) const {
    for (const auto& [label, n] : b) a[label] += n;
    return a;
  }
};
struct MostFrequentLabel {
  VertexId operator()(VertexId, VertexId label, const LabelCounts& counts) const {
    int64_t best = 0;
    for (const auto& [l, n] : counts)  // ascending labels: the first maximum is the smallest
      if (n > best) best = n, label = l;
    return label;
  }
};

}  // namespace detail

template <class VD, class ED> Graph<VertexId, ED> label_propagation(const Graph<VD, ED>& graph, int max_steps) {
  if (max_steps < 1)
    throw std::invalid_argument("label_propagation: max_steps must be at least 1, got " + std::to_string(max_steps));
  return pregel(graph.map_vertices(detail::OwnLabel{}), detail::LabelCounts{},
                PregelOptions{max_steps, EdgeDirection::Either}, detail::MostFrequentLabel{}, detail::SendLabels{},
                detail::MergeLabelCounts{});
}

}  // namespace brasa::graphx
