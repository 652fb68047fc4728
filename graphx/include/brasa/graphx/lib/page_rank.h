// PageRank with GraphX's semantics (lib/PageRank.scala), static or dynamic:
//
//   auto ranks = brasa::graphx::page_rank(g, {.iterations = 20}).vertices();  // static
//   auto ranks = brasa::graphx::page_rank(g, {.tol = 1e-6}).vertices();       // dynamic
//
// Static: every vertex starts at 1.0; each iteration
//     rank = reset_prob + (1 - reset_prob) * sum over in-edges (src rank / src out-degree)
// where parallel edges count in the out-degree and the mass of vertices
// without out-edges is not redistributed.
// Dynamic (GraphX's runUntilConvergence): Pregel in which a vertex sends
// its last change along its out-edges while that change exceeds tol.
// Either way the ranks are finally rescaled to sum to the number of
// vertices.
//
// Returns GraphX's rank graph: vertex attribute the rank, edge attribute
// 1 / (out-degree of the source).
#pragma once

#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>

#include "brasa/graphx/graph.h"
#include "brasa/graphx/pregel.h"

namespace brasa::graphx {

struct PageRankOptions {
  int iterations = 0;  // static PageRank: this many iterations
  double tol = 0;      // dynamic PageRank: until no rank changes by more than this
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
// Dynamic PageRank's vertex state: (rank, last change).
using RankDelta = std::pair<double, double>;
struct StartRankDelta {
  template <class VD> RankDelta operator()(VertexId, const VD&) const { return {0.0, 0.0}; }
};
struct DynamicVertexProgram {
  double reset_prob;
  RankDelta operator()(VertexId, const RankDelta& attr, double msg_sum) const {
    double rank = attr.first + (1.0 - reset_prob) * msg_sum;
    return {rank, rank - attr.first};
  }
};
struct SendDelta {
  double tol;
  template <class Ctx> void operator()(Ctx& ctx) const {
    if (ctx.src_attr().second > tol) ctx.send_to_dst(ctx.src_attr().second * ctx.attr());
  }
};
struct RankOf {
  double operator()(VertexId, const RankDelta& attr) const { return attr.first; }
};
// (sum of ranks, number of vertices), in one pass.
using RankSum = std::pair<double, int64_t>;
struct SumRanks {
  RankSum operator()(RankSum acc, const VertexPartition<double>& p) const {
    for (double r : p.values) acc.first += r;
    return {acc.first, acc.second + static_cast<int64_t>(p.size())};
  }
};
struct AddRankSums {
  RankSum operator()(RankSum a, RankSum b) const { return {a.first + b.first, a.second + b.second}; }
};
}  // namespace detail

// Ranks rescaled to sum to the number of vertices (GraphX's normalizeRankSum).
template <class ED> Graph<double, ED> normalize_rank_sum(const Graph<double, ED>& ranks) {
  auto [sum, n] = ranks.vertices().partitions().aggregate(detail::RankSum{0.0, 0}, detail::SumRanks{},
                                                          detail::AddRankSums{});
  auto result = ranks.map_vertices(detail::ScaleRank{sum > 0 ? static_cast<double>(n) / sum : 1.0});
  result.vertices().cache();
  result.vertices().partitions().count();
  return result;
}

template <class VD, class ED> Graph<double, double> page_rank(const Graph<VD, ED>& graph, PageRankOptions options = {}) {
  if (options.iterations < 0)
    throw std::invalid_argument("page_rank: iterations must be at least 1, got " + std::to_string(options.iterations));
  if (!(options.tol >= 0))
    throw std::invalid_argument("page_rank: tol must be non-negative, got " + std::to_string(options.tol));
  if ((options.iterations > 0) == (options.tol > 0))
    throw std::invalid_argument("page_rank: give either iterations (static PageRank) or tol (dynamic), got iterations " +
                                std::to_string(options.iterations) + " and tol " + std::to_string(options.tol));
  if (!(options.reset_prob > 0 && options.reset_prob < 1))
    throw std::invalid_argument("page_rank: reset_prob must be in (0, 1), got " + std::to_string(options.reset_prob));
  // Edge attribute: 1 / out-degree of the source.
  auto weighted = graph.outer_join_vertices(graph.out_degrees(), detail::OutDegreeOrZero{})
                      .map_triplets(detail::InverseSourceDegree{}, TripletFields::src());
  if (options.tol > 0) {
    double r = options.reset_prob;
    auto start = weighted.map_vertices(detail::StartRankDelta{});
    start.edge_partitions().cache();
    auto done = pregel(start, r / (1.0 - r), PregelOptions{.direction = EdgeDirection::Out},
                       detail::DynamicVertexProgram{r}, detail::SendDelta{options.tol}, detail::AddDoubles{});
    auto ranks = done.map_vertices(detail::RankOf{});
    return normalize_rank_sum(ranks);
  }
  Graph<double, double> ranks = weighted.map_vertices(detail::RankOne{});
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
    detail::release(ranks.vertices());
    ranks = next;
  }
  auto result = normalize_rank_sum(ranks);
  detail::release(ranks.vertices());
  return result;
}

}  // namespace brasa::graphx
