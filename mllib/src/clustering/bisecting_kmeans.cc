#include "brasa/mllib/clustering/bisecting_kmeans.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "brasa/util/hash.h"
#include "brasa/util/single.h"
#include "instance_block.h"
#include "util/checks.h"
#include "util/model_io.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace bisecting_kmeans_impl {

using detail::InstanceBlock;
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Assignment = std::vector<int64_t>;  // per row of a block: the index of its cluster in the tree
constexpr const char* kModelClass = "brasa.mllib.BisectingKMeansModel";
constexpr double kEpsilon = std::numeric_limits<double>::epsilon();  // Spark's MLUtils.EPSILON
// Spark's cluster indices: the root is 1, the children of i are 2i and 2i + 1.
constexpr int64_t kRoot = 1;
// Spark's LEVEL_LIMIT, log2(Long.MaxValue): levels 1 to 62 keep indices in 63 bits.
constexpr int kLevelLimit = 63;

// |x - c|^2 for row i of a block: exact for a dense row, by |x|^2 + |c|^2 -
// 2 x.c for a sparse one.
double squared_distance(const InstanceBlock& blk, int32_t i, const double* c, double c_norm) {
  if (!blk.sparse()) {
    const double* x = blk.values.data() + int64_t{i} * blk.cols;
    double d = 0;
    for (int32_t j = 0; j < blk.cols; ++j) {
      const double diff = x[j] - c[j];
      d += diff * diff;
    }
    return d;
  }
  double x_norm = 0, dot = 0;
  blk.for_each_in_row(i, [&](int32_t j, double x) {
    x_norm += x * x;
    dot += x * c[j];
  });
  return std::max(x_norm + c_norm - 2.0 * dot, 0.0);
}

// The same for a point given as a Vector.
double squared_distance(const Vector& x, const double* c, double c_norm) {
  if (!x.is_sparse()) {
    double d = 0;
    for (int32_t j = 0; j < x.size(); ++j) {
      const double diff = x[j] - c[j];
      d += diff * diff;
    }
    return d;
  }
  double x_norm = 0, dot = 0;
  x.for_each_active([&](int32_t j, double v) {
    x_norm += v * v;
    dot += v * c[j];
  });
  return std::max(x_norm + c_norm - 2.0 * dot, 0.0);
}

using detail::uniform_at;

// The clusters being divided on a level, and their children's centres: rows
// 2j and 2j + 1 are the left and right children of parents[j]. A child
// that lost all its points has no centre any more.
struct Split {
  std::vector<int64_t> parents;  // ascending
  RowMatrix centers;
  DenseVector norms;
  std::vector<uint8_t> present;
  template <class Ar> void serialize(Ar& ar) { ar(parents, centers, norms, present); }

  int slot_of(int64_t cluster) const {
    auto it = std::lower_bound(parents.begin(), parents.end(), cluster);
    return it != parents.end() && *it == cluster ? static_cast<int>(it - parents.begin()) : -1;
  }
  // Spark's updateAssignments for row i of a block in parent slot j: the
  // row of the closer child (the left one on a tie), or -1 when neither
  // child has a centre. dist receives the squared distance to it.
  int closest_child(const InstanceBlock& blk, int32_t i, int j, double* dist) const {
    int best = -1;
    double min = std::numeric_limits<double>::infinity();
    for (int r = 2 * j; r < 2 * j + 2; ++r) {
      if (!present[r]) continue;
      const double d = squared_distance(blk, i, centers.row(r).data(), norms[r]);
      if (best < 0 || d < min) {
        min = d;
        best = r;
      }
    }
    *dist = min;
    return best;
  }
};

// Per child: its points' count, sum, and sum of squared distances to the
// centre they were assigned by.
struct ChildSums {
  std::vector<int64_t> counts;
  RowMatrix sums;
  std::vector<double> squares;
  template <class Ar> void serialize(Ar& ar) { ar(counts, sums, squares); }

