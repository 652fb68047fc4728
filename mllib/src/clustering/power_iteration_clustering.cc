#include "brasa/mllib/clustering/power_iteration_clustering.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include "brasa/mllib/clustering/kmeans.h"
#include "brasa/util/hash.h"
#include "brasa/util/single.h"
#include "util/checks.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace power_iteration_clustering_impl {

using Similarity = PowerIterationClustering::Similarity;
constexpr double kEpsilon = std::numeric_limits<double>::epsilon();  // Spark's MLUtils.EPSILON
constexpr int64_t kSimilaritiesPerBlock = int64_t{1} << 17;

int block_of(int64_t id, int blocks) {
  return static_cast<int>(mix64(static_cast<uint64_t>(id)) % static_cast<uint64_t>(blocks));
}

// The input's count of tuples between distinct vertices, and its first bad
// tuple (by vertices), if any.
struct Census {
  int64_t pairs = 0;
  bool bad = false;
  int64_t bad_i = 0, bad_j = 0;
  double bad_s = 0;

  void add_bad(int64_t i, int64_t j, double s) {
    if (!bad || std::pair(i, j) < std::pair(bad_i, bad_j)) {
      bad = true;
      bad_i = i;
      bad_j = j;
      bad_s = s;
    }
  }
};

struct CountPairs {
  Census operator()(Census acc, const Similarity& t) const {
    const auto& [i, j, s] = t;
    if (!(s >= 0) || !std::isfinite(s)) acc.add_bad(i, j, s);
    if (i != j) ++acc.pairs;
    return acc;
  }
};

struct MergeCensus {
  Census operator()(Census a, const Census& b) const {
    a.pairs += b.pairs;
    if (b.bad) a.add_bad(b.bad_i, b.bad_j, b.bad_s);
    return a;
  }
};

struct Edge {
  int64_t src = 0, dst = 0;
  double s = 0;
};

// Both directions of each tuple, keyed by the block of their source.
struct EmitEdges {
  int blocks = 1;
  std::vector<std::pair<int, Edge>> operator()(const Similarity& t) const {
    const auto& [i, j, s] = t;
    if (i == j) return {};
    return {{block_of(i, blocks), Edge{i, j, s}}, {block_of(j, blocks), Edge{j, i, s}}};
  }
};

// A block's vertices and their rows of W. The edges are symmetric, so the
// vertices of block q that block p needs are those with an edge into p:
// both blocks list them in the same (ascending) order, and p finds vertex
// u of q at slot (u's rank in that list) in q's shipment.
struct EdgeBlock {
  int32_t block = 0;
  std::vector<int64_t> ids;      // ascending
  std::vector<int64_t> row_ptr;  // vertex r's edges are [row_ptr[r], row_ptr[r + 1])
  std::vector<int32_t> from_block;
  std::vector<int32_t> slot;
  std::vector<double> weights;   // s_ij / max(degree_i, EPSILON)
  std::vector<double> degrees;   // per vertex: the sum of its similarities
  std::vector<std::vector<int32_t>> to_block;  // per block: the vertices (rows) it needs, ascending

  size_t heap_bytes() const {
    size_t n = (ids.capacity() + row_ptr.capacity()) * sizeof(int64_t) +
               (from_block.capacity() + slot.capacity()) * sizeof(int32_t) +
               (weights.capacity() + degrees.capacity()) * sizeof(double) +
               to_block.capacity() * sizeof(std::vector<int32_t>);
    for (const auto& t : to_block) n += t.capacity() * sizeof(int32_t);
    return n;
  }
  template <class Ar> void serialize(Ar& ar) { ar(block, ids, row_ptr, from_block, slot, weights, degrees, to_block); }
};

