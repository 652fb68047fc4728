// Graph construction, structure queries and the operators graph algorithms
// are built from, on small graphs with answers worked out by hand and on
// random graphs against plain loops.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "brasa/graphx/graphx.h"
#include "graphx_test_util.h"
#include "test_util.h"

namespace {

using brasa::graphx::Edge;
using brasa::graphx::EdgeTriplet;
using brasa::graphx::Graph;
using brasa::graphx::PartitionStrategy;
using brasa::graphx::TripletFields;
using brasa::graphx::VertexId;
using graphx_test::as_map;

constexpr VertexId kBig = 3000000000LL;  // above 2^31

std::vector<Edge<int>> small_edges() {
  // -5 -> 0, 0 -> kBig, kBig -> 0, 0 -> 7, 7 -> 7 (self loop), 0 -> kBig again (parallel)
  return {{-5, 0, 1}, {0, kBig, 2}, {kBig, 0, 3}, {0, 7, 4}, {7, 7, 5}, {0, kBig, 6}};
}

TEST(Graph, FromEdgesHasEveryEndOnceWithTheDefault) {
  auto ctx = brasa_test::make_context();
  auto g = Graph<double, int>::from_edges(ctx->parallelize(small_edges(), 3), 2.5);
  EXPECT_EQ(g.num_edges(), 6);
  EXPECT_EQ(g.num_vertices(), 4);
  EXPECT_EQ(as_map(g.vertices().collect()), (std::map<VertexId, double>{{-5, 2.5}, {0, 2.5}, {7, 2.5}, {kBig, 2.5}}));
  auto edges = brasa_test::sorted(g.edges().collect());
  auto expected = brasa_test::sorted(small_edges());
  EXPECT_EQ(edges, expected);
}

TEST(Graph, DegreesOmitDegreeZeroAndCountParallelEdgesAndLoops) {
  auto ctx = brasa_test::make_context();
  auto g = Graph<int, int>::from_edges(ctx->parallelize(small_edges(), 2), 0);
  EXPECT_EQ(as_map(g.out_degrees().collect()), (std::map<VertexId, int>{{-5, 1}, {0, 3}, {kBig, 1}, {7, 1}}));
  EXPECT_EQ(as_map(g.in_degrees().collect()), (std::map<VertexId, int>{{0, 2}, {kBig, 2}, {7, 2}}));
  EXPECT_EQ(as_map(g.degrees().collect()), (std::map<VertexId, int>{{-5, 1}, {0, 5}, {kBig, 3}, {7, 3}}));
}

TEST(Graph, CreateKeepsIsolatedVerticesAndDefaultsMissingOnes) {
  auto ctx = brasa_test::make_context();
  std::vector<std::pair<VertexId, int>> vertices{{1, 10}, {2, 20}, {99, 990}};  // 99 has no edges
  std::vector<Edge<int>> edges{{1, 2, 0}, {2, 3, 0}};                           // 3 is not among the vertices
  auto g = Graph<int, int>::create(ctx->parallelize(vertices, 2), ctx->parallelize(edges, 2), -1);
  EXPECT_EQ(as_map(g.vertices().collect()), (std::map<VertexId, int>{{1, 10}, {2, 20}, {3, -1}, {99, 990}}));
  EXPECT_EQ(g.num_vertices(), 4);
  EXPECT_EQ(as_map(g.out_degrees().collect()), (std::map<VertexId, int>{{1, 1}, {2, 1}}));
}

TEST(Graph, TripletsCarryBothEnds) {
  auto ctx = brasa_test::make_context();
  auto g = Graph<int, int>::from_edges(ctx->parallelize(small_edges(), 3), 0)
               .map_vertices([](VertexId id, int) { return static_cast<int>(id % 1000); });
  auto t = g.triplets().collect();
  ASSERT_EQ(t.size(), 6u);
  for (const auto& x : t) {
    EXPECT_EQ(x.src_attr, static_cast<int>(x.src % 1000));
    EXPECT_EQ(x.dst_attr, static_cast<int>(x.dst % 1000));
  }
  std::multiset<int> attrs;
  for (const auto& x : t) attrs.insert(x.attr);
  EXPECT_EQ(attrs, (std::multiset<int>{1, 2, 3, 4, 5, 6}));
}

TEST(Graph, MapEdgesMapTripletsAndReverse) {
  auto ctx = brasa_test::make_context();
  auto g = Graph<int, int>::from_edges(ctx->parallelize(small_edges(), 2), 3);
  auto doubled = g.map_edges([](const Edge<int>& e) { return e.attr * 2.0; });
  std::multiset<double> attrs;
  for (const auto& e : doubled.edges().collect()) attrs.insert(e.attr);
  EXPECT_EQ(attrs, (std::multiset<double>{2, 4, 6, 8, 10, 12}));
  auto sums = g.map_triplets([](const EdgeTriplet<int, int>& t) { return t.src_attr + t.dst_attr + t.attr; });
  std::multiset<int> s;
  for (const auto& e : sums.edges().collect()) s.insert(e.attr);
  EXPECT_EQ(s, (std::multiset<int>{7, 8, 9, 10, 11, 12}));
  auto r = brasa_test::sorted(g.reverse().edges().collect());
  std::vector<Edge<int>> expected;
  for (auto e : small_edges()) expected.push_back({e.dst, e.src, e.attr});
  EXPECT_EQ(r, brasa_test::sorted(expected));
  // Reversing swaps in- and out-degrees.
  EXPECT_EQ(as_map(g.reverse().out_degrees().collect()), as_map(g.in_degrees().collect()));
}

TEST(SourceColumn, StepsOfEveryWidthDecodeAndRoundTrip) {
  // A far first source, then steps of 0, 254, 255, 256 and 1.
  const std::vector<int32_t> sources{300, 300, 554, 809, 1065, 1066};
  brasa::graphx::SourceColumn c;
  for (int32_t x : sources) c.push_back(x);
  EXPECT_EQ(c.decode(), sources);
  EXPECT_EQ(c.far, (std::vector<int32_t>{300, 809, 1065}));  // the steps of 300, 255 and 256
  std::string bytes;
  brasa::ByteWriter(&bytes).write(c);
  brasa::ByteReader r(bytes);
  auto back = r.read<brasa::graphx::SourceColumn>();
  EXPECT_EQ(back.decode(), sources);
  back.push_back(1070);  // goes on from the last source
  EXPECT_EQ(back.decode().back(), 1070);
  // A marker without its far source is refused, not read past the end.
  c.far.pop_back();
  bytes.clear();
  brasa::ByteWriter(&bytes).write(c);
  brasa::ByteReader bad(bytes);
  EXPECT_THROW(bad.read<brasa::graphx::SourceColumn>(), std::runtime_error);
}

TEST(SharedArray, SlicesShareTheArrayAndEncodeAsVectors) {
  using brasa::graphx::SharedArray;
  int64_t* out = nullptr;
  auto all = SharedArray<int64_t>::for_overwrite(6, &out);
  for (int64_t i = 0; i < 6; ++i) out[i] = 10 * i;
  auto middle = all.slice(2, 3);
  EXPECT_EQ(middle.size(), 3u);
  EXPECT_EQ(middle.data(), all.data() + 2) << "a slice is a view, not a copy";
  EXPECT_EQ(middle, SharedArray<int64_t>(std::vector<int64_t>{20, 30, 40}));
  EXPECT_EQ(middle.heap_bytes(), 3 * sizeof(int64_t));
  all = SharedArray<int64_t>();  // the slice keeps the array alive
  EXPECT_EQ(middle[2], 40);
  // Encoded, a slice is its elements as a std::vector; decoded, an array.
  std::string bytes;
  brasa::ByteWriter(&bytes).write(middle);
  EXPECT_EQ(brasa::ByteReader(bytes).read<std::vector<int64_t>>(), (std::vector<int64_t>{20, 30, 40}));
  auto back = brasa::ByteReader(bytes).read<SharedArray<int64_t>>();
  EXPECT_EQ(back, middle);
  EXPECT_FALSE(back.same(middle));
  bytes.resize(bytes.size() - 1);  // truncated: refused
  EXPECT_THROW(brasa::ByteReader(bytes).read<SharedArray<int64_t>>(), std::runtime_error);
  // Moved from, an array is empty; records holding vectors count them.
  SharedArray<std::vector<double>> vectors(std::vector<std::vector<double>>{{1, 2, 3}, {}});
  EXPECT_GE(vectors.heap_bytes(), 2 * sizeof(std::vector<double>) + 3 * sizeof(double));
  auto moved = std::move(vectors);
  EXPECT_EQ(moved.size(), 2u);
  EXPECT_TRUE(vectors.empty());  // NOLINT(bugprone-use-after-move): what is tested
}

// A graph keeps the attributes it shipped (as GraphX keeps its replicated
// vertex view): a second aggregation over it reads them again instead of
// gathering and shipping them anew, until it is unpersisted.
TEST(Graph, ASecondAggregationReusesTheShippedAttributes) {
  auto ctx = brasa_test::make_context();
  std::vector<Edge<int>> edges;
  for (int i = 0; i < 500; ++i) edges.push_back({i % 37, (i * 7) % 41, 1});
  auto g = Graph<double, int>::from_edges(ctx->parallelize(edges, 3), 0).map_vertices([](VertexId id, double) {
    return static_cast<double>(id);
  });
  g.cache();
  g.num_edges();
  auto sums = [&] {
    return as_map(g.aggregate_messages<double>([](auto& c) { c.send_to_dst(c.src_attr()); },
                                               [](double a, double b) { return a + b; }, TripletFields::src())
                      .collect());
  };
  std::map<VertexId, double> expected;
  for (const auto& e : edges) expected[e.dst] += static_cast<double>(e.src);
  g.degrees().count();  // builds the routing tables, kept with the graph's structure
  EXPECT_EQ(sums(), expected);
  const int first = ctx->last_job().stages_run;
  EXPECT_EQ(sums(), expected);
  EXPECT_EQ(ctx->last_job().stages_run, first - 1) << "the attributes were gathered and shipped again";
  auto copy = g;  // copies share what was shipped
  EXPECT_EQ(as_map(copy.aggregate_messages<double>([](auto& c) { c.send_to_dst(c.src_attr()); },
                                                   [](double a, double b) { return a + b; }, TripletFields::src())
                       .collect()),
            expected);
  EXPECT_EQ(ctx->last_job().stages_run, first - 1);
  g.unpersist();  // lets go of them too
  g.cache();
  EXPECT_EQ(sums(), expected);
  EXPECT_GE(ctx->last_job().stages_run, first);
}

// With one vertex partition, local indices follow the ids: the sources 1,
// 300 and 599 among the destinations 1..600 are 299 apart, steps too wide
// for a byte.
std::vector<Edge<int>> far_step_edges() {
  std::vector<Edge<int>> out;
  for (int v = 1; v <= 600; ++v) out.push_back({1000, v, v});
  for (int v = 1; v <= 300; ++v) out.push_back({kBig, v, -v});
  out.push_back({0, kBig, 7});
  for (int v = 1; v <= 600; v += 299) out.push_back({v, 0, 100 + v});
  return out;
}

TEST(EdgePartition, SourcesAsStepsKeepEveryEdgeInOrder) {
  const auto edges = far_step_edges();
  for (int vertex_partitions : {1, 3}) {
    auto p = brasa::graphx::EdgePartition<int>::build(edges, vertex_partitions);
    ASSERT_EQ(p.size(), edges.size());
    if (vertex_partitions == 1) {
      EXPECT_EQ(p.src.far.size(), 2u);  // 1 -> 300 and 300 -> 599
    }
    // Each route is the slice of its vertex partition's vertices, ascending by id.
    brasa::Partitioner by_vertex = brasa::Partitioner::hash(vertex_partitions);
    for (size_t r = 0; r < p.num_routes(); ++r)
      for (size_t k = 0; k < p.route_size(r); ++k) {
        const VertexId id = p.local_to_global[p.route_begin(r) + k];
        EXPECT_EQ(by_vertex.partition_of(id), static_cast<int>(r));
        if (k > 0) {
          EXPECT_LT(p.local_to_global[p.route_begin(r) + k - 1], id);
        }
      }
    auto walk = [](const brasa::graphx::EdgePartition<int>& q) {
      std::vector<Edge<int>> out;
      int32_t last = -1;
      q.each_edge([&](size_t e, int32_t s, int32_t d) {
        EXPECT_LE(last, s);  // sorted by local source
        last = s;
        out.push_back({q.local_to_global[static_cast<size_t>(s)], q.local_to_global[static_cast<size_t>(d)], q.attr[e]});
      });
      return out;
    };
    const auto walked = walk(p);
    EXPECT_EQ(brasa_test::sorted(walked), brasa_test::sorted(edges));
    // Serialized, as a shuffle or a checkpoint stores it: the same edges in the same order.
    std::string bytes;
    brasa::ByteWriter(&bytes).write(p);
    brasa::ByteReader r(bytes);
    EXPECT_EQ(walk(r.read<brasa::graphx::EdgePartition<int>>()), walked);
    // A destination out of range is refused when read.
    auto broken = p;
    broken.dst[3] = static_cast<int32_t>(p.num_vertices());
    bytes.clear();
    brasa::ByteWriter(&bytes).write(broken);
    brasa::ByteReader bad(bytes);
    EXPECT_THROW(bad.read<brasa::graphx::EdgePartition<int>>(), std::runtime_error);
  }
  // The graph operators that walk sources.
  auto ctx = brasa_test::make_context();
  auto g = Graph<int, int>::from_edges(ctx->parallelize(edges, 2), 0)
               .map_vertices([](VertexId id, int) { return static_cast<int>(id % 1000); });
  EXPECT_EQ(brasa_test::sorted(g.edges().collect()), brasa_test::sorted(edges));
  std::map<VertexId, int> out_degree;
  for (const auto& e : edges) ++out_degree[e.src];
  EXPECT_EQ(as_map(g.out_degrees().collect()), out_degree);
  for (const auto& t : g.triplets().collect()) {
    EXPECT_EQ(t.src_attr, static_cast<int>(t.src % 1000));
    EXPECT_EQ(t.dst_attr, static_cast<int>(t.dst % 1000));
  }
}

// A scan keeps its arrays from one partition to the next (per thread) and
// resets only the slices no shipped block overwrites: a scan of a small
// graph after one of a larger graph, whose routes partly get no block,
// sees only its own attributes.
TEST(Graph, AScanAfterAnotherGraphsSeesOnlyItsOwnAttributes) {
  auto ctx = brasa_test::make_context();
  auto sum_of_sources = [](const Graph<double, int>& g) {
    return as_map(g.aggregate_messages<double>([](auto& c) { c.send_to_dst(c.src_attr()); },
                                               [](double a, double b) { return a + b; }, TripletFields::src())
                      .collect());
  };
  auto expected_of = [](const std::vector<Edge<int>>& edges, double scale) {
    std::map<VertexId, double> out;
    for (const auto& e : edges) out[e.dst] += static_cast<double>(e.src) * scale;
    return out;
  };
  std::vector<Edge<int>> big;
  for (int i = 0; i < 3000; ++i) big.push_back({(i * 7919) % 997, (i * 104729) % 991, 0});
  auto g1 = Graph<double, int>::from_edges(ctx->parallelize(big, 3), 0).map_vertices([](VertexId id, double) {
    return static_cast<double>(id) * 1000.0;
  });
  EXPECT_EQ(sum_of_sources(g1), expected_of(big, 1000.0));
  // Sources in one or two vertex partitions only: most routes ship nothing.
  const std::vector<Edge<int>> small{{2, 5, 0}, {2, 900, 0}, {2, 17, 0}, {3, 2, 0}};
  auto g2 = Graph<double, int>::from_edges(ctx->parallelize(small, 3), 0).map_vertices([](VertexId id, double) {
    return static_cast<double>(id);
  });
  EXPECT_EQ(sum_of_sources(g2), expected_of(small, 1.0));
}

// GraphX's subgraph: vertices by vpred, edges by epred and both ends kept.
TEST(Graph, SubgraphKeepsVerticesByPredicateAndEdgesBetweenThem) {
  auto ctx = brasa_test::make_context();
  auto g = Graph<int, int>::from_edges(ctx->parallelize(small_edges(), 3), 0)
               .map_vertices([](VertexId id, int) { return id == 7 ? -1 : 1; });
  auto sub = g.subgraph([](const EdgeTriplet<int, int>& t) { return t.attr != 6; },
                        [](VertexId, int attr) { return attr > 0; });
  EXPECT_EQ(as_map(sub.vertices().collect()), (std::map<VertexId, int>{{-5, 1}, {0, 1}, {kBig, 1}}));
  EXPECT_EQ(brasa_test::sorted(sub.edges().collect()),
            (std::vector<Edge<int>>{{-5, 0, 1}, {0, kBig, 2}, {kBig, 0, 3}}));
  // The subgraph is a graph like any other: messages reach its vertices only.
  EXPECT_EQ(as_map(sub.in_degrees().collect()), (std::map<VertexId, int>{{0, 2}, {kBig, 1}}));
  EXPECT_EQ(as_map(brasa::graphx::connected_components(sub).vertices().collect()),
            (std::map<VertexId, VertexId>{{-5, -5}, {0, -5}, {kBig, -5}}));
}

// A random multigraph with self loops, on ids spread over negative and
// large values.
std::vector<Edge<int>> random_edges(int vertices, int edges, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> pick(0, vertices - 1);
  std::vector<Edge<int>> out;
  auto id = [](int v) { return static_cast<VertexId>(v) * 7919 - 20000 + (v % 3 == 0 ? kBig : 0); };
  for (int i = 0; i < edges; ++i) out.push_back({id(pick(rng)), id(pick(rng)), i % 5});
  return out;
}

TEST(Graph, AggregateMessagesMatchesALoopForEveryLayout) {
  auto ctx = brasa_test::make_context();
  auto edges = random_edges(300, 2000, 1);
  std::map<VertexId, int64_t> expected;  // per vertex: sum of in-neighbour ids % 1000 + edge attrs
  for (const auto& e : edges) expected[e.dst] += e.src % 1000 + e.attr;
  std::map<VertexId, int64_t> expected_back;  // per vertex: sum of out-neighbour ids % 1000
  int64_t expected_mapped = 0;
  for (const auto& e : edges) {
    expected_back[e.src] += e.dst % 1000;
    expected_mapped += e.src % 1000 * 1000 + e.attr;
  }
  for (int parts : {1, 3, 8}) {
    auto base = Graph<int64_t, int>::from_edges(ctx->parallelize(edges, parts), 0)
                    .map_vertices([](VertexId id, int64_t) { return static_cast<int64_t>(id % 1000); });
    for (auto strategy : {PartitionStrategy::EdgePartition1D, PartitionStrategy::EdgePartition2D,
                          PartitionStrategy::RandomVertexCut, PartitionStrategy::CanonicalRandomVertexCut}) {
      auto g = base.partition_by(strategy, parts);
      auto got = g.aggregate_messages<int64_t>(
          [](auto& c) { c.send_to_dst(c.src_attr() + c.attr()); }, [](int64_t a, int64_t b) { return a + b; },
          TripletFields::src());
      EXPECT_EQ(as_map(got.collect()), expected) << parts << " partitions, strategy " << static_cast<int>(strategy);
      EXPECT_EQ(g.num_edges(), 2000);
      // Only the destinations' attributes shipped (the sources' are not read).
      auto back = g.aggregate_messages<int64_t>([](auto& c) { c.send_to_src(c.dst_attr()); },
                                                [](int64_t a, int64_t b) { return a + b; }, TripletFields::dst());
      EXPECT_EQ(as_map(back.collect()), expected_back) << parts << " partitions";
      int64_t mapped = 0;
      for (const auto& e : g.map_triplets([](const auto& t) { return t.src_attr * 1000 + t.attr; }, TripletFields::src())
                               .edges()
                               .collect())
        mapped += e.attr;
      EXPECT_EQ(mapped, expected_mapped) << parts << " partitions";
    }
  }
}

// A merge that declares its identity (the scan then merges without a test).
struct PlusWithIdentity {
  int64_t operator()(int64_t a, int64_t b) const { return a + b; }
  int64_t identity() const { return 0; }
};

// Leaves 1..200 -> hub 0, and a path through the leaves.
std::vector<Edge<int>> hub_and_path() {
  std::vector<Edge<int>> edges;
  for (VertexId v = 1; v <= 200; ++v) {
    edges.push_back({v, 0, 1});
    if (v < 200) edges.push_back({v, v + 1, 1});
  }
  return edges;
}

// When few of a block's vertices get a message, the block travels sparse
// (positions and values); blocks from every edge partition merged into
// one vertex give the dense blocks' answer, whether or not the merge
// declares an identity, and the vertices without a message stay absent.
TEST(Graph, SparseMessageBlocksMergeLikeDenseOnes) {
  auto ctx = brasa_test::make_context();
  auto g = Graph<int, int>::from_edges(ctx->parallelize(hub_and_path(), 4), 0);
  const std::map<VertexId, int64_t> hub_only{{0, 200 * 201 / 2}};
  auto to_hub = [](auto& c) {
    if (c.dst_id() == 0) c.send_to_dst(c.src_id());
  };
  EXPECT_EQ(as_map(g.aggregate_messages<int64_t>(to_hub, PlusWithIdentity{}, TripletFields::none()).collect()),
            hub_only);
  EXPECT_EQ(as_map(g.aggregate_messages<int64_t>(to_hub, [](int64_t a, int64_t b) { return a + b; },
                                                 TripletFields::none())
                       .collect()),
            hub_only);
  // Every path vertex gets a message too: dense blocks, the same sums.
  std::map<VertexId, int64_t> everyone = hub_only;
  for (VertexId v = 2; v <= 200; ++v) everyone[v] = v - 1;
  auto to_all = [](auto& c) { c.send_to_dst(c.src_id()); };
  EXPECT_EQ(as_map(g.aggregate_messages<int64_t>(to_all, PlusWithIdentity{}, TripletFields::none()).collect()),
            everyone);
}

// Send functions that declare the ends every edge sends to: the scan
// counts their messages instead of recording who received one.
struct SourceIdToEveryDestination {
  uint8_t sends_on_every_edge() const { return brasa::graphx::kDestination; }
  template <class Ctx> void operator()(Ctx& c) const { c.send_to_dst(c.src_id()); }
};
struct SourceIdToTheHubOnly {  // declares what it does not do
  uint8_t sends_on_every_edge() const { return brasa::graphx::kDestination; }
  template <class Ctx> void operator()(Ctx& c) const {
    if (c.dst_id() == 0) c.send_to_dst(c.src_id());
  }
};

// A declared send function gets the answer of an undeclared one (and
// vertices that are nobody's destination stay absent); a declaration the
// function breaks fails the job with a message that names it.
TEST(Graph, SendsOnEveryEdgeIsCheckedNotTrusted) {
  auto ctx = brasa_test::make_context();
  auto g = Graph<int, int>::from_edges(ctx->parallelize(hub_and_path(), 4), 0);
  std::map<VertexId, int64_t> everyone{{0, 200 * 201 / 2}};
  for (VertexId v = 2; v <= 200; ++v) everyone[v] = v - 1;
  EXPECT_EQ(as_map(g.aggregate_messages<int64_t>(SourceIdToEveryDestination{}, PlusWithIdentity{},
                                                 TripletFields::none())
                       .collect()),
            everyone);
  try {
    g.aggregate_messages<int64_t>(SourceIdToTheHubOnly{}, PlusWithIdentity{}, TripletFields::none()).collect();
    ADD_FAILURE() << "a broken sends_on_every_edge() declaration was trusted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("sends_on_every_edge"), std::string::npos) << e.what();
  }
  // Degrees declare theirs too.
  auto in = as_map(g.in_degrees().collect());
  EXPECT_EQ(in.size(), 200u);
  EXPECT_EQ(in.at(0), 200);
  EXPECT_EQ(in.at(2), 1);
  EXPECT_EQ(in.count(1), 0u);
}

TEST(PartitionStrategy, PartitionsInRangeAnd2DBoundsReplication) {
  for (int n : {1, 2, 7, 9, 16}) {
    for (auto s : {PartitionStrategy::EdgePartition1D, PartitionStrategy::EdgePartition2D,
                   PartitionStrategy::RandomVertexCut, PartitionStrategy::CanonicalRandomVertexCut}) {
      for (VertexId a : {VertexId{-3}, VertexId{0}, VertexId{5}, kBig}) {
        for (VertexId b : {VertexId{-7}, VertexId{1}, kBig + 1}) {
          int p = brasa::graphx::partition_of_edge(s, a, b, n);
          EXPECT_GE(p, 0);
          EXPECT_LT(p, n);
        }
      }
    }
    // 2D: a vertex's edges (either end) land in at most 2 ceil(sqrt(n)) partitions.
    std::set<int> seen;
    for (VertexId other = 0; other < 500; ++other) {
      seen.insert(brasa::graphx::partition_of_edge(PartitionStrategy::EdgePartition2D, 42, other, n));
      seen.insert(brasa::graphx::partition_of_edge(PartitionStrategy::EdgePartition2D, other, 42, n));
    }
    EXPECT_LE(static_cast<int>(seen.size()), 2 * static_cast<int>(std::ceil(std::sqrt(n))));
  }
  EXPECT_EQ(brasa::graphx::partition_of_edge(PartitionStrategy::CanonicalRandomVertexCut, 3, 9, 13),
            brasa::graphx::partition_of_edge(PartitionStrategy::CanonicalRandomVertexCut, 9, 3, 13));
  EXPECT_THROW(brasa::graphx::partition_strategy_from_string("EdgePartition3D"), std::invalid_argument);
}

TEST(LoadEdgeList, ReadsSnapStyleFiles) {
  auto ctx = brasa_test::make_context();
  brasa_test::TempDir tmp;
  std::string path = tmp.sub("edges.txt");
  std::ofstream(path) << "# a comment\n1 2\n2\t3\n\n  3   -1 extra fields\n4294967296 1\n3 1\n";
  auto g = brasa::graphx::load_edge_list(*ctx, path, {.partitions = 2});
  EXPECT_EQ(g.num_edges(), 5);
  EXPECT_EQ(g.num_vertices(), 5);
  auto c = brasa::graphx::load_edge_list(*ctx, path, {.partitions = 2, .canonical_orientation = true});
  for (const auto& e : c.edges().collect()) EXPECT_LT(e.src, e.dst);
}

TEST(LoadEdgeList, MalformedLineNamesFileAndLine) {
  auto ctx = brasa_test::make_context();
  brasa_test::TempDir tmp;
  std::string path = tmp.sub("bad.txt");
  std::ofstream(path) << "1 2\n# fine\n2 x3\n";
  try {
    brasa::graphx::load_edge_list(*ctx, path);
    FAIL() << "a malformed line was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":3:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("2 x3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(brasa::graphx::load_edge_list(*ctx, tmp.sub("missing.txt")), std::runtime_error);
}

}  // namespace
