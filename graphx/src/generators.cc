#include "brasa/graphx/generators.h"

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "brasa/util/hash.h"

namespace brasa::graphx {

namespace {

int partitions_or_default(Context& ctx, int partitions) {
  if (partitions < 0) throw std::invalid_argument("partitions must be at least 0, got " + std::to_string(partitions));
  return partitions > 0 ? partitions : std::max(1, ctx.default_parallelism());
}

// Partition p of a generator covers items [p * n / parts, (p + 1) * n / parts).
std::pair<int64_t, int64_t> share(int64_t n, int parts, int p) {
  return {n * p / parts, n * (p + 1) / parts};
}

// The random numbers of one edge (R-MAT) or vertex (log-normal): a
// SplitMix-style stream (a counter finalised by the core's mix64) seeded by
// (seed, item), so that an item is the same whatever the partitioning and
// mode, as in GraphX, whose generators seed per vertex or draw on the
// driver. A UniformRandomBitGenerator, for the standard distributions.
class ItemRandom {
 public:
  using result_type = uint64_t;
  ItemRandom(uint64_t seed, uint64_t item) : state_(mix64(seed * kGamma ^ mix64(item))) {}
  static constexpr uint64_t min() { return 0; }
  static constexpr uint64_t max() { return ~uint64_t{0}; }
  uint64_t operator()() { return mix64(state_ += kGamma); }
  double uniform() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }  // [0, 1)

 private:
  static constexpr uint64_t kGamma = 0x9E3779B97F4A7C15ULL;  // 2^64 / golden ratio
  uint64_t state_;
};

struct RmatPartition {
  int scale;
  int64_t num_edges;
  int parts;
  double a, b, c;
  uint64_t seed;
  std::vector<Edge<int32_t>> operator()(int p, const std::vector<int>&) const {
    auto [begin, end] = share(num_edges, parts, p);
    std::vector<Edge<int32_t>> out;
    out.reserve(static_cast<size_t>(end - begin));
    for (int64_t i = begin; i < end; ++i) {
      ItemRandom rng(seed, static_cast<uint64_t>(i));
      VertexId src = 0, dst = 0;
      for (int bit = scale - 1; bit >= 0; --bit) {
        double r = rng.uniform();
        if (r < a) continue;
        if (r < a + b)
          dst |= VertexId{1} << bit;
        else if (r < a + b + c)
          src |= VertexId{1} << bit;
        else
          src |= VertexId{1} << bit, dst |= VertexId{1} << bit;
      }
      out.push_back(Edge<int32_t>{src, dst, 1});
    }
    return out;
  }
};

struct LogNormalPartition {
  int64_t num_vertices;
  int parts;
  double mu, sigma;
  uint64_t seed;
  std::vector<Edge<int32_t>> operator()(int p, const std::vector<int>&) const {
    auto [begin, end] = share(num_vertices, parts, p);
    std::vector<Edge<int32_t>> out;
    for (VertexId v = begin; v < end; ++v) {
      ItemRandom rng(seed, static_cast<uint64_t>(v));
      std::lognormal_distribution<double> degree(mu, sigma);
      std::uniform_int_distribution<VertexId> pick(0, num_vertices - 1);
      auto d = static_cast<int64_t>(std::min(degree(rng), static_cast<double>(num_vertices)));
      for (int64_t k = 0; k < d; ++k) out.push_back(Edge<int32_t>{v, pick(rng), 1});
    }
    return out;
  }
};

struct GridPartition {
  int rows, cols, parts;
  std::vector<Edge<double>> operator()(int p, const std::vector<int>&) const {
    auto [begin, end] = share(int64_t{rows} * cols, parts, p);
    std::vector<Edge<double>> out;
    for (int64_t v = begin; v < end; ++v) {
      int64_t r = v / cols, c = v % cols;
      if (c + 1 < cols) out.push_back(Edge<double>{v, v + 1, 1.0});
      if (r + 1 < rows) out.push_back(Edge<double>{v, v + cols, 1.0});
    }
    return out;
  }
};

struct GridVertexAttr {
  int cols;
  std::pair<int32_t, int32_t> operator()(VertexId id, int64_t) const {
    return {static_cast<int32_t>(id / cols), static_cast<int32_t>(id % cols)};
  }
};

struct GridVertices {
  int rows, cols, parts;
  std::vector<std::pair<VertexId, int64_t>> operator()(int p, const std::vector<int>&) const {
    auto [begin, end] = share(int64_t{rows} * cols, parts, p);
    std::vector<std::pair<VertexId, int64_t>> out;
    for (int64_t v = begin; v < end; ++v) out.emplace_back(v, 0);
    return out;
  }
};

struct StarPartition {
  int n, parts;
  std::vector<Edge<int32_t>> operator()(int p, const std::vector<int>&) const {
    auto [begin, end] = share(n - 1, parts, p);
    std::vector<Edge<int32_t>> out;
    for (int64_t i = begin; i < end; ++i) out.push_back(Edge<int32_t>{i + 1, 0, 1});
    return out;
  }
};

// One empty record per partition: the seed RDD generators expand.
RDD<int> slots(Context& ctx, int parts) { return ctx.parallelize(std::vector<int>(static_cast<size_t>(parts)), parts); }

}  // namespace

