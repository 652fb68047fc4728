// The algorithm library beyond PageRank and connected components:
// neighbourhoods, triangle counts, label propagation and shortest paths,
// each against a direct computation in the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/core_numbers.hpp>
#include <boost/graph/strong_components.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <queue>
#include <random>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "brasa/graphx/graphx.h"
#include "graphx_test_util.h"
#include "test_util.h"

namespace {

using brasa::graphx::Edge;
using brasa::graphx::EdgeDirection;
using brasa::graphx::Graph;
using brasa::graphx::VertexId;
using graphx_test::as_map;

// Random edges with self loops, parallel and antiparallel duplicates, and
// weights 1..9.
std::vector<Edge<int>> messy_edges(int vertices, int edges, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> pick(0, vertices - 1), weight(1, 9);
  std::vector<Edge<int>> out;
  for (int i = 0; i < edges; ++i) {
    VertexId a = pick(rng), b = pick(rng);
    out.push_back({a * 2 - 7, b * 2 - 7, weight(rng)});
    if (i % 13 == 0) out.push_back({b * 2 - 7, a * 2 - 7, weight(rng)});
  }
  return out;
}

std::set<VertexId> ids_of(const std::vector<Edge<int>>& edges) {
  std::set<VertexId> ids;
  for (const auto& e : edges) ids.insert({e.src, e.dst});
  return ids;
}

}  // namespace

TEST(Neighbors, IdsAndAttributesAlongEachDirection) {
  auto ctx = brasa_test::make_context();
  // 1 -> 2, 1 -> 3, 3 -> 1, 2 -> 2; 9 isolated.
  std::vector<std::pair<VertexId, int>> vertices{{1, 10}, {2, 20}, {3, 30}, {9, 90}};
  std::vector<Edge<int>> edges{{1, 2, 0}, {1, 3, 0}, {3, 1, 0}, {2, 2, 0}};
  auto g = Graph<int, int>::create(ctx->parallelize(vertices, 2), ctx->parallelize(edges, 2), 0);
  using Ids = std::vector<VertexId>;
  auto out = as_map(brasa::graphx::collect_neighbor_ids(g, EdgeDirection::Out).collect());
  EXPECT_EQ(out, (std::map<VertexId, Ids>{{1, {2, 3}}, {2, {2}}, {3, {1}}, {9, {}}}));
  auto in = as_map(brasa::graphx::collect_neighbor_ids(g, EdgeDirection::In).collect());
  EXPECT_EQ(in, (std::map<VertexId, Ids>{{1, {3}}, {2, {1, 2}}, {3, {1}}, {9, {}}}));
  auto either = as_map(brasa::graphx::collect_neighbor_ids(g, EdgeDirection::Either).collect());
  EXPECT_EQ(either, (std::map<VertexId, Ids>{{1, {2, 3, 3}}, {2, {1, 2, 2}}, {3, {1, 1}}, {9, {}}}));
  auto attrs = as_map(brasa::graphx::collect_neighbors(g, EdgeDirection::Out).collect());
  EXPECT_EQ(attrs[1], (std::vector<std::pair<VertexId, int>>{{2, 20}, {3, 30}}));
  EXPECT_TRUE(attrs[9].empty());
  EXPECT_THROW(brasa::graphx::collect_neighbor_ids(g, EdgeDirection::Both), std::invalid_argument);
}

TEST(TriangleCount, MatchesABruteForceCount) {
  auto ctx = brasa_test::make_context();
  auto edges = messy_edges(60, 400, 1);
  std::set<std::pair<VertexId, VertexId>> undirected;
  for (const auto& e : edges)
    if (e.src != e.dst) undirected.insert({std::min(e.src, e.dst), std::max(e.src, e.dst)});
  std::map<VertexId, std::set<VertexId>> adj;
  for (auto [a, b] : undirected) adj[a].insert(b), adj[b].insert(a);
  std::map<VertexId, int> want;
  for (VertexId v : ids_of(edges)) want[v] = 0;
  for (auto [a, b] : undirected)
    for (VertexId c : adj[a])
      if (c > b && adj[b].count(c)) ++want[a], ++want[b], ++want[c];
  std::vector<std::pair<VertexId, int>> isolated{{1000, 5}};
  auto g = Graph<int, int>::create(ctx->parallelize(isolated, 1), ctx->parallelize(edges, 3), 0);
  want[1000] = 0;
  for (int parts : {1, 4}) {
    auto counts =
        as_map(brasa::graphx::triangle_count(g.partition_by(brasa::graphx::PartitionStrategy::EdgePartition2D, parts))
                   .vertices()
                   .collect());
    EXPECT_EQ(counts, want) << parts << " partitions";
  }
}

