// The silhouette of a clustering, as Spark's ClusteringEvaluator with its
// default squared Euclidean distance: the mean over points of
//   s = (b - a) / max(a, b)   (0 when a = b, and for a point alone in its cluster)
// where a is the point's mean distance to the other points of its cluster
// and b the least mean distance to the points of another cluster. As in
// Spark, the distances come from per-cluster sums (count, sum of points, sum
// of squared norms) in two passes, O(n k d) instead of all pairs:
//   mean distance of x to cluster C = |x|^2 + sum_C |y|^2 / |C| - 2 x . sum_C y / |C|,
// exact for squared Euclidean distance.
#pragma once

#include <utility>

#include "brasa/mllib/linalg/vector.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class ClusteringEvaluator {
 public:
  using PointAndCluster = std::pair<Vector, int>;
  // Throws std::invalid_argument for an empty input, fewer than 2 clusters
  // or points of different sizes.
  double silhouette(const RDD<PointAndCluster>& points) const;
  double evaluate(const RDD<PointAndCluster>& points) const { return silhouette(points); }
};

}  // namespace brasa::mllib
