// Shortest paths.
//
// shortest_paths(graph, landmarks) is GraphX's ShortestPaths: for every
// vertex, the number of edges on the shortest path from it to each
// landmark it can reach (following edge directions), as a map from
// landmark to hops. Computed by Pregel as GraphX does.
//
// sssp(graph, source) gives the weighted distance from `source` to every
// vertex along edge directions, edge attributes being the (non-negative)
// lengths, infinity where unreachable: the Pregel program of GraphX's
// guide. bfs_levels(graph, source) counts edges instead (every length 1).
#pragma once

#include <algorithm>
#include <limits>
#include <map>
#include <stdexcept>
#include <vector>

#include "brasa/graphx/pregel.h"

namespace brasa::graphx {

using HopMap = std::map<VertexId, int>;

namespace detail {

struct StartAtLandmarks {
  std::vector<VertexId> landmarks;  // ascending
  template <class Ar> void serialize(Ar& ar) { ar(landmarks); }
  template <class VD> HopMap operator()(VertexId id, const VD&) const {
    return std::binary_search(landmarks.begin(), landmarks.end(), id) ? HopMap{{id, 0}} : HopMap{};
  }
};
struct MinHops {
  HopMap operator()(HopMap a, const HopMap& b) const {
    for (const auto& [landmark, hops] : b) {
      auto [it, added] = a.emplace(landmark, hops);
      if (!added) it->second = std::min(it->second, hops);
    }
    return a;
  }
};
struct KeepMinHops {
  HopMap operator()(VertexId, const HopMap& attr, const HopMap& msg) const { return MinHops{}(attr, msg); }
};
// The destination's distances one hop further, sent to the source if they
// improve it.
struct SendHops {
  template <class Ctx> void operator()(Ctx& ctx) const {
    HopMap further = ctx.dst_attr();
    for (auto& [landmark, hops] : further) ++hops;
    if (MinHops{}(further, ctx.src_attr()) != ctx.src_attr()) ctx.send_to_src(std::move(further));
  }
};

struct StartAtSource {
  VertexId source;
  template <class VD> double operator()(VertexId id, const VD&) const {
    return id == source ? 0.0 : std::numeric_limits<double>::infinity();
  }
};
struct KeepShorter {
  double operator()(VertexId, double d, double msg) const { return std::min(d, msg); }
};
struct Shorter {
  double operator()(double a, double b) const { return std::min(a, b); }
};
template <bool kUnitLength> struct SendDistance {
  template <class Ctx> void operator()(Ctx& ctx) const {
    const double length = kUnitLength ? 1.0 : static_cast<double>(ctx.attr());
    if (ctx.src_attr() + length < ctx.dst_attr()) ctx.send_to_dst(ctx.src_attr() + length);
  }
};
struct CheckLength {
  template <class ED> bool operator()(const Edge<ED>& e) const { return !(static_cast<double>(e.attr) >= 0); }
};

}  // namespace detail

template <class VD, class ED>
Graph<HopMap, ED> shortest_paths(const Graph<VD, ED>& graph, std::vector<VertexId> landmarks) {
  std::sort(landmarks.begin(), landmarks.end());
  return pregel(graph.map_vertices(detail::StartAtLandmarks{std::move(landmarks)}), HopMap{},
                PregelOptions{INT_MAX, EdgeDirection::Either}, detail::KeepMinHops{}, detail::SendHops{},
                detail::MinHops{});
}

template <class VD, class ED> Graph<double, ED> sssp(const Graph<VD, ED>& graph, VertexId source) {
  if (!graph.edges().filter(detail::CheckLength{}).is_empty())
    throw std::invalid_argument("sssp: edge lengths must be non-negative numbers");
  return pregel(graph.map_vertices(detail::StartAtSource{source}), std::numeric_limits<double>::infinity(),
                PregelOptions{INT_MAX, EdgeDirection::Out}, detail::KeepShorter{}, detail::SendDistance<false>{},
                detail::Shorter{});
}

template <class VD, class ED> Graph<double, ED> bfs_levels(const Graph<VD, ED>& graph, VertexId source) {
  return pregel(graph.map_vertices(detail::StartAtSource{source}), std::numeric_limits<double>::infinity(),
                PregelOptions{INT_MAX, EdgeDirection::Out}, detail::KeepShorter{}, detail::SendDistance<true>{},
                detail::Shorter{});
}

}  // namespace brasa::graphx