TEST(LabelPropagation, MatchesASynchronousSimulation) {
  auto ctx = brasa_test::make_context();
  auto edges = messy_edges(50, 150, 2);
  std::map<VertexId, VertexId> label;
  for (VertexId v : ids_of(edges)) label[v] = v;
  for (int step = 0; step < 5; ++step) {
    std::map<VertexId, std::map<VertexId, int64_t>> counts;
    for (const auto& e : edges) {
      ++counts[e.src][label[e.dst]];
      ++counts[e.dst][label[e.src]];
    }
    std::map<VertexId, VertexId> next = label;
    for (auto& [v, c] : counts) {
      int64_t best = 0;
      for (auto [l, n] : c)
        if (n > best) best = n, next[v] = l;
    }
    label = next;
  }
  auto g = Graph<int, int>::from_edges(ctx->parallelize(edges, 3), 0);
  EXPECT_EQ(as_map(brasa::graphx::label_propagation(g, 5).vertices().collect()), label);
  EXPECT_THROW(brasa::graphx::label_propagation(g, 0), std::invalid_argument);
}

TEST(ShortestPaths, HopsToLandmarksAndWeightedDistances) {
  auto ctx = brasa_test::make_context();
  auto edges = messy_edges(80, 200, 3);
  auto g = Graph<int, int>::from_edges(ctx->parallelize(edges, 4), 0);
  auto ids = ids_of(edges);
  std::map<VertexId, std::vector<Edge<int>>> out, in;
  for (const auto& e : edges) out[e.src].push_back(e), in[e.dst].push_back(e);

  // Hops from each vertex to the landmarks: BFS from each landmark along reversed edges.
  std::vector<VertexId> landmarks{*ids.begin(), *std::next(ids.begin(), 5), 1001};
  std::map<VertexId, brasa::graphx::HopMap> want;
  for (VertexId v : ids) want[v] = {};
  for (VertexId l : landmarks) {
    if (!ids.count(l)) continue;
    std::map<VertexId, int> dist{{l, 0}};
    std::queue<VertexId> q;
    q.push(l);
    while (!q.empty()) {
      VertexId v = q.front();
      q.pop();
      for (const auto& e : in[v])
        if (!dist.count(e.src)) dist[e.src] = dist[v] + 1, q.push(e.src);
    }
    for (auto [v, d] : dist) want[v][l] = d;
  }
  EXPECT_EQ(as_map(brasa::graphx::shortest_paths(g, landmarks).vertices().collect()), want);

  // Dijkstra from the first vertex, with edge attributes as lengths.
  const VertexId source = *ids.begin();
  std::map<VertexId, double> dist;
  for (VertexId v : ids) dist[v] = std::numeric_limits<double>::infinity();
  dist[source] = 0;
  std::priority_queue<std::pair<double, VertexId>, std::vector<std::pair<double, VertexId>>, std::greater<>> pq;
  pq.push({0, source});
  while (!pq.empty()) {
    auto [d, v] = pq.top();
    pq.pop();
    if (d > dist[v]) continue;
    for (const auto& e : out[v])
      if (d + e.attr < dist[e.dst]) dist[e.dst] = d + e.attr, pq.push({dist[e.dst], e.dst});
  }
  EXPECT_EQ(as_map(brasa::graphx::sssp(g, source).vertices().collect()), dist);
  auto levels = as_map(brasa::graphx::bfs_levels(g, source).vertices().collect());
  for (auto [v, d] : levels) {
    if (std::isinf(dist[v])) {
      EXPECT_TRUE(std::isinf(d)) << v;
    } else {
      EXPECT_LE(d, dist[v]) << "hops never exceed the weighted length (weights >= 1)";
    }
  }
  EXPECT_EQ(levels[source], 0.0);
  auto negative = g.map_edges([](const Edge<int>& e) { return e.attr - 5; });  // weights 1..9: some below 0
  EXPECT_THROW(brasa::graphx::sssp(negative, source), std::invalid_argument);
}

