#include "brasa/mllib/clustering/kmeans.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "brasa/util/hash.h"
#include "instance_block.h"
#include "linalg/dense_kernels.h"
#include "util/checks.h"
#include "util/model_io.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace kmeans_impl {

using detail::InstanceBlock;
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr const char* kModelClass = "brasa.mllib.KMeansModel";

// The centres as tasks use them: rows, with their squared norms.
struct Centers {
  RowMatrix rows;
  DenseVector norms;
  template <class Ar> void serialize(Ar& ar) { ar(rows, norms); }

  static Centers of(const RowMatrix& m) { return Centers{m, m.rowwise().squaredNorm()}; }
  int k() const { return static_cast<int>(rows.rows()); }
};

// For each row of the block, the first closest centre and the squared
// distance to it, by |x|^2 + |c|^2 - 2 x.c (dense blocks: detail::nearest_rows).
void closest(const InstanceBlock& blk, const Centers& cs, int32_t* best, double* dist) {
  const int k = cs.k();
  if (!blk.sparse()) {
    thread_local RowMatrix columns;
    columns = cs.rows.transpose();
    detail::nearest_rows(blk.values.data(), blk.rows, blk.cols, columns.data(), cs.norms.data(), k, best, dist);
    return;
  }
  thread_local std::vector<double> products;
  products.resize(k);
  for (int32_t i = 0; i < blk.rows; ++i) {
    std::fill(products.begin(), products.end(), 0.0);
    double x_norm = 0;
    blk.for_each_in_row(i, [&](int32_t c, double x) {
      x_norm += x * x;
      for (int j = 0; j < k; ++j) products[j] += x * cs.rows(j, c);
    });
    detail::nearest_of(x_norm, cs.norms.data(), products.data(), k, best + i, dist + i);
  }
}

struct Scratch {
  std::vector<int32_t> best;
  std::vector<double> dist;
  void fit(const InstanceBlock& blk, const Centers& cs) {
    best.resize(blk.rows);
    dist.resize(blk.rows);
    closest(blk, cs, best.data(), dist.data());
  }
};
thread_local Scratch scratch;

// One Lloyd iteration's sums: per centre, the weighted sum and weight of
// its points, and the cost of the assignment.
struct LloydSums {
  RowMatrix sums;
  DenseVector weights;
  double cost = 0;
  template <class Ar> void serialize(Ar& ar) { ar(sums, weights, cost); }
};

struct AddBlockToSums {
  Centers centers;
  template <class Ar> void serialize(Ar& ar) { ar(centers); }
  LloydSums operator()(LloydSums acc, const InstanceBlock& blk) const {
    scratch.fit(blk, centers);
    for (int32_t i = 0; i < blk.rows; ++i) {
      const double w = blk.weights[i];
      const int32_t j = scratch.best[i];
      acc.cost += w * scratch.dist[i];
      acc.weights[j] += w;
      double* sum = acc.sums.row(j).data();
      blk.for_each_in_row(i, [&](int32_t c, double x) { sum[c] += w * x; });
    }
    return acc;
  }
};

struct AddSums {
  LloydSums operator()(LloydSums a, const LloydSums& b) const {
    a.sums += b.sums;
    a.weights += b.weights;
    a.cost += b.cost;
    return a;
  }
};

struct AddCost {
  Centers centers;
  template <class Ar> void serialize(Ar& ar) { ar(centers); }
  double operator()(double acc, const InstanceBlock& blk) const {
    scratch.fit(blk, centers);
    for (int32_t i = 0; i < blk.rows; ++i) acc += blk.weights[i] * scratch.dist[i];
    return acc;
  }
};

struct Plus {
  double operator()(double a, double b) const { return a + b; }
};

struct AddWeightToClosest {
  Centers centers;
  template <class Ar> void serialize(Ar& ar) { ar(centers); }
  DenseVector operator()(DenseVector acc, const InstanceBlock& blk) const {
    scratch.fit(blk, centers);
    for (int32_t i = 0; i < blk.rows; ++i) acc[scratch.best[i]] += blk.weights[i];
    return acc;
  }
};

struct AddVectors {
  DenseVector operator()(DenseVector a, const DenseVector& b) const { return a + b; }
};

