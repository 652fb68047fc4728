// The generators (GraphX's GraphGenerators): sizes, shapes, and graphs that
// do not depend on the number of partitions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

#include "brasa/graphx/graphx.h"
#include "graphx_test_util.h"
#include "test_util.h"

namespace {

using brasa::graphx::Edge;
using brasa::graphx::VertexId;
namespace gx = brasa::graphx;

TEST(Generators, RmatEdgesAreTheSameWhateverThePartitioning) {
  auto ctx = brasa_test::make_context();
  auto one = brasa_test::sorted(gx::rmat_edges(*ctx, 10, 5000, {.seed = 7, .partitions = 1}).collect());
  ASSERT_EQ(one.size(), 5000u);
  for (int parts : {3, 8})
    EXPECT_EQ(brasa_test::sorted(gx::rmat_edges(*ctx, 10, 5000, {.seed = 7, .partitions = parts}).collect()), one)
        << parts << " partitions";
  EXPECT_EQ(brasa_test::sorted(gx::rmat_edges(*ctx, 10, 5000, {.seed = 7}).collect()), one) << "default partitions";
  EXPECT_NE(brasa_test::sorted(gx::rmat_edges(*ctx, 10, 5000, {.seed = 8, .partitions = 1}).collect()), one);
}

TEST(Generators, RmatIsSkewedTowardsTheFirstQuadrant) {
  auto ctx = brasa_test::make_context();
  auto edges = gx::rmat_edges(*ctx, 12, 20000, {.seed = 1, .partitions = 4}).collect();
  std::map<VertexId, int> out;
  int64_t low_low = 0;  // both ends in the lower half of the ids: probability a = 0.57 at the top level
  for (const auto& e : edges) {
    ASSERT_GE(e.src, 0);
    ASSERT_LT(e.src, 4096);
    ASSERT_GE(e.dst, 0);
    ASSERT_LT(e.dst, 4096);
    EXPECT_EQ(e.attr, 1);
    ++out[e.src];
    low_low += e.src < 2048 && e.dst < 2048;
  }
  EXPECT_NEAR(static_cast<double>(low_low) / 20000, 0.57, 0.02);
  // Vertex 0 takes the first quadrant at every level: the largest out-degree.
  int most = 0;
  for (const auto& [v, d] : out) most = std::max(most, d);
  EXPECT_EQ(out[0], most);
  EXPECT_GT(most, 20000 / static_cast<int>(out.size()) * 10);
}

TEST(Generators, RmatChecksItsArguments) {
  auto ctx = brasa_test::make_context();
  EXPECT_THROW(gx::rmat_edges(*ctx, 0, 10), std::invalid_argument);
  EXPECT_THROW(gx::rmat_edges(*ctx, 10, -1), std::invalid_argument);
  EXPECT_THROW(gx::rmat_edges(*ctx, 10, 10, {.a = 0.6, .b = 0.3, .c = 0.2}), std::invalid_argument);
  EXPECT_THROW(gx::rmat_edges(*ctx, 10, 10, {.partitions = -1}), std::invalid_argument);
}

TEST(Generators, LogNormalGraphHasEveryVertexWithItsOutDegree) {
  auto ctx = brasa_test::make_context();
  auto g = gx::log_normal_graph(*ctx, 300, 3, 2.0, 1.0, 5);
  auto vertices = graphx_test::as_map(g.vertices().collect());
  ASSERT_EQ(vertices.size(), 300u);
  EXPECT_EQ(vertices.begin()->first, 0);
  EXPECT_EQ(vertices.rbegin()->first, 299);
  std::map<VertexId, int64_t> degree;
  auto edges = g.edges().collect();
  for (const auto& e : edges) {
    ++degree[e.src];
    EXPECT_GE(e.dst, 0);
    EXPECT_LT(e.dst, 300);
  }
  for (const auto& [v, d] : vertices) EXPECT_EQ(d, degree.count(v) ? degree[v] : 0) << "vertex " << v;
  // The same graph from one partition, or from eight.
  for (int parts : {1, 8})
    EXPECT_EQ(brasa_test::sorted(gx::log_normal_graph(*ctx, 300, parts, 2.0, 1.0, 5).edges().collect()),
              brasa_test::sorted(edges))
        << parts << " partitions";
}

TEST(Generators, GridAndStarHaveTheirShapes) {
  auto ctx = brasa_test::make_context();
  auto grid = gx::grid_graph(*ctx, 3, 4, 2);
  EXPECT_EQ(grid.num_vertices(), 12);
  EXPECT_EQ(grid.num_edges(), 3 * 3 + 2 * 4);  // rightward, then downward
  auto cells = graphx_test::as_map(grid.vertices().collect());
  EXPECT_EQ(cells.at(6), (std::pair<int32_t, int32_t>{1, 2}));
  for (const auto& e : grid.edges().collect()) {
    EXPECT_TRUE(e.dst == e.src + 1 || e.dst == e.src + 4) << e.src << " -> " << e.dst;
    EXPECT_EQ(e.attr, 1.0);
  }
  auto star = gx::star_graph(*ctx, 6, 3);
  EXPECT_EQ(star.num_vertices(), 6);
  auto edges = brasa_test::sorted(star.edges().collect());
  EXPECT_EQ(edges, (std::vector<Edge<int32_t>>{{1, 0, 1}, {2, 0, 1}, {3, 0, 1}, {4, 0, 1}, {5, 0, 1}}));
  EXPECT_EQ(gx::star_graph(*ctx, 1).num_vertices(), 1);
  EXPECT_THROW(gx::grid_graph(*ctx, 0, 3), std::invalid_argument);
  EXPECT_THROW(gx::star_graph(*ctx, 0), std::invalid_argument);
}

}  // namespace
