// GraphX's stronglyConnectedComponents: each vertex labelled with the
// smallest vertex id of its strongly connected component, after at most
// num_iter rounds (a round trims the vertices with no in- or out-edge left,
// then colours the rest by the smallest id that reaches them, forward, and
// marks the vertices that reach their colour's root, backward).
//
//   auto scc = brasa::graphx::strongly_connected_components(graph, 10);
#pragma once

#include <climits>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "brasa/graphx/pregel.h"

namespace brasa::graphx {

namespace detail {
using SccState = std::pair<VertexId, bool>;  // colour, final
struct SccOwnId {
  template <class VD>
  VertexId operator()(VertexId id, const VD&) const {
    return id;
  }
};
struct SccStart {
  template <class VD>
  SccState operator()(VertexId id, const VD&) const {
    return {id, false};
  }
};
// A vertex with no edge left on one side is a component of its own.
struct FinalWithoutDegree {
  SccState operator()(VertexId id, const SccState& s, std::optional<int> degree) const {
    return degree ? s : SccState{id, true};
  }
};
struct TakeFinalColor {
  VertexId operator()(VertexId, VertexId scc, std::optional<SccState> s) const {
    return s && s->second ? s->first : scc;
  }
};
struct NotFinal {
  bool operator()(VertexId, const SccState& s) const { return !s.second; }
};
struct OwnColor {
  SccState operator()(VertexId id, const SccState& s) const { return {id, s.second}; }
};
struct MinColor {
  SccState operator()(VertexId, const SccState& s, VertexId color) const {
    return {std::min(s.first, color), s.second};
  }
};
struct SendSmallerColor {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    if (ctx.src_attr().first < ctx.dst_attr().first) ctx.send_to_dst(ctx.src_attr().first);
  }
};
struct SmallestColor {
  VertexId operator()(VertexId a, VertexId b) const { return std::min(a, b); }
};
// Final: the root of its colour, or an edge to a final vertex of its colour.
// (Messages are uint8_t: a vector<bool> of them could not be serialized.)
struct MarkFinal {
  SccState operator()(VertexId id, const SccState& s, uint8_t final_neighbour) const {
    return {s.first, s.second || id == s.first || final_neighbour};
  }
};
struct SendFinalBack {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    if (ctx.dst_attr().first == ctx.src_attr().first && ctx.dst_attr().second && !ctx.src_attr().second)
      ctx.send_to_src(uint8_t{1});
  }
};
struct EitherFinal {
  uint8_t operator()(uint8_t a, uint8_t b) const { return a | b; }
};
}  // namespace detail

template <class VD, class ED>
Graph<VertexId, ED> strongly_connected_components(const Graph<VD, ED>& graph, int num_iter = INT_MAX) {
  if (num_iter < 1)
    throw std::invalid_argument("strongly_connected_components: num_iter must be at least 1, got " +
                                std::to_string(num_iter));
  using detail::SccState;
  Graph<VertexId, ED> scc = graph.map_vertices(detail::SccOwnId{});
  scc.cache();
  Graph<SccState, ED> work = graph.map_vertices(detail::SccStart{});
  work.cache();
  int64_t remaining = work.num_vertices();
  for (int iter = 1; remaining > 0 && iter <= num_iter; ++iter) {
    int64_t before = 0;
    do {  // trim until nothing more goes
      before = remaining;
      auto out = work.out_degrees(), in = work.in_degrees();
      Graph<SccState, ED> marked = work.outer_join_vertices(out, detail::FinalWithoutDegree{})
                                       .outer_join_vertices(in, detail::FinalWithoutDegree{});
      marked.cache();
      Graph<VertexId, ED> next_scc = scc.outer_join_vertices(marked.vertices(), detail::TakeFinalColor{});
      next_scc.vertices().cache();
      next_scc.vertices().count();
      scc.vertices().unpersist();
      scc = next_scc;
      work = marked.subgraph(detail::AnyEdge{}, detail::NotFinal{});
      work.cache();
      remaining = work.num_vertices();
    } while (remaining > 0 && remaining < before);
    if (remaining > 0 && iter < num_iter) {  // colour; the next round's trim takes the final vertices
      work = pregel(work.map_vertices(detail::OwnColor{}), std::numeric_limits<VertexId>::max(),
                    PregelOptions{.direction = EdgeDirection::Out}, detail::MinColor{}, detail::SendSmallerColor{},
                    detail::SmallestColor{});
      work = pregel(work, uint8_t{0}, PregelOptions{.direction = EdgeDirection::In}, detail::MarkFinal{},
                    detail::SendFinalBack{}, detail::EitherFinal{});
      work.cache();
    }
  }
  return scc;
}

}  // namespace brasa::graphx
