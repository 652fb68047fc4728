// Synthetic graphs (GraphX's GraphGenerators), generated in parallel where
// they are used: each edge (R-MAT) or vertex (log-normal) draws its random
// numbers from the seed and its own index, so a graph depends on the seed
// and sizes only, never on the number of partitions or the master.
#pragma once

#include <cstdint>
#include <utility>

#include "brasa/graphx/graph.h"

namespace brasa::graphx {

// R-MAT quadrant probabilities; the defaults are Graph500's.
struct RmatOptions {
  double a = 0.57, b = 0.19, c = 0.19;  // d = 1 - a - b - c
  uint64_t seed = 1;
  int partitions = 0;  // 0: the context's default parallelism
};

// `num_edges` R-MAT edges over 2^scale vertices (ids 0 .. 2^scale - 1),
// attribute 1; duplicates and self loops are kept, as Graph500 keeps them.
// Vertices without edges are absent.
RDD<Edge<int32_t>> rmat_edges(Context& ctx, int scale, int64_t num_edges, RmatOptions options = {});
Graph<int32_t, int32_t> rmat_graph(Context& ctx, int scale, int64_t num_edges, RmatOptions options = {});

// GraphX's logNormalGraph: vertex i gets a log-normal(mu, sigma) number of
// out-edges to uniformly drawn vertices of [0, num_vertices).
Graph<int64_t, int32_t> log_normal_graph(Context& ctx, int64_t num_vertices, int partitions = 0, double mu = 4.0,
                                         double sigma = 1.3, uint64_t seed = 1);

// GraphX's gridGraph: rows x cols vertices, id r * cols + c with attribute
// (r, c), an edge to the right and one downward neighbour, attribute 1.0.
Graph<std::pair<int32_t, int32_t>, double> grid_graph(Context& ctx, int rows, int cols, int partitions = 0);

// GraphX's starGraph: edges i -> 0 for i in 1 .. n-1, attribute 1.
Graph<int32_t, int32_t> star_graph(Context& ctx, int n, int partitions = 0);

}  // namespace brasa::graphx
