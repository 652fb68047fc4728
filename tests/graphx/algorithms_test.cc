// Pregel, PageRank and connected components: small graphs with known
// answers, and random graphs against Boost.Graph and an independent loop,
// for several partition counts and every partition strategy.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "brasa/deploy/cluster_backend.h"
#include "brasa/graphx/graphx.h"
#include "brasa/scheduler/event_bus.h"
#include "graphx_test_util.h"
#include "test_util.h"

namespace {

using brasa::graphx::Edge;
using brasa::graphx::EdgeDirection;
using brasa::graphx::Graph;
using brasa::graphx::PartitionStrategy;
using brasa::graphx::VertexId;
using graphx_test::as_map;

// GraphX's PageRank written as a plain loop over an edge list.
std::map<VertexId, double> page_rank_loop(const std::vector<Edge<int>>& edges, int iterations, double reset) {
  std::map<VertexId, double> rank;
  std::map<VertexId, int> out;
  for (const auto& e : edges) {
    rank[e.src] = rank[e.dst] = 1.0;
    ++out[e.src];
  }
  for (int i = 0; i < iterations; ++i) {
    std::map<VertexId, double> sum;
    for (const auto& e : edges) sum[e.dst] += rank[e.src] / out[e.src];
    for (auto& [v, r] : rank) r = reset + (1 - reset) * (sum.count(v) ? sum[v] : 0.0);
  }
  double total = 0;
  for (auto& [v, r] : rank) total += r;
  for (auto& [v, r] : rank) r *= static_cast<double>(rank.size()) / total;
  return rank;
}

std::vector<Edge<int>> random_edges(int vertices, int edges, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> pick(0, vertices - 1);
  std::vector<Edge<int>> out;
  for (int i = 0; i < edges; ++i) {
    VertexId a = pick(rng), b = pick(rng);
    out.push_back({a * 3 - 100, b * 3 - 100, 1});  // negative ids too
  }
  return out;
}

void expect_near_maps(const std::map<VertexId, double>& got, const std::map<VertexId, double>& want,
                      const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (const auto& [v, r] : want) {
    auto it = got.find(v);
    ASSERT_NE(it, got.end()) << what << ": vertex " << v;
    EXPECT_NEAR(it->second, r, 1e-9 * std::max(1.0, std::abs(r))) << what << ": vertex " << v;
  }
}

TEST(PageRank, StarGraphKnownRanks) {
  auto ctx = brasa_test::make_context();
  // Leaves 1..4 point at 0; 0 is a dead end. After one iteration leaves
  // have 0.15 and the centre 0.15 + 0.85 * 4 = 3.55; rescaled to sum 5.
  std::vector<Edge<int>> edges{{1, 0, 1}, {2, 0, 1}, {3, 0, 1}, {4, 0, 1}};
  auto g = Graph<int, int>::from_edges(ctx->parallelize(edges, 2), 1);
  auto ranks = as_map(brasa::graphx::page_rank(g, {.iterations = 1}).vertices().collect());
  double total = 3.55 + 4 * 0.15;
  EXPECT_NEAR(ranks[0], 3.55 * 5 / total, 1e-12);
  EXPECT_NEAR(ranks[1], 0.15 * 5 / total, 1e-12);
  double sum = 0;
  for (auto& [v, r] : ranks) sum += r;
  EXPECT_NEAR(sum, 5.0, 1e-9);
}

TEST(PageRank, MatchesALoopAcrossPartitionsAndStrategies) {
  auto ctx = brasa_test::make_context();
  auto edges = random_edges(400, 2500, 7);
  auto want = page_rank_loop(edges, 10, 0.15);
  for (int parts : {1, 3, 8}) {
    auto base = Graph<int, int>::from_edges(ctx->parallelize(edges, parts), 1);
    expect_near_maps(as_map(brasa::graphx::page_rank(base, {.iterations = 10}).vertices().collect()), want,
                     std::to_string(parts) + " partitions");
    for (auto s : {PartitionStrategy::EdgePartition2D, PartitionStrategy::RandomVertexCut}) {
      auto g = base.partition_by(s, parts);
      expect_near_maps(as_map(brasa::graphx::page_rank(g, {.iterations = 10}).vertices().collect()), want,
                       std::to_string(parts) + " partitions, strategy " + std::to_string(static_cast<int>(s)));
    }
  }
}

// Dynamic PageRank converges to the static fixed point (GraphX's test of
// runUntilConvergence against run).
TEST(PageRank, DynamicConvergesToTheStaticRanks) {
  auto ctx = brasa_test::make_context();
  auto edges = random_edges(300, 1500, 11);
  auto want = page_rank_loop(edges, 200, 0.15);
  for (int parts : {1, 4}) {
    auto g = Graph<int, int>::from_edges(ctx->parallelize(edges, parts), 1);
    auto got = as_map(brasa::graphx::page_rank(g, {.tol = 1e-10}).vertices().collect());
    ASSERT_EQ(got.size(), want.size());
    for (const auto& [v, r] : want) EXPECT_NEAR(got[v], r, 1e-6 * std::max(1.0, r)) << parts << " partitions, vertex " << v;
  }
}

TEST(PageRank, RejectsBadArguments) {
  auto ctx = brasa_test::make_context();
  auto g = Graph<int, int>::from_edges(ctx->parallelize(std::vector<Edge<int>>{{1, 2, 1}}, 1), 1);
  EXPECT_THROW(brasa::graphx::page_rank(g, {.iterations = 0}), std::invalid_argument);
  EXPECT_THROW(brasa::graphx::page_rank(g, {.iterations = 5, .tol = 0.1}), std::invalid_argument);
  EXPECT_THROW(brasa::graphx::page_rank(g, {.tol = -1}), std::invalid_argument);
  EXPECT_THROW(brasa::graphx::page_rank(g, {.iterations = 3, .reset_prob = 1.0}), std::invalid_argument);
  EXPECT_THROW(brasa::graphx::page_rank(g, {.iterations = 3, .reset_prob = -0.1}), std::invalid_argument);
}

// Component labels from Boost.Graph: the smallest id in each component.
std::map<VertexId, VertexId> boost_components(const std::vector<Edge<int>>& edges) {
  std::map<VertexId, int> index;
  for (const auto& e : edges) index.emplace(e.src, 0), index.emplace(e.dst, 0);
  std::vector<VertexId> ids;
  for (auto& [v, i] : index) i = static_cast<int>(ids.size()), ids.push_back(v);
  boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS> g(ids.size());
  for (const auto& e : edges) boost::add_edge(index[e.src], index[e.dst], g);
  std::vector<int> comp(ids.size());
  boost::connected_components(g, comp.data());
  std::map<int, VertexId> smallest;
  for (size_t i = 0; i < ids.size(); ++i) {
    auto [it, fresh] = smallest.emplace(comp[i], ids[i]);
    if (!fresh) it->second = std::min(it->second, ids[i]);
  }
  std::map<VertexId, VertexId> out;
  for (size_t i = 0; i < ids.size(); ++i) out[ids[i]] = smallest[comp[i]];
  return out;
}

TEST(ConnectedComponents, MatchesBoostGraphAcrossPartitions) {
  auto ctx = brasa_test::make_context();
  // Sparse enough to leave many components, plus self loops and a long chain.
  auto edges = random_edges(2000, 1200, 3);
  for (VertexId v = 10000; v < 10060; ++v) edges.push_back({v + 1, v, 1});
  edges.push_back({-5000000000LL, -5000000000LL, 1});
  auto want = boost_components(edges);
  for (int parts : {1, 3, 8}) {
    auto g = Graph<int, int>::from_edges(ctx->parallelize(edges, parts), 0);
    auto got = as_map(brasa::graphx::connected_components(g).vertices().collect());
    EXPECT_EQ(got, want) << parts << " partitions";
  }
}

TEST(ConnectedComponents, IsolatedVerticesAreTheirOwnComponent) {
  auto ctx = brasa_test::make_context();
  std::vector<std::pair<VertexId, int>> vertices{{5, 0}, {-9, 0}};
  std::vector<Edge<int>> edges{{3, 4, 0}, {4, 1, 0}};
  auto g = Graph<int, int>::create(ctx->parallelize(vertices, 1), ctx->parallelize(edges, 2), 0);
  EXPECT_EQ(as_map(brasa::graphx::connected_components(g).vertices().collect()),
            (std::map<VertexId, VertexId>{{-9, -9}, {1, 1}, {3, 1}, {4, 1}, {5, 5}}));
}

// Results never depend on the master: the same bits in local[1], local[2]
// and local-cluster[2,1] for the same partitioning (messages are merged in
// a fixed order, whatever ran where).
TEST(Modes, SameBitsInEveryMode) {
  SKIP_ON_CLUSTER("starts each master itself");
  auto edges = random_edges(500, 3000, 5);
  for (VertexId v = 20000; v < 20030; ++v) edges.push_back({v, v + 1, 1});  // a component of its own
  std::vector<std::vector<std::pair<VertexId, double>>> static_ranks, dynamic_ranks;
  std::vector<std::vector<std::pair<VertexId, VertexId>>> labels;
  for (const char* master : {"local[1]", "local[2]", "local-cluster[2,1]"}) {
    auto ctx = brasa_test::make_context(master);
    auto g = Graph<int, int>::from_edges(ctx->parallelize(edges, 4), 1).partition_by(PartitionStrategy::EdgePartition2D);
    static_ranks.push_back(brasa_test::sorted(brasa::graphx::page_rank(g, {.iterations = 12}).vertices().collect()));
    dynamic_ranks.push_back(brasa_test::sorted(brasa::graphx::page_rank(g, {.tol = 1e-8}).vertices().collect()));
    labels.push_back(brasa_test::sorted(brasa::graphx::connected_components(g).vertices().collect()));
  }
  for (size_t m = 1; m < 3; ++m) {
    EXPECT_TRUE(static_ranks[m] == static_ranks[0]) << "static PageRank differs in master " << m;
    EXPECT_TRUE(dynamic_ranks[m] == dynamic_ranks[0]) << "dynamic PageRank differs in master " << m;
    EXPECT_EQ(labels[m], labels[0]) << "master " << m;
  }
  EXPECT_EQ(static_ranks[0].size(), labels[0].size());
}

// GraphX's single-source shortest path example, in hop counts: Pregel with
// messages along out-edges only.
TEST(Pregel, HopCountsFromASource) {
  auto ctx = brasa_test::make_context();
  // 0 -> 1 -> 2 -> 3, 0 -> 2, 4 -> 0 (4 unreachable from 0), 5 -> 5.
  std::vector<Edge<int>> edges{{0, 1, 1}, {1, 2, 1}, {2, 3, 1}, {0, 2, 1}, {4, 0, 1}, {5, 5, 1}};
  constexpr double kInf = std::numeric_limits<double>::infinity();
  auto g = Graph<double, int>::from_edges(ctx->parallelize(edges, 3), 0.0)
               .map_vertices([](VertexId id, double) { return id == 0 ? 0.0 : kInf; });
  auto dist = brasa::graphx::pregel(
      g, kInf, {.direction = EdgeDirection::Out},
      [](VertexId, double d, double msg) { return std::min(d, msg); },
      [](auto& c) {
        if (c.src_attr() + 1 < c.dst_attr()) c.send_to_dst(c.src_attr() + 1);
      },
      [](double a, double b) { return std::min(a, b); });
  EXPECT_EQ(as_map(dist.vertices().collect()),
            (std::map<VertexId, double>{{0, 0}, {1, 1}, {2, 1}, {3, 2}, {4, kInf}, {5, kInf}}));
}

TEST(Pregel, MaxIterationsStopsEarlyAndManySuperstepsStayCorrect) {
  auto ctx = brasa_test::make_context();
  // A chain of 120 vertices labelled by connected components: 119
  // supersteps, through several local checkpoints.
  std::vector<Edge<int>> chain;
  for (VertexId v = 0; v + 1 < 120; ++v) chain.push_back({v + 1, v, 0});
  auto g = Graph<int, int>::from_edges(ctx->parallelize(chain, 4), 0);
  auto labels = as_map(brasa::graphx::connected_components(g).vertices().collect());
  for (VertexId v = 0; v < 120; ++v) EXPECT_EQ(labels[v], 0) << v;
  // The first round of messages and 3 supersteps: vertex v (v >= 3) is
  // labelled v - 3, as in GraphX.
  auto partial = as_map(brasa::graphx::connected_components(g, 3).vertices().collect());
  EXPECT_EQ(partial[3], 0);
  EXPECT_EQ(partial[4], 1);
  EXPECT_EQ(partial[50], 47);
  EXPECT_THROW(brasa::graphx::connected_components(g, 0), std::invalid_argument);
}

// The bytes every task wrote to shuffles.
class ShuffleBytes : public brasa::Listener {
 public:
  void on_event(const brasa::Event& e) override {
    if (e.type == brasa::Event::Type::kTaskEnd) bytes += e.metrics.shuffle_bytes_written;
  }
  std::atomic<int64_t> bytes = 0;
};

// Pregel keeps each edge partition's copy of the vertex attributes from
// one superstep to the next and ships only the vertices that changed
// (GraphX's replicated vertex view); messages to few vertices travel as
// sparse blocks. Hop counts along a chain change one vertex per superstep,
// so a superstep shuffles far less than one attribute per vertex.
TEST(Pregel, ShipsOnlyTheVerticesThatChanged) {
  auto ctx = brasa_test::make_context();
  constexpr int kVertices = 600;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<Edge<int>> chain;
  for (VertexId v = 0; v + 1 < kVertices; ++v) chain.push_back({v, v + 1, 0});
  auto g = Graph<double, int>::from_edges(ctx->parallelize(chain, 4), 0.0)
               .map_vertices([](VertexId id, double) { return id == 0 ? 0.0 : kInf; });
  g.cache();
  g.num_edges();
  auto counter = std::make_shared<ShuffleBytes>();
  ctx->runtime().events().add_listener(counter);
  auto hops = brasa::graphx::pregel(
      g, kInf, {.direction = EdgeDirection::Out}, [](VertexId, double d, double msg) { return std::min(d, msg); },
      [](auto& c) {
        if (c.src_attr() + 1 < c.dst_attr()) c.send_to_dst(c.src_attr() + 1);
      },
      [](double a, double b) { return std::min(a, b); });
  auto got = as_map(hops.vertices().collect());
  ctx->runtime().events().flush();
  ctx->runtime().events().remove_listener(counter);
  for (VertexId v = 0; v < kVertices; ++v) ASSERT_EQ(got[v], static_cast<double>(v)) << v;
  // kVertices - 1 supersteps; shipping every attribute each time would
  // write at least 8 bytes per vertex per superstep.
  const int64_t per_superstep = counter->bytes / (kVertices - 1);
  EXPECT_GT(per_superstep, 0);
  EXPECT_LT(per_superstep, kVertices * 8 / 12) << counter->bytes << " bytes in all";
}

// A send function that declares it sends on every edge (the degrees') has
// its messages to few of a route's vertices travel sparse as well: the
// in-degrees of a star whose edges all point at the hub shuffle a few
// bytes per edge partition, not a value per leaf.
TEST(Graph, InDegreesOfAStarShuffleLittle) {
  auto ctx = brasa_test::make_context();
  constexpr int kLeaves = 5000;
  std::vector<Edge<int>> star;
  for (VertexId v = 1; v <= kLeaves; ++v) star.push_back({v, 0, 0});
  auto g = Graph<int, int>::from_edges(ctx->parallelize(star, 4), 0);
  g.cache();
  g.in_degrees().count();  // builds the routing tables, which stay cached
  auto counter = std::make_shared<ShuffleBytes>();
  ctx->runtime().events().add_listener(counter);
  auto degrees = as_map(g.in_degrees().collect());
  ctx->runtime().events().flush();
  ctx->runtime().events().remove_listener(counter);
  EXPECT_EQ(degrees, (std::map<VertexId, int>{{0, kLeaves}}));
  // Dense blocks would carry each leaf's 4-byte value once: 20,000 bytes.
  EXPECT_GT(counter->bytes, 0);
  EXPECT_LT(counter->bytes, kLeaves * 4 / 2);
}

}  // namespace

