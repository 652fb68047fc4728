// GraphX's collectNeighborIds and collectNeighbors: each vertex's
// neighbours along `direction` (Out: destinations of its out-edges; In:
// sources of its in-edges; Either: both). Every vertex gets an entry, empty
// when it has no such neighbour; a neighbour appears once per edge, and the
// list is sorted by id (GraphX's order is arbitrary). EdgeDirection::Both is
// refused, as in GraphX.
#pragma once

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "brasa/graphx/graph.h"

namespace brasa::graphx {

namespace detail {

template <class T> struct Concat {
  std::vector<T> operator()(std::vector<T> a, const std::vector<T>& b) const {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }
};

struct SendNeighborIds {
  EdgeDirection direction;
  template <class Ctx> void operator()(Ctx& ctx) const {
    if (direction != EdgeDirection::In) ctx.send_to_src(std::vector<VertexId>{ctx.dst_id()});
    if (direction != EdgeDirection::Out) ctx.send_to_dst(std::vector<VertexId>{ctx.src_id()});
  }
};

template <class VD> struct SendNeighbors {
  EdgeDirection direction;
  template <class Ctx> void operator()(Ctx& ctx) const {
    using Pair = std::pair<VertexId, VD>;
    if (direction != EdgeDirection::In) ctx.send_to_src(std::vector<Pair>{{ctx.dst_id(), ctx.dst_attr()}});
    if (direction != EdgeDirection::Out) ctx.send_to_dst(std::vector<Pair>{{ctx.src_id(), ctx.src_attr()}});
  }
};

// The received list sorted, or an empty one.
struct SortedOrEmpty {
  template <class VD, class T> std::vector<T> operator()(VertexId, const VD&, std::optional<std::vector<T>> got) const {
    if (!got) return {};
    std::sort(got->begin(), got->end(), [](const T& a, const T& b) {
      if constexpr (std::is_same_v<T, VertexId>) {
        return a < b;
      } else {
        return a.first < b.first;
      }
    });
    return std::move(*got);
  }
};

inline void check_neighbor_direction(EdgeDirection direction, const char* who) {
  if (direction == EdgeDirection::Both)
    throw std::invalid_argument(std::string(who) +
                                ": EdgeDirection::Both is not supported; use EdgeDirection::Either");
}

}  // namespace detail

template <class VD, class ED>
VertexRDD<std::vector<VertexId>> collect_neighbor_ids(const Graph<VD, ED>& graph, EdgeDirection direction) {
  detail::check_neighbor_direction(direction, "collect_neighbor_ids");
  auto ids = graph.template aggregate_messages<std::vector<VertexId>>(
      detail::SendNeighborIds{direction}, detail::Concat<VertexId>{}, TripletFields::none());
  return graph.outer_join_vertices(ids, detail::SortedOrEmpty{}).vertices();
}

template <class VD, class ED>
VertexRDD<std::vector<std::pair<VertexId, VD>>> collect_neighbors(const Graph<VD, ED>& graph,
                                                                  EdgeDirection direction) {
  detail::check_neighbor_direction(direction, "collect_neighbors");
  using Pair = std::pair<VertexId, VD>;
  TripletFields fields{direction != EdgeDirection::Out, direction != EdgeDirection::In, false};
  auto got = graph.template aggregate_messages<std::vector<Pair>>(detail::SendNeighbors<VD>{direction},
                                                                  detail::Concat<Pair>{}, fields);
  return graph.outer_join_vertices(got, detail::SortedOrEmpty{}).vertices();
}

}  // namespace brasa::graphx