RDD<Edge<int32_t>> rmat_edges(Context& ctx, int scale, int64_t num_edges, RmatOptions o) {
  if (scale < 1 || scale > 40) throw std::invalid_argument("rmat: scale must be in [1, 40], got " + std::to_string(scale));
  if (num_edges < 0) throw std::invalid_argument("rmat: num_edges must be at least 0");
  if (o.a < 0 || o.b < 0 || o.c < 0 || o.a + o.b + o.c > 1)
    throw std::invalid_argument("rmat: probabilities a, b, c must be non-negative with a + b + c <= 1");
  int parts = partitions_or_default(ctx, o.partitions);
  return slots(ctx, parts).map_partitions_with_index(RmatPartition{scale, num_edges, parts, o.a, o.b, o.c, o.seed});
}

Graph<int32_t, int32_t> rmat_graph(Context& ctx, int scale, int64_t num_edges, RmatOptions options) {
  return Graph<int32_t, int32_t>::from_edges(rmat_edges(ctx, scale, num_edges, options), 1);
}

Graph<int64_t, int32_t> log_normal_graph(Context& ctx, int64_t num_vertices, int partitions, double mu, double sigma,
                                         uint64_t seed) {
  if (num_vertices < 1) throw std::invalid_argument("log_normal_graph: num_vertices must be at least 1");
  if (!(sigma >= 0)) throw std::invalid_argument("log_normal_graph: sigma must be non-negative");
  int parts = partitions_or_default(ctx, partitions);
  auto edges = slots(ctx, parts).map_partitions_with_index(LogNormalPartition{num_vertices, parts, mu, sigma, seed});
  // Every vertex exists, with its out-degree as attribute (as GraphX's).
  auto ids = ctx.range(0, num_vertices, 1, parts).map([](int64_t v) { return std::pair<VertexId, int64_t>(v, 0); });
  auto all = Graph<int64_t, int32_t>::create(ids, edges, 0);
  return all.outer_join_vertices(all.out_degrees(),
                                 [](VertexId, int64_t, std::optional<int> d) { return int64_t{d.value_or(0)}; });
}

Graph<std::pair<int32_t, int32_t>, double> grid_graph(Context& ctx, int rows, int cols, int partitions) {
  if (rows < 1 || cols < 1) throw std::invalid_argument("grid_graph: rows and cols must be at least 1");
  int parts = partitions_or_default(ctx, partitions);
  auto edges = slots(ctx, parts).map_partitions_with_index(GridPartition{rows, cols, parts});
  auto vertices = slots(ctx, parts).map_partitions_with_index(GridVertices{rows, cols, parts});
  return Graph<int64_t, double>::create(vertices, edges, 0).map_vertices(GridVertexAttr{cols});
}

Graph<int32_t, int32_t> star_graph(Context& ctx, int n, int partitions) {
  if (n < 1) throw std::invalid_argument("star_graph: n must be at least 1");
  int parts = partitions_or_default(ctx, partitions);
  auto edges = slots(ctx, parts).map_partitions_with_index(StarPartition{n, parts});
  if (n == 1) {
    auto one = ctx.parallelize(std::vector<std::pair<VertexId, int32_t>>{{0, 1}}, 1);
    return Graph<int32_t, int32_t>::create(one, edges, 1);
  }
  return Graph<int32_t, int32_t>::from_edges(edges, 1);
}

}  // namespace brasa::graphx