// Star connected components give connected_components' labels (against
// Boost.Graph on random graphs with negative ids, across partitions), and
// finish a long path in few rounds, where Pregel would take one superstep
// per vertex.
TEST(StarConnectedComponents, MatchesBoostGraphAndFinishesLongPaths) {
  auto ctx = brasa_test::make_context();
  auto edges = random_edges(3000, 2500, 41);  // sparse: many components
  for (VertexId v = 5000000000; v < 5000000040; ++v) edges.push_back({v, v + 1, 1});
  edges.push_back({77777, 77777, 1});  // a self loop alone
  const auto want = boost_components(edges);
  for (int parts : {1, 3, 8}) {
    auto g = Graph<int, int>::from_edges(ctx->parallelize(edges, parts), 0);
    EXPECT_EQ(as_map(brasa::graphx::star_connected_components(g).vertices().collect()), want) << parts;
  }
  std::vector<Edge<int>> path;
  const VertexId length = 20000;
  std::mt19937_64 rng(3);
  std::vector<VertexId> order(length);
  for (VertexId i = 0; i < length; ++i) order[static_cast<size_t>(i)] = i * 7 - 30000;
  std::shuffle(order.begin(), order.end(), rng);  // the path visits ids in random order
  for (size_t i = 0; i + 1 < order.size(); ++i) path.push_back({order[i], order[i + 1], 1});
  auto g = Graph<int, int>::from_edges(ctx->parallelize(path, 4), 0);
  auto labels = brasa::graphx::star_connected_components(g).vertices().collect();
  ASSERT_EQ(labels.size(), static_cast<size_t>(length));
  for (const auto& [v, label] : labels) ASSERT_EQ(label, -30000) << v;
}