  static ChildSums zero(int64_t children, int32_t cols) {
    return ChildSums{std::vector<int64_t>(children, 0), RowMatrix::Zero(children, cols),
                     std::vector<double>(children, 0.0)};
  }
};

struct AddChildSums {
  ChildSums operator()(ChildSums a, const ChildSums& b) const {
    for (size_t r = 0; r < a.counts.size(); ++r) {
      a.counts[r] += b.counts[r];
      a.squares[r] += b.squares[r];
    }
    a.sums += b.sums;
    return a;
  }
};

// One k-means iteration of every split on the level: the points of the
// clusters being divided, assigned to the closer child.
struct SumChildren {
  Split split;
  int32_t cols = 0;
  template <class Ar> void serialize(Ar& ar) { ar(split, cols); }
  std::vector<ChildSums> operator()(const std::vector<InstanceBlock>& blocks,
                                    const std::vector<Assignment>& assignments) const {
    ChildSums acc = ChildSums::zero(split.centers.rows(), cols);
    for (size_t b = 0; b < blocks.size(); ++b) {
      const InstanceBlock& blk = blocks[b];
      for (int32_t i = 0; i < blk.rows; ++i) {
        const int j = split.slot_of(assignments[b][i]);
        if (j < 0) continue;
        double dist = 0;
        const int r = split.closest_child(blk, i, j, &dist);
        if (r < 0) continue;
        ++acc.counts[r];
        acc.squares[r] += dist;
        double* sum = acc.sums.row(r).data();
        blk.for_each_in_row(i, [&](int32_t c, double x) { sum[c] += x; });
      }
    }
    return single(std::move(acc));
  }
};

// The assignments once a level is split: points of divided clusters move to
// the closer child.
struct Reassign {
  Split split;
  template <class Ar> void serialize(Ar& ar) { ar(split); }
  std::vector<Assignment> operator()(const std::vector<InstanceBlock>& blocks,
                                     const std::vector<Assignment>& assignments) const {
    std::vector<Assignment> out = assignments;
    for (size_t b = 0; b < blocks.size(); ++b) {
      for (int32_t i = 0; i < blocks[b].rows; ++i) {
        const int j = split.slot_of(out[b][i]);
        if (j < 0) continue;
        double dist = 0;
        const int r = split.closest_child(blocks[b], i, j, &dist);
        if (r >= 0) out[b][i] = 2 * split.parents[j] + (r & 1);
      }
    }
    return out;
  }
};

struct AllInRoot {
  Assignment operator()(const InstanceBlock& blk) const { return Assignment(blk.rows, kRoot); }
};

struct CountAndSum {
  using Acc = std::pair<int64_t, DenseVector>;
  Acc operator()(Acc acc, const InstanceBlock& blk) const {
    acc.first += blk.rows;
    for (int32_t i = 0; i < blk.rows; ++i) blk.for_each_in_row(i, [&](int32_t c, double x) { acc.second[c] += x; });
    return acc;
  }
};
struct AddCountAndSum {
  CountAndSum::Acc operator()(CountAndSum::Acc a, const CountAndSum::Acc& b) const {
    a.first += b.first;
    a.second += b.second;
    return a;
  }
};

struct SquaredDistancesTo {
  DenseVector center;
  double norm = 0;
  template <class Ar> void serialize(Ar& ar) { ar(center, norm); }
  double operator()(double acc, const InstanceBlock& blk) const {
    for (int32_t i = 0; i < blk.rows; ++i) acc += squared_distance(blk, i, center.data(), norm);
    return acc;
  }
};

struct Plus {
  double operator()(double a, double b) const { return a + b; }
};

// Spark's ClusterSummary.
struct Summary {
  int64_t size = 0;
  DenseVector center;
  double cost = 0;
};

// Walks the tree from the root to a leaf, as Spark's ClusteringTreeNode.predict.
struct PredictLeaf {
  std::vector<BisectingKMeansModel::Node> nodes;
  RowMatrix centers;
  DenseVector norms;
  template <class Ar> void serialize(Ar& ar) { ar(nodes, centers, norms); }