struct BuildEdgeBlock {
  int blocks = 1;
  std::vector<EdgeBlock> operator()(int block, std::vector<std::pair<int, Edge>>&& part) const {
    std::vector<Edge> edges;
    edges.reserve(part.size());
    for (const auto& [b, e] : part) edges.push_back(e);
    std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) {
      return a.src != b.src ? a.src < b.src : a.dst != b.dst ? a.dst < b.dst : a.s < b.s;
    });
    EdgeBlock out;
    out.block = block;
    std::vector<std::vector<int64_t>> needed(blocks);
    for (const auto& e : edges) needed[block_of(e.dst, blocks)].push_back(e.dst);
    for (auto& ids : needed) {
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    }
    out.to_block.resize(blocks);
    out.from_block.reserve(edges.size());
    out.slot.reserve(edges.size());
    out.weights.reserve(edges.size());
    for (size_t begin = 0; begin < edges.size();) {
      size_t end = begin;
      double degree = 0;
      for (; end < edges.size() && edges[end].src == edges[begin].src; ++end) degree += edges[end].s;
      const auto row = static_cast<int32_t>(out.ids.size());
      out.ids.push_back(edges[begin].src);
      out.row_ptr.push_back(static_cast<int64_t>(begin));
      out.degrees.push_back(degree);
      for (size_t e = begin; e < end; ++e) {
        const int q = block_of(edges[e].dst, blocks);
        const auto& ids = needed[q];
        out.from_block.push_back(q);
        out.slot.push_back(static_cast<int32_t>(std::lower_bound(ids.begin(), ids.end(), edges[e].dst) - ids.begin()));
        out.weights.push_back(edges[e].s / std::max(degree, kEpsilon));
        auto& rows = out.to_block[q];
        if (rows.empty() || rows.back() != row) rows.push_back(row);
      }
      begin = end;
    }
    out.row_ptr.push_back(static_cast<int64_t>(edges.size()));
    return single(std::move(out));
  }
};

// A block's values of v (aligned with its ids), with partial sums.
struct ValueBlock {
  std::vector<double> values;
  double a = 0, b = 0, c = 0;
  size_t heap_bytes() const { return values.capacity() * sizeof(double); }
  template <class Ar> void serialize(Ar& ar) { ar(values, a, b, c); }
};

struct Sums {
  double a = 0, b = 0, c = 0;
};
struct AddSums {
  Sums operator()(Sums acc, const ValueBlock& v) const { return {acc.a + v.a, acc.b + v.b, acc.c + v.c}; }
};
struct MergeSums {
  Sums operator()(Sums x, const Sums& y) const { return {x.a + y.a, x.b + y.b, x.c + y.c}; }
};

// Seeded standard normal values by vertex id (Box-Muller); a = sum of |x|, b = vertices.
struct RandomValues {
  uint64_t seed = 0;
  ValueBlock operator()(const EdgeBlock& e) const {
    ValueBlock out;
    out.values.reserve(e.ids.size());
    for (int64_t id : e.ids) {
      const uint64_t h = hash_combine(seed, static_cast<uint64_t>(id));
      const double u1 = (static_cast<double>(mix64(h ^ 1) >> 11) + 0.5) * 0x1.0p-53;
      const double u2 = (static_cast<double>(mix64(h ^ 2) >> 11) + 0.5) * 0x1.0p-53;
      const double x = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
      out.values.push_back(x);
      out.a += std::abs(x);
    }
    out.b = static_cast<double>(e.ids.size());
    return out;
  }
};

struct DegreeValues {
  ValueBlock operator()(const EdgeBlock& e) const {
    ValueBlock out{e.degrees, 0, static_cast<double>(e.ids.size()), 0};
    for (double d : e.degrees) out.a += std::abs(d);
    return out;
  }
};

struct Divide {
  double by = 1;
  ValueBlock operator()(const ValueBlock& v) const {
    ValueBlock out;
    out.values.reserve(v.values.size());
    for (double x : v.values) out.values.push_back(x / by);
    return out;
  }
};

struct Shipment {
  int32_t from = 0;
  std::vector<double> values;
  size_t heap_bytes() const { return values.capacity() * sizeof(double); }
  template <class Ar> void serialize(Ar& ar) { ar(from, values); }
};

struct Ship {
  std::vector<std::pair<int, Shipment>> operator()(const std::vector<EdgeBlock>& edges,
                                                   const std::vector<ValueBlock>& values) const {
    std::vector<std::pair<int, Shipment>> out;
    if (edges.empty()) return out;
    const EdgeBlock& e = edges[0];
    const std::vector<double>& v = values[0].values;
    for (size_t q = 0; q < e.to_block.size(); ++q) {
      if (e.to_block[q].empty()) continue;
      Shipment s{e.block, {}};
      s.values.reserve(e.to_block[q].size());
      for (int32_t row : e.to_block[q]) s.values.push_back(v[row]);
      out.push_back({static_cast<int>(q), std::move(s)});
    }
    return out;
  }
};

