// The Boost.Graph bridge: adjacency lists and GraphML and Graphviz files,
// round trips that keep ids (negative and above 2^31), attributes, parallel
// edges, self loops and isolated vertices, and errors that name the file.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/graph/strong_components.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "brasa/graphx/boost_graph.h"
#include "brasa/graphx/graphx.h"
#include "test_util.h"

namespace {

namespace fs = std::filesystem;
using brasa::graphx::Edge;
using brasa::graphx::Graph;
using brasa::graphx::VertexId;

Graph<double, int> sample(brasa::Context& ctx) {
  std::vector<std::pair<VertexId, double>> vertices{{-5, 0.5}, {1, 1.25}, {3000000000, -2.0}, {7, 7.0}, {42, 0.0}};
  std::vector<Edge<int>> edges{{-5, 1, 10}, {1, 3000000000, 20}, {3000000000, -5, 30}, {1, 3000000000, 21},
                               {7, 7, 70},  {7, 1, 71}};
  return Graph<double, int>::create(ctx.parallelize(vertices, 2), ctx.parallelize(edges, 3), 0.0);
}

template <class VD, class ED> auto sorted_vertices(const Graph<VD, ED>& g) {
  return brasa_test::sorted(g.vertices().collect());
}
template <class VD, class ED> auto sorted_edges(const Graph<VD, ED>& g) {
  std::vector<std::tuple<VertexId, VertexId, ED>> out;
  for (const auto& e : g.edges().collect()) out.emplace_back(e.src, e.dst, e.attr);
  std::sort(out.begin(), out.end());
  return out;
}

fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("brasa-boost-bridge-" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir / name;
}

// read() must throw a runtime_error whose message holds every one of `parts`.
template <class Read> void expect_error_naming(Read read, const std::vector<std::string>& parts) {
  try {
    read();
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    for (const auto& part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(BoostBridge, AdjacencyListAndBack) {
  auto ctx = brasa_test::make_context();
  auto g = sample(*ctx);
  auto bg = brasa::graphx::to_boost(g);
  ASSERT_EQ(boost::num_vertices(bg), 5u);
  ASSERT_EQ(boost::num_edges(bg), 6u);
  EXPECT_EQ(bg[0].id, -5);  // ascending ids
  EXPECT_EQ(bg[4].id, 3000000000);
  EXPECT_EQ(bg[4].attr, -2.0);
  // Boost's own algorithm on it: -5 -> 1 -> 3000000000 -> -5 is one strong component.
  std::vector<int> comp(boost::num_vertices(bg));
  const int count = boost::strong_components(
      bg, boost::make_iterator_property_map(comp.begin(), boost::get(boost::vertex_index, bg)));
  EXPECT_EQ(count, 3);
  auto again = brasa::graphx::from_boost(*ctx, bg, 2);
  EXPECT_EQ(sorted_vertices(again), sorted_vertices(g));
  EXPECT_EQ(sorted_edges(again), sorted_edges(g));

  boost::add_vertex(brasa::graphx::BoostVertex<double>{1, 9.0}, bg);
  EXPECT_THROW(brasa::graphx::from_boost(*ctx, bg), std::invalid_argument);
}

TEST(BoostBridge, GraphmlAndGraphvizRoundTrips) {
  auto ctx = brasa_test::make_context();
  auto g = sample(*ctx);
  const fs::path graphml = scratch("g.graphml"), dot = scratch("g.dot");
  {
    std::ofstream out(graphml);
    brasa::graphx::write_graphml(out, g);
  }
  {
    std::ofstream out(dot);
    brasa::graphx::write_graphviz(out, g);
  }
  for (const auto& h : {brasa::graphx::read_graphml<double, int>(*ctx, graphml.string()),
                        brasa::graphx::read_graphviz<double, int>(*ctx, dot.string(), 3)}) {
    EXPECT_EQ(sorted_vertices(h), sorted_vertices(g));
    EXPECT_EQ(sorted_edges(h), sorted_edges(g));
  }
  fs::remove_all(graphml.parent_path());
}

// A GraphML file written elsewhere: no "id" data (ids are positions),
// other keys ignored.
TEST(BoostBridge, ForeignGraphmlAndBadFiles) {
  auto ctx = brasa_test::make_context();
  const fs::path file = scratch("foreign.graphml");
  std::ofstream(file) << R"(<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="w" for="edge" attr.name="attr" attr.type="double"/>
  <key id="c" for="node" attr.name="color" attr.type="string"/>
  <graph id="G" edgedefault="directed">
    <node id="a"><data key="c">red</data></node>
    <node id="b"/>
    <node id="c"/>
    <edge source="a" target="b"><data key="w">1.5</data></edge>
    <edge source="c" target="a"><data key="w">-2</data></edge>
  </graph>
</graphml>
)";
  auto g = brasa::graphx::read_graphml<int, double>(*ctx, file.string());
  EXPECT_EQ(sorted_vertices(g), (std::vector<std::pair<VertexId, int>>{{0, 0}, {1, 0}, {2, 0}}));
  EXPECT_EQ(sorted_edges(g), (std::vector<std::tuple<VertexId, VertexId, double>>{{0, 1, 1.5}, {2, 0, -2.0}}));

  expect_error_naming([&] { brasa::graphx::read_graphml<int, double>(*ctx, "/nonexistent/x.graphml"); },
                      {"/nonexistent/x.graphml"});
  const fs::path broken = scratch("broken.graphml");
  std::ofstream(broken) << "<graphml><graph><node id=\"a\">";
  expect_error_naming([&] { brasa::graphx::read_graphml<int, double>(*ctx, broken.string()); }, {broken.string()});
  const fs::path names = scratch("names.dot");
  std::ofstream(names) << "digraph { a -> b; }\n";
  expect_error_naming([&] { brasa::graphx::read_graphviz<int, int>(*ctx, names.string()); },
                      {names.string(), "integer vertex ids"});
  fs::remove_all(file.parent_path());
}