using PositionedRow = std::pair<int64_t, DenseVector>;
using detail::uniform_at;

// k-means|| rounds: each point joins with probability 2k cost / total cost.
struct ChooseCandidates {
  Centers centers;
  double scale = 0;  // 2k / total cost
  uint64_t seed = 0;
  int step = 0;
  template <class Ar> void serialize(Ar& ar) { ar(centers, scale, seed, step); }
  std::vector<PositionedRow> operator()(const InstanceBlock& blk) const {
    scratch.fit(blk, centers);
    std::vector<PositionedRow> out;
    for (int32_t i = 0; i < blk.rows; ++i)
      if (uniform_at(seed, step, blk.first + i) < scale * scratch.dist[i]) out.emplace_back(blk.first + i, blk.row(i));
    return out;
  }
};

using Random = detail::SeededRandom;

// The rows without exact repeats, in their order.
RowMatrix distinct_rows(const std::vector<DenseVector>& rows) {
  std::vector<const DenseVector*> kept;
  for (const auto& r : rows)
    if (std::none_of(kept.begin(), kept.end(), [&](const DenseVector* k) { return *k == r; })) kept.push_back(&r);
  RowMatrix out(kept.size(), kept.empty() ? 0 : kept[0]->size());
  for (size_t i = 0; i < kept.size(); ++i) out.row(i) = kept[i]->transpose();
  return out;
}

int64_t weighted_pick(Random& rand, const std::vector<double>& weights) {
  double total = 0;
  for (double w : weights) total += w;
  const double r = rand.uniform() * total;
  size_t i = 0;
  for (double cumulative = 0; i < weights.size() && cumulative < r; ++i) cumulative += weights[i];
  return static_cast<int64_t>(i == 0 ? 0 : i - 1);
}

// Spark's LocalKMeans.kMeansPlusPlus: weighted k-means++ picks k of the
// candidates, then up to max_iterations of weighted Lloyd's on them.
RowMatrix local_kmeans_plus_plus(uint64_t seed, const RowMatrix& points, const std::vector<double>& weights, int k,
                                 int max_iterations) {
  Random rand(seed);
  const int64_t n = points.rows();
  RowMatrix centers(k, points.cols());
  centers.row(0) = points.row(weighted_pick(rand, weights));
  std::vector<double> cost(n);
  for (int64_t p = 0; p < n; ++p) cost[p] = (points.row(p) - centers.row(0)).squaredNorm();
  for (int i = 1; i < k; ++i) {
    double sum = 0;
    for (int64_t p = 0; p < n; ++p) sum += cost[p] * weights[p];
    const double r = rand.uniform() * sum;
    int64_t j = 0;
    for (double cumulative = 0; j < n && cumulative < r; ++j) cumulative += weights[j] * cost[j];
    centers.row(i) = points.row(j == 0 ? 0 : j - 1);
    for (int64_t p = 0; p < n; ++p) cost[p] = std::min(cost[p], (points.row(p) - centers.row(i)).squaredNorm());
  }
  std::vector<int> old_closest(n, -1);
  bool moved = true;
  for (int iteration = 0; moved && iteration < max_iterations; ++iteration) {
    moved = false;
    RowMatrix sums = RowMatrix::Zero(k, points.cols());
    std::vector<double> counts(k, 0.0);
    for (int64_t p = 0; p < n; ++p) {
      int best = 0;
      double min = std::numeric_limits<double>::infinity();
      for (int j = 0; j < k; ++j) {
        double d = (points.row(p) - centers.row(j)).squaredNorm();
        if (d < min) {
          min = d;
          best = j;
        }
      }
      sums.row(best) += weights[p] * points.row(p);
      counts[best] += weights[p];
      if (best != old_closest[p]) {
        moved = true;
        old_closest[p] = best;
      }
    }
    for (int j = 0; j < k; ++j)
      centers.row(j) = counts[j] == 0 ? RowMatrix(points.row(rand.below(n))) : RowMatrix(sums.row(j) / counts[j]);
  }
  return centers;
}

