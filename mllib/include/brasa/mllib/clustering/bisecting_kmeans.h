// Bisecting k-means as Spark ML's BisectingKMeans:
//
//   auto model = BisectingKMeans().k(8).seed(1).fit(points);   // RDD<Vector>
//   int cluster = model.predict(x);
//
// Divisive hierarchical clustering. All points start in one cluster; level
// by level, each divisible leaf is split in two by k-means with two centres
// started at the leaf's centre plus and minus small random noise, run for
// max_iter iterations. A leaf is divisible when it has at least
// min_divisible_cluster_size points (a count when >= 1, else a fraction of
// all points) and a cost above zero; leaves not split on their level are
// final. When a level has more divisible leaves than clusters still wanted,
// the larger ones are split. The model may have fewer than k clusters.
//
// Clusters are the leaves of the tree in depth-first order (left child
// first); a point is predicted by walking down from the root to the closer
// child centre at each split, as Spark does. Euclidean distance. Seeded and
// deterministic: the same seed gives the same bits whatever the
// partitioning or the master.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "brasa/mllib/linalg/vector.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class BisectingKMeansModel {
 public:
  // A node of the tree: its centre is row `node` of node_centers().
  struct Node {
    int cluster = -1;           // leaf: its cluster index; internal node: -1
    int64_t size = 0;           // training points in the node
    double cost = 0;            // their sum of squared distances to its centre
    std::vector<int> children;  // node numbers (left first); empty for a leaf
    bool operator==(const Node&) const = default;
    template <class Ar> void serialize(Ar& ar) { ar(cluster, size, cost, children); }
  };

  BisectingKMeansModel() = default;

  int k() const { return k_; }
  int num_features() const { return static_cast<int>(node_centers_.cols()); }
  // The leaves' centres, one row per cluster.
  DenseMatrix centers() const;
  std::vector<Vector> cluster_centers() const;
  // The tree in depth-first order, node 0 the root.
  const std::vector<Node>& nodes() const { return nodes_; }
  const DenseMatrix& node_centers() const { return node_centers_; }

  // The leaf reached from the root by moving to the closer child centre
  // (the left one on a tie).
  int predict(const Vector& point) const;
  RDD<int> predict(const RDD<Vector>& points) const;
  // Sum of squared distances of the points to the centres of their predicted clusters.
  double compute_cost(const RDD<Vector>& points) const;
  // Spark's training cost: the sum of the leaves' costs at training.
  double training_cost() const { return training_cost_; }

  void save(const std::string& path, bool overwrite = false) const;
  static BisectingKMeansModel load(const std::string& path);

 private:
  friend class BisectingKMeans;
  std::vector<Node> nodes_;
  DenseMatrix node_centers_;  // one row per node
  int k_ = 0;
  double training_cost_ = 0;
};

class BisectingKMeans {
 public:
  BisectingKMeans& k(int v);                              // >= 2, default 4
  BisectingKMeans& max_iter(int v);                       // >= 1, default 20
  BisectingKMeans& min_divisible_cluster_size(double v);  // > 0, default 1
  BisectingKMeans& seed(uint64_t v);                      // default 42
  // Points are read in blocks of at most this many MiB (0: 1 MiB).
  BisectingKMeans& max_block_size_in_mb(double v);

  int k() const { return k_; }
  int max_iter() const { return max_iter_; }
  double min_divisible_cluster_size() const { return min_divisible_cluster_size_; }
  uint64_t seed() const { return seed_; }
  double max_block_size_in_mb() const { return max_block_size_in_mb_; }

  // Throws std::invalid_argument for an empty input, NaN or infinite
  // values, or points of different sizes.
  BisectingKMeansModel fit(const RDD<Vector>& points) const;

 private:
  int k_ = 4;
  int max_iter_ = 20;
  double min_divisible_cluster_size_ = 1.0;
  uint64_t seed_ = 42;
  double max_block_size_in_mb_ = 0;
};

}  // namespace brasa::mllib