namespace {

// Kills one more executor of the context each time an algorithm ends one
// of the given iterations: executor 0 at the first, 1 at the second, ...
class KillAtIterations : public brasa::Listener {
 public:
  KillAtIterations(brasa::Context& ctx, std::vector<std::pair<std::string, int>> at) : ctx_(ctx), at_(std::move(at)) {}
  void on_event(const brasa::Event& e) override {
    if (e.type != brasa::Event::Type::kIterationEnd || kills_ == at_.size()) return;
    if (e.name == at_[kills_].first && e.iteration == at_[kills_].second)
      ::kill(ctx_.runtime().cluster()->executor_pids().at(kills_++), SIGKILL);
  }
  size_t kills() const { return kills_; }

 private:
  brasa::Context& ctx_;
  std::vector<std::pair<std::string, int>> at_;
  std::atomic<size_t> kills_ = 0;
};

// The stages each job submitted, by job.
class StagesPerJob : public brasa::Listener {
 public:
  void on_event(const brasa::Event& e) override {
    std::lock_guard lock(mu_);
    if (e.type == brasa::Event::Type::kJobStart) names_[e.job_id] = e.name;
    if (e.type == brasa::Event::Type::kStageSubmitted) ++stages_[e.job_id];
  }
  // Of the jobs whose name starts with `action`, in the order they ran.
  std::vector<int> of(const std::string& action) const {
    std::lock_guard lock(mu_);
    std::vector<int> out;
    for (const auto& [job, name] : names_)
      if (name.rfind(action, 0) == 0) out.push_back(stages_.count(job) ? stages_.at(job) : 0);
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::map<int, std::string> names_;
  std::map<int, int> stages_;
};

}  // namespace

// Each iteration of static PageRank computes its contributions in the
// stage that ships them to the edges for the next: after the first, an
// iteration is one job of two stages (the scan, then the merge with the
// next gather), and its local checkpoints run no job of their own.
TEST(PageRank, AnIterationIsOneJobOfTwoStages) {
  auto ctx = brasa_test::make_context();
  auto stages = std::make_shared<StagesPerJob>();
  ctx->runtime().events().add_listener(stages);
  auto g = Graph<int, int>::from_edges(ctx->parallelize(random_edges(300, 1500, 4), 3), 0);
  auto ranks = brasa::graphx::page_rank(g, {.iterations = 8});
  EXPECT_EQ(ranks.vertices().count(), g.num_vertices());
  ctx->runtime().events().flush();
  const auto per_iteration = stages->of("run_map_stages");
  ASSERT_EQ(per_iteration.size(), 7u) << "every iteration but the last ships ahead";
  EXPECT_GE(per_iteration[0], 3) << "the first also gathers the start";
  for (size_t i = 1; i < per_iteration.size(); ++i) EXPECT_EQ(per_iteration[i], 2) << "iteration " << i + 1;
  EXPECT_TRUE(stages->of("local_checkpoint").empty()) << "a local checkpoint ran a job";
}

// Executors are killed in the middle of long runs, after local checkpoints
// whose blocks they held: Pregel (connected components) and static PageRank
// start again from their input and give the same bits as without a kill.
TEST(ExecutorLoss, KilledMidPregelGivesTheSameBits) {
  SKIP_ON_CLUSTER("starts its own cluster");
  std::vector<Edge<int>> chain;
  for (VertexId v = 0; v + 1 < 90; ++v) chain.push_back({v + 1, v, 0});
  auto edges = random_edges(400, 2000, 9);
  auto run = [&](brasa::Context& ctx) {
    auto g = Graph<int, int>::from_edges(ctx.parallelize(chain, 4), 0);
    auto labels = brasa_test::sorted(brasa::graphx::connected_components(g).vertices().collect());
    auto r = Graph<int, int>::from_edges(ctx.parallelize(edges, 4), 0);
    auto ranks = brasa_test::sorted(brasa::graphx::page_rank(r, {.iterations = 40}).vertices().collect());
    return std::make_pair(labels, ranks);
  };
  auto local = brasa_test::make_context("local[2]");
  auto want = run(*local);
  auto cluster = brasa_test::make_context("local-cluster[3,1]");
  // After several local checkpoints (every other superstep and iteration),
  // and well before the end: the listener kills when it hears of the
  // iteration, which on a loaded machine is some iterations later.
  auto killer = std::make_shared<KillAtIterations>(
      *cluster, std::vector<std::pair<std::string, int>>{{"pregel", 20}, {"pagerank", 12}});
  cluster->runtime().events().add_listener(killer);
  auto got = run(*cluster);
  EXPECT_EQ(killer->kills(), 2u);
  EXPECT_EQ(got.first, want.first);
  EXPECT_TRUE(got.second == want.second) << "PageRank differs after the kill";
  EXPECT_EQ(cluster->runtime().cluster()->live_executors(), 1);
}