RowMatrix init_random(const detail::Blocks& blocks, int k, uint64_t seed) {
  Random rand(seed);
  std::vector<int64_t> picked;
  std::set<int64_t> seen;
  while (static_cast<int>(picked.size()) < k)  // k <= count was checked
    if (int64_t p = rand.below(blocks.count); seen.insert(p).second) picked.push_back(p);
  auto rows = detail::rows_at(blocks, picked);  // in position order; put back in draw order
  std::vector<DenseVector> drawn;
  for (int64_t p : picked)
    drawn.push_back(std::lower_bound(rows.begin(), rows.end(), p,
                                     [](const PositionedRow& r, int64_t q) { return r.first < q; })
                        ->second);
  return distinct_rows(drawn);
}

RowMatrix init_parallel(const detail::Blocks& blocks, int k, int steps, uint64_t seed) {
  Random rand(seed);
  std::vector<DenseVector> candidates{detail::rows_at(blocks, {rand.below(blocks.count)})[0].second};
  for (int step = 0; step < steps; ++step) {
    auto centers = Centers::of(distinct_rows(candidates));
    const double total = blocks.rdd.tree_aggregate(0.0, AddCost{centers}, Plus{});
    if (!(total > 0)) break;  // every point is a candidate already
    auto chosen = blocks.rdd.flat_map(ChooseCandidates{centers, 2.0 * k / total, seed, step}).collect();
    for (auto& [position, row] : chosen) candidates.push_back(std::move(row));
  }
  RowMatrix distinct = distinct_rows(candidates);
  if (distinct.rows() <= k) return distinct;
  DenseVector weights = blocks.rdd.tree_aggregate(DenseVector(DenseVector::Zero(distinct.rows())),
                                                  AddWeightToClosest{Centers::of(distinct)}, AddVectors{});
  return local_kmeans_plus_plus(seed, distinct, std::vector<double>(weights.data(), weights.data() + weights.size()),
                                k, 30);
}

void check(bool ok, const char* param, const char* rule, double value) {
  detail::check_param(ok, "KMeans", param, rule, value);
}

struct PredictCluster {
  Centers centers;
  template <class Ar> void serialize(Ar& ar) { ar(centers); }
  int operator()(const Vector& x) const {
    detail::check_features("KMeansModel", static_cast<int>(centers.rows.cols()), x);
    double x_norm = 0;
    for (double v : x.values()) x_norm += v * v;
    int best = 0;
    double min = std::numeric_limits<double>::infinity();
    for (int j = 0; j < centers.k(); ++j) {
      double product = 0;
      x.for_each_active([&](int32_t c, double v) { product += v * centers.rows(j, c); });
      const double d = x_norm + centers.norms[j] - 2.0 * product;
      if (d < min) {
        min = d;
        best = j;
      }
    }
    return best;
  }
};

struct SquaredDistanceToClosest {
  PredictCluster predict;
  template <class Ar> void serialize(Ar& ar) { ar(predict); }
  double operator()(const Vector& x) const {
    auto c = predict.centers.rows.row(predict(x));
    double d = 0;
    for (int32_t j = 0; j < x.size(); ++j) {
      const double diff = x[j] - c[j];
      d += diff * diff;
    }
    return d;
  }
};

}  // namespace kmeans_impl
using namespace kmeans_impl;

KMeansModel::KMeansModel(DenseMatrix centers) : centers_(std::move(centers)) {}

std::vector<Vector> KMeansModel::cluster_centers() const {
  std::vector<Vector> out;
  for (int j = 0; j < k(); ++j) out.push_back(Vector::dense(DenseVector(centers_.row(j).transpose())));
  return out;
}

int KMeansModel::predict(const Vector& point) const { return PredictCluster{Centers::of(centers_)}(point); }

RDD<int> KMeansModel::predict(const RDD<Vector>& points) const {
  return points.map(PredictCluster{Centers::of(centers_)});
}

double KMeansModel::compute_cost(const RDD<Vector>& points) const {
  return points.map(SquaredDistanceToClosest{{Centers::of(centers_)}}).fold(0.0, Plus{});
}

