// k-core decomposition (beyond GraphX): the core number of every vertex,
// the largest k such that the vertex belongs to a subgraph in which every
// vertex has at least k neighbours. Edges are read in both directions,
// self loops are ignored and parallel edges count once (as triangle_count
// reads them); a vertex without neighbours has core number 0.
//
// Computed by Montresor, De Pellegrini and Miorandi's local rule: every
// vertex starts at its degree and repeatedly lowers its value to the
// h-index of its neighbours' values (the largest h such that h neighbours
// have at least h) until no value changes. Each round is one
// aggregate_messages; the number of rounds is small in practice (it is
// bounded by the number of vertices).
#pragma once

#include <algorithm>
#include <climits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "brasa/graphx/graph.h"
#include "brasa/graphx/pregel.h"
#include "brasa/scheduler/lost_local_checkpoint.h"
#include "brasa/graphx/lib/triangle_count.h"

namespace brasa::graphx {

namespace detail {

struct DegreeOrZero {
  int operator()(VertexId, char, std::optional<int> degree) const { return degree.value_or(0); }
};
// Each end hears the other's value; merged into one list per vertex.
struct SendCore {
  template <class Ctx> void operator()(Ctx& ctx) const {
    ctx.send_to_dst(std::vector<int>{ctx.src_attr()});
    ctx.send_to_src(std::vector<int>{ctx.dst_attr()});
  }
};
// The largest h <= current with at least h of the neighbours' values >= h.
struct LowerToHIndex {
  int operator()(VertexId, int current, const std::optional<std::vector<int>>& heard) const {
    if (!heard || current == 0) return 0;
    std::vector<int> at_least(static_cast<size_t>(current) + 1, 0);
    for (int v : *heard) ++at_least[static_cast<size_t>(std::min(v, current))];
    int seen = 0;
    for (int h = current; h > 0; --h) {
      seen += at_least[static_cast<size_t>(h)];
      if (seen >= h) return h;
    }
    return 0;
  }
};
struct CountChanged {
  std::vector<int64_t> operator()(const std::vector<VertexPartition<int>>& now,
                                  const std::vector<VertexPartition<int>>& before) const {
    int64_t changed = 0;
    for (size_t n = 0; n < now.size() && n < before.size(); ++n)
      for (size_t i = 0; i < now[n].size() && i < before[n].size(); ++i)
        changed += now[n].values[i] != before[n].values[i];
    return {changed};
  }
};
struct CoreOrZero {
  template <class VD> int operator()(VertexId, const VD&, std::optional<int> core) const { return core.value_or(0); }
};
struct CoreAtLeast {
  int k;
  bool operator()(VertexId, int core) const { return core >= k; }
};

}  // namespace detail

// The graph with each vertex's core number as its attribute. Stops after
// max_iterations rounds if the values have not settled by then (they are
// then upper bounds of the core numbers).
template <class VD, class ED> Graph<int, ED> core_numbers(const Graph<VD, ED>& graph, int max_iterations = INT_MAX) {
  if (max_iterations < 1)
    throw std::invalid_argument("core_numbers: max_iterations must be at least 1, got " +
                                std::to_string(max_iterations));
  auto edges = graph.edges().flat_map(detail::CanonicalEnds{}).distinct().map(detail::AsUnitEdge{});
  auto simple = Graph<char, char>::create(graph.vertices().rdd().map(detail::Unit{}), edges, 0);
  return restart_on_lost_local_checkpoint("core_numbers", [&] {
    Graph<int, char> g = simple.outer_join_vertices(simple.degrees(), detail::DegreeOrZero{});
    g.vertices().cache();
    for (int round = 0; round < max_iterations; ++round) {
      auto heard = g.template aggregate_messages<std::vector<int>>(detail::SendCore{}, detail::Concat<int>{},
                                                                   TripletFields::all());
      Graph<int, char> next = g.outer_join_vertices(heard, detail::LowerToHIndex{});
      next.vertices().cache();
      if ((round + 1) % detail::kCheckpointInterval == 0)
        next.vertices().partitions().local_checkpoint();  // lineage stays short, as in pregel
      const auto changed =
          next.vertices().partitions().zip_partitions(g.vertices().partitions(), detail::CountChanged{});
      const int64_t n = changed.reduce([](int64_t a, int64_t b) { return a + b; });
      detail::release(g.vertices());
      g = next;
      if (n == 0) break;
    }
    // The last values stay cached while the result refers to them.
    return graph.outer_join_vertices(g.vertices().rdd(), detail::CoreOrZero{});
  });
}

// The k-core: the vertices with core number at least k (with their
// attributes) and the edges between them.
template <class VD, class ED> Graph<VD, ED> k_core(const Graph<VD, ED>& graph, int k) {
  if (k < 0) throw std::invalid_argument("k_core: k must be at least 0, got " + std::to_string(k));
  auto cores = core_numbers(graph);
  auto in_core = cores.subgraph(detail::AnyEdge{}, detail::CoreAtLeast{k});
  return graph.mask(in_core);
}

}  // namespace brasa::graphx
