// PageRank with GraphX's semantics (lib/PageRank.scala): every vertex
// starts at 1.0; each iteration
//     rank = reset_prob + (1 - reset_prob) * sum over in-edges (src rank / src out-degree)
// where parallel edges count in the out-degree and the mass of vertices
// without out-edges is not redistributed; after the last iteration the
// ranks are rescaled to sum to the number of vertices.
//
//   auto ranks = brasa::graphx::page_rank(g, {.iterations = 20}).vertices();
//
// Returns GraphX's rank graph: vertex attribute the rank, edge attribute
// 1 / (out-degree of the source).
#pragma once

#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>

#include "brasa/graphx/graph.h"

namespace brasa::graphx {

struct PageRankOptions {
  int iterations = 20;      // static PageRank: this many iterations
  double reset_prob = 0.15;
};

namespace detail {
inline constexpr int kCheckpointInterval = 10;
struct OutDegreeOrZero {
  template <class VD> int operator()(VertexId, const VD&, std::optional<int> d) const { return d.value_or(0); }
};
struct InverseSourceDegree {
  template <class ED> double operator()(const EdgeTriplet<int, ED>& t) const { return 1.0 / t.src_attr; }
};
struct RankOne {
  double operator()(VertexId, int) const { return 1.0; }
};
struct SendRank {
  template <class Ctx> void operator()(Ctx& ctx) const { ctx.send_to_dst(ctx.src_attr() * ctx.attr()); }
};
struct AddDoubles {
  double operator()(double a, double b) const { return a + b; }
};
struct NewRank {
  double reset_prob;
  double operator()(VertexId, double, std::optional<double> sum) const {
    return reset_prob + (1.0 - reset_prob) * sum.value_or(0.0);
  }
};
struct ScaleRank {
  double factor;
  double operator()(VertexId, double rank) const { return rank * factor; }
};
struct SumRanks {
  double operator()(double acc, const VertexPartition<double>& p) const {
    for (double r : p.values) acc += r;
    return acc;
  }
};
}  // namespace detail

template <class VD, class ED> Graph<double, double> page_rank(const Graph<VD, ED>& graph, PageRankOptions options = {}) {
  if (options.iterations < 1)
    throw std::invalid_argument("page_rank: iterations must be at least 1, got " + std::to_string(options.iterations));
  if (!(options.reset_prob > 0 && options.reset_prob < 1))
    throw std::invalid_argument("page_rank: reset_prob must be in (0, 1), got " + std::to_string(options.reset_prob));
  Graph<double, double> ranks = graph.outer_join_vertices(graph.out_degrees(), detail::OutDegreeOrZero{})
                                    .map_triplets(detail::InverseSourceDegree{}, TripletFields::src())
                                    .map_vertices(detail::RankOne{});
  ranks.cache();
  for (int i = 0; i < options.iterations; ++i) {
    auto sums = ranks.template aggregate_messages<double>(detail::SendRank{}, detail::AddDoubles{},
                                                          TripletFields::src());
    auto next = ranks.outer_join_vertices(sums, detail::NewRank{options.reset_prob});
    next.vertices().cache();
    // Every few iterations the ranks become a local checkpoint: lineage,
    // and the shuffles it keeps alive, stop growing.
    if ((i + 1) % detail::kCheckpointInterval == 0)
      next.vertices().partitions().local_checkpoint();
    else
      next.vertices().partitions().count();  // computes this iteration before the last one is dropped
    if (!ranks.vertices().partitions().is_local_checkpointed()) ranks.vertices().unpersist();
    ranks = next;
  }
  double sum = ranks.vertices().partitions().aggregate(0.0, detail::SumRanks{}, detail::AddDoubles{});
  int64_t n = ranks.num_vertices();
  auto result = ranks.map_vertices(detail::ScaleRank{sum > 0 ? static_cast<double>(n) / sum : 1.0});
  result.vertices().cache();
  result.vertices().partitions().count();
  if (!ranks.vertices().partitions().is_local_checkpointed()) ranks.vertices().unpersist();
  return result;
}

}  // namespace brasa::graphx