// y = W v for the block's rows, each summed in the order of its neighbours'
// ids; a = sum of |y|.
struct Multiply {
  int blocks = 1;
  std::vector<ValueBlock> operator()(const std::vector<EdgeBlock>& edges,
                                     const std::vector<std::pair<int, Shipment>>& shipped) const {
    ValueBlock out;
    if (edges.empty()) return {out};
    const EdgeBlock& e = edges[0];
    std::vector<const double*> from(blocks, nullptr);
    for (const auto& [to, s] : shipped) from[s.from] = s.values.data();
    out.values.resize(e.ids.size());
    for (size_t r = 0; r < e.ids.size(); ++r) {
      double y = 0;
      for (int64_t k = e.row_ptr[r]; k < e.row_ptr[r + 1]; ++k) y += e.weights[k] * from[e.from_block[k]][e.slot[k]];
      out.values[r] = y;
      out.a += std::abs(y);
    }
    return single(std::move(out));
  }
};

// v1 = y / norm, with a = sum of |v - v1|, b = v.y and c = v.v (for the
// Rayleigh quotient).
struct Normalise {
  double norm = 1;
  std::vector<ValueBlock> operator()(const std::vector<ValueBlock>& previous, const std::vector<ValueBlock>& y) const {
    ValueBlock out;
    if (previous.empty()) return {out};
    const auto& v = previous[0].values;
    const auto& w = y[0].values;
    out.values.resize(v.size());
    for (size_t r = 0; r < v.size(); ++r) {
      out.values[r] = w[r] / norm;
      out.a += std::abs(v[r] - out.values[r]);
      out.b += v[r] * w[r];
      out.c += v[r] * v[r];
    }
    return single(std::move(out));
  }
};

struct Embed {
  std::vector<std::pair<int64_t, double>> operator()(const std::vector<EdgeBlock>& edges,
                                                     const std::vector<ValueBlock>& values) const {
    std::vector<std::pair<int64_t, double>> out;
    if (edges.empty()) return out;
    for (size_t r = 0; r < edges[0].ids.size(); ++r) out.emplace_back(edges[0].ids[r], values[0].values[r]);
    return out;
  }
};

struct ToPoints {
  std::vector<Vector> operator()(const ValueBlock& v) const {
    std::vector<Vector> out;
    out.reserve(v.values.size());
    for (double x : v.values) out.push_back(Vector::dense({x}));
    return out;
  }
};

struct Assign {
  DenseMatrix centers;
  template <class Ar> void serialize(Ar& ar) { ar(centers); }
  std::vector<std::pair<int64_t, int>> operator()(const std::vector<EdgeBlock>& edges,
                                                  const std::vector<ValueBlock>& values) const {
    std::vector<std::pair<int64_t, int>> out;
    if (edges.empty()) return out;
    KMeansModel model(centers);
    for (size_t r = 0; r < edges[0].ids.size(); ++r)
      out.emplace_back(edges[0].ids[r], model.predict(Vector::dense({values[0].values[r]})));
    return out;
  }
};

void check(bool ok, const char* param, const char* rule, double value) {
  detail::check_param(ok, "PowerIterationClustering", param, rule, value);
}

// The graph's blocks and v after the power iterations, both cached.
struct Result {
  RDD<EdgeBlock> edges;
  RDD<ValueBlock> values;
  int64_t vertices = 0;
  Result() = default;
  Result(Result&&) = default;
  Result(const Result&) = delete;
  ~Result() {
    if (values.node()) values.unpersist();
    if (edges.node()) edges.unpersist();
  }
};

// Caches and computes the next values, then releases the previous ones.
void advance(RDD<ValueBlock>& current, RDD<ValueBlock> next) {
  next.cache();
  next.count();
  if (current.node()) current.unpersist();
  current = std::move(next);
}