void KMeansModel::save(const std::string& path, bool overwrite) const {
  detail::Metadata m;
  m.set("k", static_cast<double>(k()));
  m.set("num_features", static_cast<double>(num_features()));
  m.set("training_cost", training_cost_);
  m.set("num_iter", static_cast<double>(num_iter_));
  m.set("distance_measure", std::string("euclidean"));
  ByteWriter data;
  data(centers_);
  detail::save_model(path, kModelClass, m, data.bytes(), overwrite);
}

KMeansModel KMeansModel::load(const std::string& path) {
  auto saved = detail::load_model(path, kModelClass);
  KMeansModel model;
  try {
    ByteReader r(saved.data);
    r(model.centers_);
  } catch (const std::exception& e) {
    throw std::runtime_error("KMeansModel.load(" + path + "): data.bin does not decode: " + e.what());
  }
  if (model.k() != saved.metadata.number("k") || model.num_features() != saved.metadata.number("num_features"))
    throw std::runtime_error("KMeansModel.load(" + path + "): data.bin's centres do not match metadata.json");
  model.training_cost_ = saved.metadata.number("training_cost");
  model.num_iter_ = static_cast<int>(saved.metadata.number("num_iter"));
  return model;
}

KMeans& KMeans::k(int v) {
  check(v >= 2, "k", "at least 2", v);
  k_ = v;
  return *this;
}
KMeans& KMeans::max_iter(int v) {
  check(v >= 0, "max_iter", "at least 0", v);
  max_iter_ = v;
  return *this;
}
KMeans& KMeans::tol(double v) {
  check(v >= 0, "tol", "at least 0", v);
  tol_ = v;
  return *this;
}
KMeans& KMeans::init_mode(const std::string& v) {
  if (v != "k-means||" && v != "random")
    throw std::invalid_argument("KMeans: init_mode must be \"k-means||\" or \"random\", got \"" + v + "\"");
  init_mode_ = v;
  return *this;
}
KMeans& KMeans::init_steps(int v) {
  check(v >= 1, "init_steps", "at least 1", v);
  init_steps_ = v;
  return *this;
}
KMeans& KMeans::seed(uint64_t v) {
  seed_ = v;
  return *this;
}

KMeans& KMeans::max_block_size_in_mb(double v) {
  check(v >= 0, "max_block_size_in_mb", "at least 0", v);
  max_block_size_in_mb_ = v;
  return *this;
}

KMeansModel KMeans::fit(const RDD<Vector>& points) const {
  auto blocks = detail::make_blocks(points, "KMeans", max_block_size_in_mb_);
  if (blocks.count < k_)
    throw std::invalid_argument("KMeans: k = " + std::to_string(k_) + " is larger than the number of points (" +
                                std::to_string(blocks.count) + ")");
  RowMatrix centers = init_mode_ == "random" ? init_random(blocks, k_, seed_)
                                             : init_parallel(blocks, k_, init_steps_, seed_);
  const int k = static_cast<int>(centers.rows());
  if (k < k_) spdlog::warn("KMeans: the data has only {} distinct points; the model has {} centres, not {}", k, k, k_);

  KMeansModel model;
  bool converged = false;
  int iteration = 0;
  double cost = 0;
  IterationClock clock(blocks.rdd.node()->runtime(), "kmeans");
  while (iteration < max_iter_ && !converged) {
    LloydSums zero{RowMatrix::Zero(k, blocks.num_features), DenseVector::Zero(k), 0};
    LloydSums sums = blocks.rdd.tree_aggregate(zero, AddBlockToSums{Centers::of(centers)}, AddSums{});
    converged = true;
    for (int j = 0; j < k; ++j) {
      if (sums.weights[j] == 0) continue;  // an empty cluster keeps its centre
      RowMatrix next = sums.sums.row(j) / sums.weights[j];
      if ((next - centers.row(j)).squaredNorm() > tol_ * tol_) converged = false;
      centers.row(j) = next;
    }
    cost = sums.cost;
    ++iteration;
    clock.lap(iteration, cost);  // the cost of the centres this iteration started from
  }
  spdlog::info("KMeans: {} centres after {} iterations ({}), cost {}", k, iteration,
               converged ? "converged" : "max_iter reached", cost);
  model.centers_ = centers;
  model.training_cost_ = cost;
  model.num_iter_ = iteration;
  return model;
}

}  // namespace brasa::mllib