  PredictLeaf() = default;
  PredictLeaf(const std::vector<BisectingKMeansModel::Node>& n, const DenseMatrix& c)
      : nodes(n), centers(c), norms(c.rowwise().squaredNorm()) {}

  // The leaf's node number, and the squared distance to its centre.
  std::pair<int, double> leaf(const Vector& x) const {
    detail::check_features("BisectingKMeansModel", static_cast<int>(centers.cols()), x);
    int node = 0;
    double cost = squared_distance(x, centers.row(0).data(), norms[0]);
    while (!nodes[node].children.empty()) {
      int best = -1;
      double min = std::numeric_limits<double>::infinity();
      for (int child : nodes[node].children) {
        const double d = squared_distance(x, centers.row(child).data(), norms[child]);
        if (best < 0 || d < min) {
          min = d;
          best = child;
        }
      }
      node = best;
      cost = min;
    }
    return {node, cost};
  }
  int operator()(const Vector& x) const { return nodes[leaf(x).first].cluster; }
};

struct CostOf {
  PredictLeaf predict;
  template <class Ar> void serialize(Ar& ar) { ar(predict); }
  double operator()(const Vector& x) const { return predict.leaf(x).second; }
};

void check(bool ok, const char* param, const char* rule, double value) {
  detail::check_param(ok, "BisectingKMeans", param, rule, value);
}

// Spark's splitCenter: the centre plus and minus 1e-4 |centre| times
// uniform noise in [0, 1) per feature, drawn from (seed, cluster index).
void split_center(const DenseVector& center, int64_t index, uint64_t seed, RowMatrix& out, int row) {
  const double level = 1e-4 * center.norm();
  for (Eigen::Index j = 0; j < center.size(); ++j) {
    const double noise = uniform_at(seed, static_cast<uint64_t>(index), j);
    out(row, j) = center[j] - level * noise;
    out(row + 1, j) = center[j] + level * noise;
  }
}

// Caches and computes the next assignments, then releases the previous ones.
void advance(RDD<Assignment>& current, RDD<Assignment> next) {
  next.cache();
  next.count();
  current.unpersist();
  current = std::move(next);
}

}  // namespace bisecting_kmeans_impl
using namespace bisecting_kmeans_impl;

DenseMatrix BisectingKMeansModel::centers() const {
  DenseMatrix out(k_, num_features());
  for (size_t n = 0; n < nodes_.size(); ++n)
    if (nodes_[n].children.empty()) out.row(nodes_[n].cluster) = node_centers_.row(n);
  return out;
}

std::vector<Vector> BisectingKMeansModel::cluster_centers() const {
  DenseMatrix c = centers();
  std::vector<Vector> out;
  for (int j = 0; j < k_; ++j) out.push_back(Vector::dense(DenseVector(c.row(j).transpose())));
  return out;
}

int BisectingKMeansModel::predict(const Vector& point) const { return PredictLeaf(nodes_, node_centers_)(point); }

RDD<int> BisectingKMeansModel::predict(const RDD<Vector>& points) const {
  return points.map(PredictLeaf(nodes_, node_centers_));
}

double BisectingKMeansModel::compute_cost(const RDD<Vector>& points) const {
  return points.map(CostOf{PredictLeaf(nodes_, node_centers_)}).fold(0.0, Plus{});
}

void BisectingKMeansModel::save(const std::string& path, bool overwrite) const {
  detail::Metadata m;
  m.set("k", static_cast<double>(k_));
  m.set("num_features", static_cast<double>(num_features()));
  m.set("num_nodes", static_cast<double>(nodes_.size()));
  m.set("training_cost", training_cost_);
  m.set("distance_measure", std::string("euclidean"));
  ByteWriter data;
  data(nodes_, node_centers_);
  detail::save_model(path, kModelClass, m, data.bytes(), overwrite);
}