Result power_iterations(const RDD<Similarity>& similarities, const PowerIterationClustering& pic) {
  const Census census = similarities.tree_aggregate(Census{}, CountPairs{}, MergeCensus{});
  if (census.bad)
    throw std::invalid_argument(
        fmt::format("PowerIterationClustering: similarities must be finite and non-negative, got s({}, {}) = {}",
                    census.bad_i, census.bad_j, census.bad_s));
  if (census.pairs == 0)
    throw std::invalid_argument("PowerIterationClustering: the similarities have no pair of distinct vertices");
  const int blocks = pic.num_blocks() > 0
                         ? pic.num_blocks()
                         : static_cast<int>((census.pairs + kSimilaritiesPerBlock - 1) / kSimilaritiesPerBlock);

  // Spark's normalize: W = D^-1 A.
  Result r;
  r.edges = similarities.flat_map(EmitEdges{blocks})
                .partition_by(Partitioner::direct(blocks))
                .map_partitions_with_index(BuildEdgeBlock{blocks});
  r.edges.set_name("PowerIterationClustering graph blocks");
  r.edges.cache();

  // v0: seeded Gaussian values or the degrees, with a unit 1-norm.
  RDD<ValueBlock> start =
      pic.init_mode() == "degree" ? r.edges.map(DegreeValues{}) : r.edges.map(RandomValues{pic.seed()});
  const Sums initial = start.tree_aggregate(Sums{}, AddSums{}, MergeSums{});
  r.vertices = static_cast<int64_t>(initial.b);
  if (r.vertices < pic.k())
    throw std::invalid_argument(fmt::format(
        "PowerIterationClustering: k = {} is larger than the number of vertices ({})", pic.k(), r.vertices));
  advance(r.values, start.map(Divide{initial.a}));

  // Spark's powerIter.
  const double tol = std::max(1e-5 / static_cast<double>(r.vertices), 1e-8);
  double previous_delta = std::numeric_limits<double>::max(), diff_delta = std::numeric_limits<double>::max();
  int iteration = 0;
  for (; iteration < pic.max_iter() && std::abs(diff_delta) > tol; ++iteration) {
    auto shipped = r.edges.zip_partitions(r.values, Ship{}).partition_by(Partitioner::direct(blocks));
    auto y = r.edges.zip_partitions(shipped, Multiply{blocks});
    y.cache();
    const double norm = y.tree_aggregate(Sums{}, AddSums{}, MergeSums{}).a;
    auto next = r.values.zip_partitions(y, Normalise{norm});
    next.cache();
    const Sums s = next.tree_aggregate(Sums{}, AddSums{}, MergeSums{});
    const double delta = s.a;
    diff_delta = std::abs(delta - previous_delta);
    spdlog::debug("PowerIterationClustering: iteration {}: norm {}, delta {}, diff {}", iteration, norm, delta,
                  diff_delta);
    if (diff_delta < tol) {
      // Power iteration flip-flops when the top two eigenvalues have the
      // same magnitude and opposite signs; Spark warns.
      const double rayleigh = s.b / s.c;
      if (std::abs(norm - std::abs(rayleigh)) > tol)
        spdlog::warn("PowerIterationClustering: power iteration failed to converge: delta {}, diff {}, norm {}", delta,
                     diff_delta, norm);
    }
    r.values.unpersist();
    y.unpersist();
    r.values = next;
    previous_delta = delta;
  }
  spdlog::debug("PowerIterationClustering: {} vertices in {} blocks, {} iterations", r.vertices, blocks, iteration);
  return r;
}

}  // namespace power_iteration_clustering_impl
using namespace power_iteration_clustering_impl;

PowerIterationClustering& PowerIterationClustering::k(int v) {
  check(v >= 2, "k", "at least 2", v);
  k_ = v;
  return *this;
}
PowerIterationClustering& PowerIterationClustering::max_iter(int v) {
  check(v >= 0, "max_iter", "at least 0", v);
  max_iter_ = v;
  return *this;
}
PowerIterationClustering& PowerIterationClustering::init_mode(const std::string& v) {
  if (v != "random" && v != "degree")
    throw std::invalid_argument("PowerIterationClustering: init_mode must be \"random\" or \"degree\", got \"" + v +
                                "\"");
  init_mode_ = v;
  return *this;
}
PowerIterationClustering& PowerIterationClustering::seed(uint64_t v) {
  seed_ = v;
  return *this;
}
PowerIterationClustering& PowerIterationClustering::num_blocks(int v) {
  check(v >= 0, "num_blocks", "at least 0", v);
  num_blocks_ = v;
  return *this;
}

RDD<std::pair<int64_t, double>> PowerIterationClustering::embedding(const RDD<Similarity>& similarities) const {
  Result r = power_iterations(similarities, *this);
  auto out = r.edges.zip_partitions(r.values, Embed{});
  out.set_name("PowerIterationClustering embedding");
  out.persist(StorageLevel::memory_and_disk());
  out.count();
  return out;
}

RDD<std::pair<int64_t, int>> PowerIterationClustering::assign_clusters(const RDD<Similarity>& similarities) const {
  Result r = power_iterations(similarities, *this);
  // Spark's kMeans step, on the values in the blocks' order.
  auto model = KMeans().k(k_).seed(seed_).fit(r.values.flat_map(ToPoints{}));
  auto out = r.edges.zip_partitions(r.values, Assign{model.centers()});
  out.set_name("PowerIterationClustering assignments");
  out.persist(StorageLevel::memory_and_disk());
  out.count();
  spdlog::info("PowerIterationClustering: {} vertices in {} clusters", r.vertices, model.k());
  return out;
}

}  // namespace brasa::mllib
