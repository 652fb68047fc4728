// Connected components with GraphX's semantics: each vertex is labelled
// with the smallest vertex id in its component (edges read in both
// directions), computed by Pregel as GraphX does: labels spread along edges
// until none changes (a path of length L takes L supersteps).
#pragma once

#include <algorithm>
#include <climits>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "brasa/graphx/pregel.h"

namespace brasa::graphx {

namespace detail {
struct OwnId {
  template <class VD> VertexId operator()(VertexId id, const VD&) const { return id; }
};
struct MinOf {
  VertexId operator()(VertexId a, VertexId b) const { return std::min(a, b); }
  VertexId identity() const { return std::numeric_limits<VertexId>::max(); }
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

// Large-star and small-star (Kiveris et al., "Connected Components in
// MapReduce and Beyond", 2014) on undirected edges (a, b), a != b.
using Link = std::pair<VertexId, VertexId>;
struct LinkOf {  // an edge's ends, none for a self loop
  template <class ED> std::vector<Link> operator()(const Edge<ED>& e) const {
    if (e.src == e.dst) return {};
    return {{std::min(e.src, e.dst), std::max(e.src, e.dst)}};
  }
};
struct BothWays {
  std::vector<Link> operator()(const Link& l) const { return {l, {l.second, l.first}}; }
};
struct LargerFirst {
  Link operator()(const Link& l) const { return {std::max(l.first, l.second), std::min(l.first, l.second)}; }
};
// Large-star: u's larger neighbours are linked to the smallest of u and its neighbours.
struct LargeStar {
  std::vector<Link> operator()(const std::pair<VertexId, std::vector<VertexId>>& adj) const {
    const auto& [u, neighbours] = adj;
    VertexId m = u;
    for (VertexId v : neighbours) m = std::min(m, v);
    std::vector<Link> out;
    for (VertexId v : neighbours)
      if (v > u) out.push_back({m, v});
    return out;
  }
};
// Small-star: u and its smaller neighbours are linked to the smallest of them.
struct SmallStar {
  std::vector<Link> operator()(const std::pair<VertexId, std::vector<VertexId>>& adj) const {
    const auto& [u, smaller] = adj;
    VertexId m = u;
    for (VertexId v : smaller) m = std::min(m, v);
    std::vector<Link> out;
    for (VertexId v : smaller)
      if (v != m) out.push_back({m, v});
    if (u != m) out.push_back({m, u});
    return out;
  }
};
struct SecondOfLink {
  VertexId operator()(const Link& l) const { return l.second; }
};
struct FirstOfLink {
  VertexId operator()(const Link& l) const { return l.first; }
};
struct LabelsOfStar {  // (centre, leaf): both are labelled with the centre
  std::vector<Link> operator()(const Link& l) const { return {{l.second, l.first}, {l.first, l.first}}; }
};
struct LabelOrOwnId {
  template <class VD> VertexId operator()(VertexId id, const VD&, std::optional<VertexId> label) const {
    return label.value_or(id);
  }
};
}  // namespace detail

// Connected components with the same labels as connected_components (the
// smallest id of each component, edges read in both directions), computed
// by alternating large-star and small-star rounds on the edges instead of
// passing labels along them: the number of rounds grows with the log of
// the component's diameter (a path of 10^6 vertices takes tens of rounds,
// where Pregel takes 10^6 supersteps). Each round is a few shuffles of the
// edges, so on graphs of small diameter connected_components is cheaper.
template <class VD, class ED> Graph<VertexId, ED> star_connected_components(const Graph<VD, ED>& graph) {
  const int n = std::max(1, graph.edge_partitions().num_partitions());
  const auto hash = Partitioner::hash(n);
  return restart_on_lost_local_checkpoint("star_connected_components", [&] {
    RDD<detail::Link> links = graph.edges().flat_map(detail::LinkOf{}).distinct(n);
    links.cache();
    IterationClock clock(graph.edge_partitions().node()->runtime(), "star_connected_components");
    for (int round = 1;; ++round) {
      RDD<detail::Link> large =
          links.flat_map(detail::BothWays{}).group_by_key(hash).flat_map(detail::LargeStar{}).distinct(n);
      RDD<detail::Link> small =
          large.map(detail::LargerFirst{}).group_by_key(hash).flat_map(detail::SmallStar{}).distinct(n);
      // Every round a local checkpoint: lineage, and the round's shuffles that
      // it keeps alive, go at the next one (1.2 GB resident on a 10^6-vertex
      // path with a checkpoint every 10 rounds, 0.35 GB with one a round).
      small.local_checkpoint();
      // (centre, leaf) links form stars when no leaf has two centres and no
      // centre is a leaf: each star is then a whole component.
      const int64_t count = small.count();
      const auto leaves = small.map(detail::SecondOfLink{}).distinct(n);
      const bool stars = leaves.count() == count &&
                         small.map(detail::FirstOfLink{}).distinct(n).intersection(leaves).count() == 0;
      if (!links.is_local_checkpointed()) links.unpersist();
      links = small;
      clock.lap(round, static_cast<double>(count));
      if (stars) break;
    }
    auto labels = links.flat_map(detail::LabelsOfStar{}).reduce_by_key(detail::MinOf{}, hash);
    return graph.outer_join_vertices(labels, detail::LabelOrOwnId{});
  });
}

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
