#include "brasa/mllib/evaluation/clustering_evaluator.h"

#include <algorithm>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <spdlog/fmt/fmt.h>

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace clustering_evaluator_impl {

using PointAndCluster = ClusteringEvaluator::PointAndCluster;

double squared_norm(const Vector& x) {
  double s = 0;
  x.for_each_active([&](int32_t, double v) { s += v * v; });
  return s;
}

// Spark's ClusterStats: a cluster's number of points, their sum and the sum
// of their squared norms.
struct ClusterStats {
  int64_t count = 0;
  DenseVector sum;
  double squared_norm_sum = 0;
  template <class Ar> void serialize(Ar& ar) { ar(count, sum, squared_norm_sum); }
};

struct Clusters {
  int32_t size = -1;
  std::map<int, ClusterStats> stats;
  std::string error;
  template <class Ar> void serialize(Ar& ar) { ar(size, stats, error); }

  bool same_size(int32_t n) {
    if (size < 0) size = n;
    if (n == size) return true;
    if (error.empty()) error = fmt::format("ClusteringEvaluator: points have different sizes ({} and {})", size, n);
    return false;
  }
};

struct AddPoint {
  Clusters operator()(Clusters acc, const PointAndCluster& p) const {
    if (!acc.same_size(p.first.size())) return acc;
    ClusterStats& c = acc.stats[p.second];
    if (c.sum.size() == 0) c.sum = DenseVector::Zero(acc.size);
    ++c.count;
    p.first.add_scaled_to(1.0, c.sum);
    c.squared_norm_sum += squared_norm(p.first);
    return acc;
  }
};

struct MergeClusters {
  Clusters operator()(Clusters a, const Clusters& b) const {
    if (a.error.empty() && !b.error.empty()) a.error = b.error;
    if (b.size < 0 || !a.same_size(b.size)) return a;
    for (const auto& [id, s] : b.stats) {
      ClusterStats& c = a.stats[id];
      if (c.sum.size() == 0) {
        c = s;
        continue;
      }
      c.count += s.count;
      c.sum += s.sum;
      c.squared_norm_sum += s.squared_norm_sum;
    }
    return a;
  }
};

struct SilhouetteSum {
  double sum = 0;
  int64_t count = 0;
};

// Each point's silhouette from the clusters' statistics (Spark's
// computeSilhouetteCoefficient and pointSilhouetteCoefficient).
struct AddSilhouette {
  std::vector<int> ids;  // ascending
  std::vector<ClusterStats> stats;
  template <class Ar> void serialize(Ar& ar) { ar(ids, stats); }

  SilhouetteSum operator()(SilhouetteSum acc, const PointAndCluster& p) const {
    const size_t own = static_cast<size_t>(std::lower_bound(ids.begin(), ids.end(), p.second) - ids.begin());
    if (own == ids.size() || ids[own] != p.second)
      throw std::runtime_error("ClusteringEvaluator: the points changed between the two passes; persist them");
    const double own_count = static_cast<double>(stats[own].count);
    ++acc.count;
    if (stats[own].count == 1) return acc;  // alone in its cluster: 0
    const double x_norm = squared_norm(p.first);
    // The mean squared distance of the point to the points of cluster c.
    auto mean_distance = [&](size_t c) {
      const double n = static_cast<double>(stats[c].count);
      return x_norm + stats[c].squared_norm_sum / n - 2.0 * p.first.dot(stats[c].sum) / n;
    };
    double neighbour = std::numeric_limits<double>::infinity();
    for (size_t c = 0; c < stats.size(); ++c)
      if (c != own) neighbour = std::min(neighbour, mean_distance(c));
    // Leaves the point itself (at distance 0) out of its own cluster's mean.
    const double current = mean_distance(own) * own_count / (own_count - 1.0);
    if (current < neighbour) {
      acc.sum += 1.0 - current / neighbour;
    } else if (current > neighbour) {
      acc.sum += neighbour / current - 1.0;
    }
    return acc;
  }
};

struct AddSilhouetteSums {
  SilhouetteSum operator()(SilhouetteSum a, const SilhouetteSum& b) const {
    a.sum += b.sum;
    a.count += b.count;
    return a;
  }
};

}  // namespace clustering_evaluator_impl
using namespace clustering_evaluator_impl;

double ClusteringEvaluator::silhouette(const RDD<PointAndCluster>& points) const {
  Clusters clusters = points.tree_aggregate(Clusters{}, AddPoint{}, MergeClusters{});
  if (!clusters.error.empty()) throw std::invalid_argument(clusters.error);
  if (clusters.stats.empty()) throw std::invalid_argument("ClusteringEvaluator: there are no points");
  if (clusters.stats.size() < 2)
    throw std::invalid_argument("ClusteringEvaluator: Number of clusters must be greater than one.");
  AddSilhouette add;
  for (auto& [id, s] : clusters.stats) {
    add.ids.push_back(id);
    add.stats.push_back(std::move(s));
  }
  SilhouetteSum total = points.tree_aggregate(SilhouetteSum{}, std::move(add), AddSilhouetteSums{});
  return total.sum / static_cast<double>(total.count);
}

}  // namespace brasa::mllib