namespace {

// GraphX's static personalized PageRank as a loop, ranks rescaled to sum to 1.
std::map<VertexId, double> personalized_loop(const std::vector<Edge<int>>& edges, VertexId source, int iterations,
                                             double reset) {
  std::map<VertexId, double> rank;
  std::map<VertexId, int> out;
  for (const auto& e : edges) {
    rank[e.src] = rank[e.dst] = 0.0;
    ++out[e.src];
  }
  rank[source] = 1.0;
  for (int i = 0; i < iterations; ++i) {
    std::map<VertexId, double> sum;
    for (const auto& e : edges) sum[e.dst] += rank[e.src] / out[e.src];
    for (auto& [v, r] : rank) r = (v == source ? reset : 0.0) + (1 - reset) * (sum.count(v) ? sum[v] : 0.0);
  }
  double total = 0;
  for (auto& [v, r] : rank) total += r;
  for (auto& [v, r] : rank) r /= total;
  return rank;
}

}  // namespace

TEST(PersonalizedPageRank, StaticDynamicAndParallelAgree) {
  auto ctx = brasa_test::make_context();
  auto edges = messy_edges(60, 300, 4);
  auto g = Graph<int, int>::from_edges(ctx->parallelize(edges, 3), 0);
  auto ids = ids_of(edges);
  const VertexId a = *ids.begin(), b = *std::next(ids.begin(), 7);
  for (VertexId source : {a, b}) {
    auto want = personalized_loop(edges, source, 15, 0.15);
    auto got = as_map(brasa::graphx::page_rank(g, {.iterations = 15, .source = source}).vertices().collect());
    ASSERT_EQ(got.size(), want.size());
    for (auto [v, r] : want) EXPECT_NEAR(got[v], r, 1e-12) << "static, vertex " << v;
    auto converged = personalized_loop(edges, source, 200, 0.15);
    auto dynamic = as_map(brasa::graphx::page_rank(g, {.tol = 1e-10, .source = source}).vertices().collect());
    for (auto [v, r] : converged) EXPECT_NEAR(dynamic[v], r, 1e-6) << "dynamic, vertex " << v;
  }
  auto parallel = as_map(brasa::graphx::parallel_personalized_page_rank(g, {a, b}, 15).vertices().collect());
  auto want_a = personalized_loop(edges, a, 15, 0.15), want_b = personalized_loop(edges, b, 15, 0.15);
  for (VertexId v : ids) {
    ASSERT_EQ(parallel[v].size(), 2u);
    EXPECT_NEAR(parallel[v][0], want_a[v], 1e-12) << v;
    EXPECT_NEAR(parallel[v][1], want_b[v], 1e-12) << v;
  }
  EXPECT_THROW(brasa::graphx::parallel_personalized_page_rank(g, {}, 5), std::invalid_argument);
}

// Strongly connected components against Boost.Graph's (Tarjan), labelled by
// their smallest vertex id; with cycles inside cycles, chains between them,
// self loops and a vertex with no edge.
TEST(StronglyConnectedComponents, MatchesBoostGraph) {
  auto ctx = brasa_test::make_context();
  std::mt19937_64 rng(17);
  std::vector<Edge<int>> edges;
  for (int i = 0; i < 600; ++i)
    edges.push_back({static_cast<VertexId>(rng() % 300), static_cast<VertexId>(rng() % 300), 0});
  for (VertexId v = 1000; v < 1040; ++v) edges.push_back({v, v + 1, 0});  // a chain: 41 singletons
  edges.push_back({1040, 1000, 0});                                       // ... closed into one cycle
  edges.push_back({2000, 2000, 0});
  std::map<VertexId, int> index;
  for (const auto& e : edges) index.emplace(e.src, 0), index.emplace(e.dst, 0);
  std::vector<VertexId> ids;
  for (auto& [v, i] : index) i = static_cast<int>(ids.size()), ids.push_back(v);
  boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS> g(ids.size());
  for (const auto& e : edges) boost::add_edge(index[e.src], index[e.dst], g);
  std::vector<int> comp(ids.size());
  const int count =
      boost::strong_components(g, boost::make_iterator_property_map(comp.begin(), boost::get(boost::vertex_index, g)));
  std::map<int, VertexId> smallest;
  for (size_t i = 0; i < ids.size(); ++i) {
    auto [it, fresh] = smallest.emplace(comp[i], ids[i]);
    if (!fresh) it->second = std::min(it->second, ids[i]);
  }
  std::map<VertexId, VertexId> want;
  for (size_t i = 0; i < ids.size(); ++i) want[ids[i]] = smallest[comp[i]];
  ASSERT_GT(count, 40);
  for (int parts : {1, 4}) {
    auto graph = Graph<int, int>::from_edges(ctx->parallelize(edges, parts), 0);
    EXPECT_EQ(as_map(brasa::graphx::strongly_connected_components(graph).vertices().collect()), want)
        << parts << " partitions";
  }
  EXPECT_THROW(
      brasa::graphx::strongly_connected_components(Graph<int, int>::from_edges(ctx->parallelize(edges, 1), 0), 0),
      std::invalid_argument);
}

