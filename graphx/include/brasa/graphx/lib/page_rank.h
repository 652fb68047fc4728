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
// Personalized PageRank (a `source`): the source starts at 1.0 and every
// other vertex at 0, the reset mass returns to the source only, and the
// ranks are finally rescaled to sum to 1 (GraphX's personalizedPageRank).
// parallel_personalized_page_rank runs static personalized PageRank from
// several sources at once, a vector of ranks per vertex (GraphX's
// staticParallelPersonalizedPageRank).
//
// Returns GraphX's rank graph: vertex attribute the rank, edge attribute
// 1 / (out-degree of the source).
#pragma once

#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "brasa/graphx/graph.h"
#include "brasa/graphx/pregel.h"

namespace brasa::graphx {

struct PageRankOptions {
  int iterations = 0;  // static PageRank: this many iterations
  double tol = 0;      // dynamic PageRank: until no rank changes by more than this
  double reset_prob = 0.15;
  std::optional<VertexId> source = std::nullopt;  // personalized PageRank from this vertex
};

namespace detail {
// Computes and caches the state of iteration i in the stage that also
// ships it to the edge partitions for the next one (two stages an
// iteration, not three); every few iterations the state becomes a local
// checkpoint, so that lineage, and the shuffles it keeps alive, stop
// growing. Called before the last state is dropped.
template <class VD, class ED> void compute_and_ship_ahead(const Graph<VD, ED>& next, int i, TripletFields fields) {
  const bool checkpoint = (i + 1) % kCheckpointInterval == 0;
  const RDD<VertexPartition<VD>> vertices = next.vertices().partitions();
  vertices.persist(checkpoint ? StorageLevel::memory_and_disk() : StorageLevel::memory_only());
  FusedJoin::ship_ahead(next, fields);
  if (checkpoint) vertices.local_checkpoint();  // the blocks are there: runs no job
}

struct OutDegreeOrZero {
  template <class VD> int operator()(VertexId, const VD&, std::optional<int> d) const { return d.value_or(0); }
};
struct InverseSourceDegree {
  template <class ED> double operator()(const EdgeTriplet<int, ED>& t) const { return 1.0 / t.src_attr; }
};
// 1.0 everywhere, or at the source only when personalized.
struct StartRank {
  bool personalized;
  VertexId source;
  double operator()(VertexId id, int) const { return !personalized || id == source ? 1.0 : 0.0; }
};
struct AddDoubles {
  double operator()(double a, double b) const { return a + b; }
  double identity() const { return 0.0; }
};
struct NewRank {
  double reset_prob;
  bool personalized = false;
  VertexId source = 0;
  double operator()(VertexId id, double, std::optional<double> sum) const {
    const double reset = !personalized || id == source ? reset_prob : 0.0;
    return reset + (1.0 - reset_prob) * sum.value_or(0.0);
  }
};
// Static PageRank ships each vertex's contribution, rank * (1 / out-degree):
// the product GraphX computes on every out-edge, so the same bits, but the
// scan then reads no edge attribute (half the bytes per edge).
struct InverseDegree {
  double operator()(VertexId, int degree) const { return degree > 0 ? 1.0 / degree : 0.0; }
};
struct StartContribution {
  StartRank start;
  double operator()(VertexId id, double inverse) const { return start(id, 0) * inverse; }
};
struct NextContribution {
  NewRank rank;
  double operator()(VertexId id, double inverse, std::optional<double> sum) const {
    return rank(id, 0.0, sum) * inverse;
  }
};
struct SendContribution {
  uint8_t sends_on_every_edge() const { return kDestination; }
  template <class Ctx> void operator()(Ctx& ctx) const { ctx.send_to_dst(ctx.src_attr()); }
};
struct ScaleRank {
  double factor;
  double operator()(VertexId, double rank) const { return rank * factor; }
};
// Dynamic PageRank's vertex state: (rank, last change).
using RankDelta = std::pair<double, double>;
// A personalized run marks its source with a last change of -infinity.
struct StartRankDelta {
  bool personalized;
  VertexId source;
  template <class VD> RankDelta operator()(VertexId id, const VD&) const {
    return {0.0, personalized && id == source ? -INFINITY : 0.0};
  }
};
struct DynamicVertexProgram {
  double reset_prob;
  RankDelta operator()(VertexId, const RankDelta& attr, double msg_sum) const {
    double rank = attr.second == -INFINITY ? 1.0 : attr.first + (1.0 - reset_prob) * msg_sum;
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

// Ranks rescaled to sum to the number of vertices, or to 1 when
// personalized (GraphX's normalizeRankSum).
template <class ED> Graph<double, ED> normalize_rank_sum(const Graph<double, ED>& ranks, bool personalized = false) {
  auto [sum, n] = ranks.vertices().partitions().aggregate(detail::RankSum{0.0, 0}, detail::SumRanks{},
                                                          detail::AddRankSums{});
  const double target = personalized ? 1.0 : static_cast<double>(n);
  auto result = ranks.map_vertices(detail::ScaleRank{sum > 0 ? target / sum : 1.0});
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
  const bool personalized = options.source.has_value();
  const VertexId source = options.source.value_or(0);
  if (options.tol > 0) {
    double r = options.reset_prob;
    auto start = weighted.map_vertices(detail::StartRankDelta{personalized, source});
    start.edge_partitions().cache();
    auto done = pregel(start, personalized ? 0.0 : r / (1.0 - r), PregelOptions{.direction = EdgeDirection::Out},
                       detail::DynamicVertexProgram{r}, detail::SendDelta{options.tol}, detail::AddDoubles{});
    auto ranks = done.map_vertices(detail::RankOf{});
    return normalize_rank_sum(ranks, personalized);
  }
  return restart_on_lost_local_checkpoint("pagerank", [&] {
    const detail::NewRank new_rank{options.reset_prob, personalized, source};
    auto inverse = weighted.map_vertices(detail::InverseDegree{});
    inverse.cache();
    Graph<double, double> contributions = inverse.map_vertices(detail::StartContribution{{personalized, source}});
    contributions.vertices().cache();
    IterationClock clock(contributions.edge_partitions().node()->runtime(), "pagerank");
    for (int i = 0;; ++i) {
      // inverse.outer_join_vertices(contributions.aggregate_messages(...), f), in one pass.
      auto step = [&](auto f) {
        return detail::FusedJoin::aggregate_then_join<double>(contributions, inverse, detail::SendContribution{},
                                                              detail::AddDoubles{}, TripletFields::src(), f);
      };
      if (i + 1 == options.iterations) {
        auto ranks = step(new_rank);
        ranks.vertices().cache();
        ranks.vertices().partitions().count();
        detail::release(contributions.vertices());
        clock.lap(i + 1);
        auto result = normalize_rank_sum(ranks, personalized);
        detail::release(ranks.vertices());
        inverse.vertices().unpersist();
        return result;
      }
      auto next = step(detail::NextContribution{new_rank});
      detail::compute_and_ship_ahead(next, i, TripletFields::src());
      detail::release(contributions.vertices());
      contributions = next;
      clock.lap(i + 1);
    }
  });
}

namespace detail {
// Parallel personalized PageRank's vertex state: one rank per source.
struct StartRanks {
  std::vector<VertexId> sources;
  template <class Ar> void serialize(Ar& ar) { ar(sources); }
  std::vector<double> operator()(VertexId id, int) const {
    std::vector<double> r(sources.size(), 0.0);
    for (size_t i = 0; i < sources.size(); ++i)
      if (sources[i] == id) r[i] = 1.0;
    return r;
  }
};
struct SendRanks {
  template <class Ctx> void operator()(Ctx& ctx) const {
    std::vector<double> r = ctx.src_attr();
    for (double& x : r) x *= ctx.attr();
    ctx.send_to_dst(std::move(r));
  }
};
struct AddRankVectors {
  std::vector<double> operator()(std::vector<double> a, const std::vector<double>& b) const {
    for (size_t i = 0; i < a.size(); ++i) a[i] += b[i];
    return a;
  }
};
struct NewRanks {
  StartRanks start;
  double reset_prob;
  template <class Ar> void serialize(Ar& ar) { ar(start, reset_prob); }
  std::vector<double> operator()(VertexId id, const std::vector<double>&, std::optional<std::vector<double>> sum) const {
    std::vector<double> r = start(id, 0);
    for (size_t i = 0; i < r.size(); ++i) r[i] = reset_prob * r[i] + (1.0 - reset_prob) * (sum ? (*sum)[i] : 0.0);
    return r;
  }
};
struct ScaleRanks {
  std::vector<double> factor;
  template <class Ar> void serialize(Ar& ar) { ar(factor); }
  std::vector<double> operator()(VertexId, std::vector<double> r) const {
    for (size_t i = 0; i < r.size(); ++i) r[i] *= factor[i];
    return r;
  }
};
struct SumRankVectors {
  std::vector<double> operator()(std::vector<double> acc, const std::pair<VertexId, std::vector<double>>& v) const {
    if (acc.empty()) return v.second;
    return AddRankVectors{}(std::move(acc), v.second);
  }
};
struct MergeRankVectors {
  std::vector<double> operator()(std::vector<double> a, const std::vector<double>& b) const {
    if (a.empty()) return b;
    if (b.empty()) return a;
    return AddRankVectors{}(std::move(a), b);
  }
};
}  // namespace detail

// Static personalized PageRank from each of `sources` at once: vertex
// attribute the ranks, one per source, each column rescaled to sum to 1.
template <class VD, class ED>
Graph<std::vector<double>, double> parallel_personalized_page_rank(const Graph<VD, ED>& graph,
                                                                   std::vector<VertexId> sources, int iterations,
                                                                   double reset_prob = 0.15) {
  if (sources.empty()) throw std::invalid_argument("parallel_personalized_page_rank: sources is empty");
  if (iterations < 1)
    throw std::invalid_argument("parallel_personalized_page_rank: iterations must be at least 1, got " +
                                std::to_string(iterations));
  if (!(reset_prob > 0 && reset_prob < 1))
    throw std::invalid_argument("parallel_personalized_page_rank: reset_prob must be in (0, 1), got " +
                                std::to_string(reset_prob));
  auto weighted = graph.outer_join_vertices(graph.out_degrees(), detail::OutDegreeOrZero{})
                      .map_triplets(detail::InverseSourceDegree{}, TripletFields::src());
  detail::StartRanks start{std::move(sources)};
  return restart_on_lost_local_checkpoint("parallel_personalized_page_rank", [&] {
    Graph<std::vector<double>, double> ranks = weighted.map_vertices(start);
    ranks.cache();
    for (int i = 0; i < iterations; ++i) {
      // ranks.outer_join_vertices(ranks.aggregate_messages(...), NewRanks), in one pass.
      auto next = detail::FusedJoin::aggregate_then_join<std::vector<double>>(
          ranks, ranks, detail::SendRanks{}, detail::AddRankVectors{}, TripletFields::src(),
          detail::NewRanks{start, reset_prob});
      if (i + 1 < iterations) {
        detail::compute_and_ship_ahead(next, i, TripletFields::src());
      } else {
        next.vertices().cache();
        next.vertices().partitions().count();  // computes the last ranks before the ones before are dropped
      }
      detail::release(ranks.vertices());
      ranks = next;
    }
    auto sums = ranks.vertices().rdd().aggregate(std::vector<double>{}, detail::SumRankVectors{},
                                                 detail::MergeRankVectors{});
    for (double& s : sums) s = s > 0 ? 1.0 / s : 1.0;
    return ranks.map_vertices(detail::ScaleRanks{std::move(sums)});
  });
}

}  // namespace brasa::graphx
