// k-means clustering as Spark ML's KMeans:
//
//   auto model = KMeans().k(10).seed(1).fit(points);      // RDD<Vector>
//   int cluster = model.predict(x);
//
// Lloyd's iterations from k-means|| initialisation (Spark's parallel
// k-means++ with init_steps rounds, then a weighted local k-means++ on the
// candidates) or from k distinct random points. Iterations stop after
// max_iter, or once no centre moves farther than tol. An empty cluster
// keeps its centre. With fewer distinct points than k, the model has fewer
// centres. Seeded and deterministic: the same seed gives the same bits
// whatever the partitioning or the master.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "brasa/mllib/linalg/vector.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class KMeansModel {
 public:
  KMeansModel() = default;
  explicit KMeansModel(DenseMatrix centers);  // one centre per row

  int k() const { return static_cast<int>(centers_.rows()); }
  int num_features() const { return static_cast<int>(centers_.cols()); }
  const DenseMatrix& centers() const { return centers_; }  // k x num_features
  std::vector<Vector> cluster_centers() const;

  // The index of the closest centre (the lowest index on a tie).
  int predict(const Vector& point) const;
  RDD<int> predict(const RDD<Vector>& points) const;
  // Sum of squared distances of the points to their closest centres.
  double compute_cost(const RDD<Vector>& points) const;

  // Training summary: the cost of the last iteration's assignment, and the
  // number of iterations run.
  double training_cost() const { return training_cost_; }
  int num_iter() const { return num_iter_; }

  void save(const std::string& path, bool overwrite = false) const;
  static KMeansModel load(const std::string& path);

 private:
  friend class KMeans;
  DenseMatrix centers_;
  double training_cost_ = 0;
  int num_iter_ = 0;
};

class KMeans {
 public:
  KMeans& k(int v);                         // >= 2, default 2
  KMeans& max_iter(int v);                  // >= 0, default 20
  KMeans& tol(double v);                    // >= 0, default 1e-4
  KMeans& init_mode(const std::string& v);  // "k-means||" (default) or "random"
  KMeans& init_steps(int v);                // >= 1, default 2
  KMeans& seed(uint64_t v);                 // default 42
  // Points are read in blocks of at most this many MiB (0: 1 MiB); Spark's
  // parameter of the linear models, here too.
  KMeans& max_block_size_in_mb(double v);

  int k() const { return k_; }
  int max_iter() const { return max_iter_; }
  double tol() const { return tol_; }
  const std::string& init_mode() const { return init_mode_; }
  int init_steps() const { return init_steps_; }
  uint64_t seed() const { return seed_; }
  double max_block_size_in_mb() const { return max_block_size_in_mb_; }

  // Throws std::invalid_argument for an empty input, fewer points than k,
  // NaN or infinite values, or points of different sizes.
  KMeansModel fit(const RDD<Vector>& points) const;

 private:
  int k_ = 2;
  int max_iter_ = 20;
  double tol_ = 1e-4;
  std::string init_mode_ = "k-means||";
  int init_steps_ = 2;
  uint64_t seed_ = 42;
  double max_block_size_in_mb_ = 0;
};

}  // namespace brasa::mllib