// Core numbers against Boost.Graph's core_numbers on the simple undirected
// graph (self loops dropped, parallel and antiparallel edges once), across
// partition counts; and a hand-made graph: a 4-clique with a tail and an
// isolated vertex.
TEST(KCore, CoreNumbersMatchBoostGraph) {
  auto ctx = brasa_test::make_context();
  auto edges = messy_edges(120, 500, 23);
  for (VertexId v = 500; v < 505; ++v) edges.push_back({v, v + 1, 1});  // a path: core 1
  std::set<std::pair<VertexId, VertexId>> simple;
  for (const auto& e : edges)
    if (e.src != e.dst) simple.insert({std::min(e.src, e.dst), std::max(e.src, e.dst)});
  const auto ids = ids_of(edges);
  std::map<VertexId, int> index;
  for (VertexId v : ids) index.emplace(v, static_cast<int>(index.size()));
  boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS> g(ids.size());
  for (const auto& [a, b] : simple) boost::add_edge(index[a], index[b], g);
  std::vector<int> core(ids.size());
  boost::core_numbers(g, boost::make_iterator_property_map(core.begin(), boost::get(boost::vertex_index, g)));
  std::map<VertexId, int> want;
  for (const auto& [v, i] : index) want[v] = core[static_cast<size_t>(i)];
  ASSERT_GT(*std::max_element(core.begin(), core.end()), 3);
  for (int parts : {1, 4}) {
    auto graph = Graph<int, int>::from_edges(ctx->parallelize(edges, parts), 0);
    EXPECT_EQ(as_map(brasa::graphx::core_numbers(graph).vertices().collect()), want) << parts << " partitions";
  }

  // 1-2-3-4 all joined (core 3), 4-5-6 a tail (core 1), 7 alone (core 0), 8 with only a self loop.
  std::vector<Edge<int>> small{{1, 2, 0}, {1, 3, 0}, {1, 4, 0}, {2, 3, 0}, {2, 4, 0}, {3, 4, 0},
                               {4, 5, 0}, {5, 6, 0}, {2, 1, 0}, {8, 8, 0}};
  std::vector<std::pair<VertexId, int>> vertices{{7, 70}};
  for (VertexId v = 1; v <= 8; ++v)
    if (v != 7) vertices.push_back({v, static_cast<int>(v) * 10});
  auto graph = Graph<int, int>::create(ctx->parallelize(vertices, 2), ctx->parallelize(small, 3), 0);
  EXPECT_EQ(as_map(brasa::graphx::core_numbers(graph).vertices().collect()),
            (std::map<VertexId, int>{{1, 3}, {2, 3}, {3, 3}, {4, 3}, {5, 1}, {6, 1}, {7, 0}, {8, 0}}));
  auto three = brasa::graphx::k_core(graph, 3);
  EXPECT_EQ(as_map(three.vertices().collect()), (std::map<VertexId, int>{{1, 10}, {2, 20}, {3, 30}, {4, 40}}));
  EXPECT_EQ(three.num_edges(), 7);  // the clique's six edges, 1-2 twice
  EXPECT_EQ(brasa::graphx::k_core(graph, 0).num_vertices(), 8);
  EXPECT_EQ(brasa::graphx::k_core(graph, 4).num_vertices(), 0);
  EXPECT_THROW(brasa::graphx::k_core(graph, -1), std::invalid_argument);
  EXPECT_THROW(brasa::graphx::core_numbers(graph, 0), std::invalid_argument);
}