BisectingKMeansModel BisectingKMeansModel::load(const std::string& path) {
  auto saved = detail::load_model(path, kModelClass);
  BisectingKMeansModel model;
  try {
    ByteReader r(saved.data);
    r(model.nodes_, model.node_centers_);
  } catch (const std::exception& e) {
    throw std::runtime_error("BisectingKMeansModel.load(" + path + "): data.bin does not decode: " + e.what());
  }
  const auto bad = [&](const std::string& what) {
    return std::runtime_error("BisectingKMeansModel.load(" + path + "): " + what);
  };
  const int64_t num_nodes = static_cast<int64_t>(model.nodes_.size());
  if (num_nodes != saved.metadata.number("num_nodes") || model.node_centers_.rows() != num_nodes ||
      model.num_features() != saved.metadata.number("num_features") || num_nodes == 0)
    throw bad("data.bin's tree does not match metadata.json");
  model.k_ = static_cast<int>(saved.metadata.number("k"));
  // Each node but the root is the child of one earlier node; leaves are numbered 0..k-1 in order.
  int leaves = 0;
  for (int64_t n = 0; n < num_nodes; ++n) {
    const auto& node = model.nodes_[n];
    for (int child : node.children)
      if (child <= n || child >= num_nodes) throw bad("node " + std::to_string(n) + " has a bad child");
    if (node.children.empty() ? node.cluster != leaves++ : node.cluster != -1)
      throw bad("node " + std::to_string(n) + " has a bad cluster number");
  }
  if (leaves != model.k_) throw bad("the tree has " + std::to_string(leaves) + " leaves, metadata.json says k = " +
                                    std::to_string(model.k_));
  model.training_cost_ = saved.metadata.number("training_cost");
  return model;
}

BisectingKMeans& BisectingKMeans::k(int v) {
  check(v >= 2, "k", "at least 2", v);
  k_ = v;
  return *this;
}
BisectingKMeans& BisectingKMeans::max_iter(int v) {
  check(v >= 1, "max_iter", "at least 1", v);
  max_iter_ = v;
  return *this;
}
BisectingKMeans& BisectingKMeans::min_divisible_cluster_size(double v) {
  check(v > 0 && std::isfinite(v), "min_divisible_cluster_size", "positive and finite", v);
  min_divisible_cluster_size_ = v;
  return *this;
}
BisectingKMeans& BisectingKMeans::seed(uint64_t v) {
  seed_ = v;
  return *this;
}
BisectingKMeans& BisectingKMeans::max_block_size_in_mb(double v) {
  check(v >= 0, "max_block_size_in_mb", "at least 0", v);
  max_block_size_in_mb_ = v;
  return *this;
}