// mask keeps this graph's vertices and edges that the other graph has,
// with this graph's attributes, whatever either graph's partitioning.
TEST(GraphOperators, MaskKeepsWhatTheOtherGraphHas) {
  auto ctx = brasa_test::make_context();
  auto edges = messy_edges(60, 300, 29);
  auto graph = Graph<int, int>::from_edges(ctx->parallelize(edges, 3), 0).map_vertices([](VertexId id, int) {
    return static_cast<int>(id) * 2;
  });
  // The other graph: the edges with an even source, partitioned its own way, other attributes.
  std::vector<Edge<int>> even;
  for (const auto& e : edges)
    if (e.src % 2 == 0) even.push_back({e.src, e.dst, -1});
  auto other = Graph<char, int>::from_edges(ctx->parallelize(even, 5), 'x')
                   .partition_by(brasa::graphx::PartitionStrategy::EdgePartition2D, 2);
  auto masked = graph.mask(other);
  std::map<VertexId, int> want_vertices;
  for (VertexId v : ids_of(even)) want_vertices[v] = static_cast<int>(v) * 2;
  EXPECT_EQ(as_map(masked.vertices().collect()), want_vertices);
  std::multiset<std::tuple<VertexId, VertexId, int>> want_edges, got_edges;
  for (const auto& e : edges)
    if (e.src % 2 == 0) want_edges.insert({e.src, e.dst, e.attr});
  for (const auto& e : masked.edges().collect()) got_edges.insert({e.src, e.dst, e.attr});
  EXPECT_EQ(got_edges, want_edges);
  EXPECT_EQ(graph.mask(graph).num_edges(), static_cast<int64_t>(edges.size()));
}

// group_edges merges the edges with the same ends into one, also when the
// duplicates sit in different partitions.
TEST(GraphOperators, GroupEdgesMergesDuplicatesAcrossPartitions) {
  auto ctx = brasa_test::make_context();
  auto edges = messy_edges(30, 400, 31);
  std::map<std::pair<VertexId, VertexId>, int> want;
  for (const auto& e : edges) want[{e.src, e.dst}] += e.attr;
  ASSERT_LT(want.size(), edges.size());
  for (int parts : {1, 4}) {
    auto graph = Graph<int, int>::from_edges(ctx->parallelize(edges, parts), 0);
    auto grouped = graph.group_edges([](int a, int b) { return a + b; });
    std::map<std::pair<VertexId, VertexId>, int> got;
    for (const auto& e : grouped.edges().collect()) EXPECT_TRUE(got.emplace(std::pair{e.src, e.dst}, e.attr).second);
    EXPECT_EQ(got, want) << parts << " partitions";
    EXPECT_EQ(grouped.num_vertices(), graph.num_vertices());
    EXPECT_EQ(grouped.edge_partitions().num_partitions(), parts);
  }
}

// SVD++ against the same rounds written as a loop over the ratings (users
// 1..8, items 101..106), and GraphX's argument checks.
TEST(SvdPlusPlus, MatchesTheRoundsWrittenAsALoop) {
  auto ctx = brasa_test::make_context();
  std::mt19937_64 rng(12);
  std::vector<Edge<double>> ratings;
  for (VertexId u = 1; u <= 8; ++u)
    for (VertexId i = 101; i <= 106; ++i)
      if (rng() % 3 != 0) ratings.push_back({u, i, static_cast<double>(1 + rng() % 5)});
  brasa::graphx::SvdPlusPlusOptions o;
  o.rank = 4;
  o.max_iterations = 3;
  o.seed = 9;

  // The loop: GraphX's phases, each reading the state the last one left.
  using State = brasa::graphx::SvdPlusPlusVertex;
  double total = 0;
  for (const auto& e : ratings) total += e.attr;
  const double mean = total / static_cast<double>(ratings.size());
  State start;
  std::mt19937_64 init(o.seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int k = 0; k < o.rank; ++k) start.p.push_back(uniform(init));
  for (int k = 0; k < o.rank; ++k) start.y.push_back(uniform(init));
  std::map<VertexId, State> s;
  std::map<VertexId, std::pair<int, double>> seen;
  for (const auto& e : ratings) {
    for (VertexId v : {e.src, e.dst}) {
      s.emplace(v, start);
      seen[v].first += 1;
      seen[v].second += e.attr;
    }
  }
  for (auto& [v, st] : s) {
    st.bias = seen[v].second / seen[v].first - mean;
    st.norm = 1.0 / std::sqrt(static_cast<double>(seen[v].first));
  }
  auto predict = [&](const State& usr, const State& itm) {
    double pred = mean + usr.bias + itm.bias;
    for (int k = 0; k < o.rank; ++k) pred += itm.p[k] * usr.y[k];
    return std::min(std::max(pred, o.min_val), o.max_val);
  };
  for (int it = 0; it < o.max_iterations; ++it) {
    std::map<VertexId, std::vector<double>> sums;
    for (const auto& e : ratings) {
      auto& sum = sums.try_emplace(e.src, o.rank, 0.0).first->second;
      for (int k = 0; k < o.rank; ++k) sum[k] += s[e.dst].y[k];
    }
    for (auto& [u, sum] : sums) {
      s[u].y = s[u].p;
      for (int k = 0; k < o.rank; ++k) s[u].y[k] += s[u].norm * sum[k];
    }
    std::map<VertexId, State> update;  // p, y and bias increments
    for (const auto& e : ratings) {
      const State& usr = s[e.src];
      const State& itm = s[e.dst];
      const double err = e.attr - predict(usr, itm);
      auto& du = update.try_emplace(e.src, State{std::vector<double>(o.rank), std::vector<double>(o.rank), 0, 0})
                     .first->second;
      auto& di = update.try_emplace(e.dst, State{std::vector<double>(o.rank), std::vector<double>(o.rank), 0, 0})
                     .first->second;
      for (int k = 0; k < o.rank; ++k) {
        du.p[k] += (err * itm.p[k] - o.gamma7 * usr.p[k]) * o.gamma2;
        di.p[k] += (err * usr.y[k] - o.gamma7 * itm.p[k]) * o.gamma2;
        const double dy = (err * usr.norm * itm.p[k] - o.gamma7 * itm.y[k]) * o.gamma2;
        du.y[k] += dy;
        di.y[k] += dy;
      }
      du.bias += (err - o.gamma6 * usr.bias) * o.gamma1;
      di.bias += (err - o.gamma6 * itm.bias) * o.gamma1;
    }
    for (auto& [v, d] : update) {
      for (int k = 0; k < o.rank; ++k) s[v].p[k] += d.p[k], s[v].y[k] += d.y[k];
      s[v].bias += d.bias;
    }
  }
  std::map<VertexId, double> squared;
  for (const auto& e : ratings) {
    const double err = e.attr - predict(s[e.src], s[e.dst]);
    squared[e.dst] += err * err;
  }
  for (auto& [i, sq] : squared) s[i].norm = sq;

  for (int parts : {1, 3}) {
    auto [model, got_mean] = brasa::graphx::svd_plus_plus(ctx->parallelize(ratings, parts), o);
    EXPECT_NEAR(got_mean, mean, 1e-12);
    auto got = as_map(model.vertices().collect());
    ASSERT_EQ(got.size(), s.size());
    for (const auto& [v, want] : s) {
      SCOPED_TRACE("vertex " + std::to_string(v) + ", " + std::to_string(parts) + " partitions");
      EXPECT_NEAR(got[v].bias, want.bias, 1e-9);
      EXPECT_NEAR(got[v].norm, want.norm, 1e-9);
      for (int k = 0; k < o.rank; ++k) {
        EXPECT_NEAR(got[v].p[k], want.p[k], 1e-9);
        EXPECT_NEAR(got[v].y[k], want.y[k], 1e-9);
      }
    }
    EXPECT_EQ(model.num_edges(), static_cast<int64_t>(ratings.size()));
  }
  auto bad = o;
  bad.max_val = bad.min_val;
  EXPECT_THROW(brasa::graphx::svd_plus_plus(ctx->parallelize(ratings, 1), bad), std::invalid_argument);
  bad = o;
  bad.max_iterations = 0;
  EXPECT_THROW(brasa::graphx::svd_plus_plus(ctx->parallelize(ratings, 1), bad), std::invalid_argument);
  EXPECT_THROW(brasa::graphx::svd_plus_plus(ctx->parallelize(std::vector<Edge<double>>{}, 1), o),
               std::invalid_argument);
}