BisectingKMeansModel BisectingKMeans::fit(const RDD<Vector>& points) const {
  auto blocks = detail::make_blocks(points, "BisectingKMeans", max_block_size_in_mb_);
  const int32_t d = blocks.num_features;

  // The root: all points, its cost exact from a second pass around the mean.
  auto [n, sum] = blocks.rdd.tree_aggregate(CountAndSum::Acc{0, DenseVector::Zero(d)}, CountAndSum{},
                                            AddCountAndSum{});
  Summary root{n, sum / static_cast<double>(n), 0};
  root.cost = blocks.rdd.tree_aggregate(0.0, SquaredDistancesTo{root.center, root.center.squaredNorm()}, Plus{});
  const int64_t min_size = static_cast<int64_t>(std::ceil(
      min_divisible_cluster_size_ >= 1.0 ? min_divisible_cluster_size_ : min_divisible_cluster_size_ * n));
  spdlog::debug("BisectingKMeans: {} points, initial cost {}, divisible clusters need {} points", n, root.cost,
                min_size);

  std::map<int64_t, Summary> active{{kRoot, root}}, done;
  RDD<Assignment> assignments = blocks.rdd.map(AllInRoot{});
  assignments.cache();
  int needed = k_ - 1;
  for (int level = 1; !active.empty() && needed > 0 && level < kLevelLimit; ++level) {
    // Divisible clusters are large enough and have a cost; if there are
    // more than needed, the larger ones (then the lower indices).
    std::vector<int64_t> divisible;
    for (const auto& [index, s] : active)
      if (s.size >= min_size && s.cost > kEpsilon * static_cast<double>(s.size)) divisible.push_back(index);
    if (static_cast<int>(divisible.size()) > needed) {
      std::stable_sort(divisible.begin(), divisible.end(),
                       [&](int64_t a, int64_t b) { return active[a].size > active[b].size; });
      divisible.resize(needed);
      std::sort(divisible.begin(), divisible.end());
    }
    if (divisible.empty()) {
      spdlog::debug("BisectingKMeans: no divisible clusters left on level {}", level);
      break;
    }
    spdlog::debug("BisectingKMeans: dividing {} clusters on level {}", divisible.size(), level);
    const int64_t children = 2 * static_cast<int64_t>(divisible.size());
    Split split{divisible, RowMatrix(children, d), DenseVector(children), std::vector<uint8_t>(children, 1)};
    for (size_t j = 0; j < divisible.size(); ++j)
      split_center(active[divisible[j]].center, divisible[j], seed_, split.centers, static_cast<int>(2 * j));
    split.norms = split.centers.rowwise().squaredNorm();

    std::map<int64_t, Summary> next;
    for (int iteration = 0; iteration < max_iter_; ++iteration) {
      ChildSums sums = blocks.rdd.zip_partitions(assignments, SumChildren{split, d})
                           .tree_aggregate(ChildSums::zero(children, d), AddChildSums{}, AddChildSums{});
      next.clear();
      for (int64_t r = 0; r < children; ++r) {
        split.present[r] = sums.counts[r] > 0;
        if (!split.present[r]) continue;
        const double count = static_cast<double>(sums.counts[r]);
        DenseVector mean = sums.sums.row(r).transpose() / count;
        // Sum of |x - mean|^2 from the sum of |x - c|^2 around the centre c
        // the points were assigned by: stable when c is near the mean.
        double shift = 0;  // |mean - c|^2, summed as squared_distance sums
        for (int32_t j = 0; j < d; ++j) {
          const double diff = mean[j] - split.centers(r, j);
          shift += diff * diff;
        }
        const double cost = std::max(sums.squares[r] - count * shift, 0.0);
        next[2 * divisible[r / 2] + (r & 1)] = Summary{sums.counts[r], mean, cost};
        split.centers.row(r) = mean.transpose();
      }
      split.norms = split.centers.rowwise().squaredNorm();
    }
    for (size_t j = 0; j < divisible.size(); ++j)
      if (!split.present[2 * j] || !split.present[2 * j + 1])
        spdlog::warn("BisectingKMeans: cluster {} could not be split: a child has no points", divisible[j]);
    advance(assignments, blocks.rdd.zip_partitions(assignments, Reassign{split}));
    done.merge(active);
    active = std::move(next);
    needed -= static_cast<int>(divisible.size());
  }
  assignments.unpersist();
  done.merge(active);

  // Spark's buildTree: nodes numbered depth-first, leaves numbered in order.
  BisectingKMeansModel model;
  std::vector<DenseVector> centers;
  std::function<int(int64_t)> build = [&](int64_t index) {
    const Summary& s = done.at(index);
    const int node = static_cast<int>(model.nodes_.size());
    model.nodes_.push_back({-1, s.size, s.cost, {}});
    centers.push_back(s.center);
    std::vector<int> kids;
    if (index <= std::numeric_limits<int64_t>::max() / 2)
      for (int64_t child : {2 * index, 2 * index + 1})
        if (done.count(child)) kids.push_back(build(child));
    if (kids.empty()) {
      model.nodes_[node].cluster = model.k_++;
      model.training_cost_ += s.cost;
    }
    model.nodes_[node].children = std::move(kids);
    return node;
  };
  build(kRoot);
  model.node_centers_.resize(static_cast<Eigen::Index>(centers.size()), d);
  for (size_t r = 0; r < centers.size(); ++r) model.node_centers_.row(r) = centers[r].transpose();
  spdlog::info("BisectingKMeans: {} clusters, training cost {}", model.k_, model.training_cost_);
  return model;
}

}  // namespace brasa::mllib
