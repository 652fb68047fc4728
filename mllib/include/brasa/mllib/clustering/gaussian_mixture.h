// Gaussian mixture models as Spark ML's GaussianMixture:
//
//   auto model = GaussianMixture().k(3).seed(1).fit(points);   // RDD<Vector>
//   int component = model.predict(x);
//   Vector p = model.predict_probability(x);
//
// Expectation-maximisation with full covariance matrices. Each component
// starts as the mean of 5 points drawn at random (with replacement) and a
// diagonal covariance of their per-feature variances, with weight 1/k.
// Every iteration is one pass over the data; it stops after max_iter
// iterations or once the log-likelihood changes by no more than tol.
//
// Densities follow Spark's MultivariateGaussian: the covariance's
// eigendecomposition gives its pseudo-inverse and pseudo-determinant, so a
// singular covariance (a constant feature, a collapsed component) still
// has a density on its subspace. Component i's share of a point is
// proportional to EPSILON + weight_i * density_i (EPSILON = 2^-52), as in
// Spark. Seeded and deterministic: the same seed gives the same bits
// whatever the partitioning or the master.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "brasa/mllib/linalg/vector.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class GaussianMixtureModel {
 public:
  GaussianMixtureModel() = default;
  // Throws std::invalid_argument unless the sizes agree, the weights are
  // positive, and each covariance is symmetric with finite values.
  GaussianMixtureModel(std::vector<double> weights, std::vector<DenseVector> means,
                       std::vector<DenseMatrix> covariances);

  int k() const { return static_cast<int>(weights_.size()); }
  int num_features() const { return means_.empty() ? 0 : static_cast<int>(means_[0].size()); }
  const std::vector<double>& weights() const { return weights_; }
  const std::vector<DenseVector>& means() const { return means_; }
  const std::vector<DenseMatrix>& covariances() const { return covariances_; }

  // The component with the highest probability (the lowest index on a tie).
  int predict(const Vector& point) const;
  RDD<int> predict(const RDD<Vector>& points) const;
  // Each component's probability for the point (a dense vector of k values summing to 1).
  Vector predict_probability(const Vector& point) const;
  RDD<Vector> predict_probability(const RDD<Vector>& points) const;
  // log density of component i at the point.
  double log_density(int i, const Vector& point) const;
  // Sum over the points of log(sum_i (EPSILON + weight_i * density_i)).
  double log_likelihood(const RDD<Vector>& points) const;

  // Training summary, as Spark's: the log-likelihood computed by the last
  // iteration (of the parameters before its update), and the number of
  // iterations run.
  double log_likelihood() const { return log_likelihood_; }
  int num_iter() const { return num_iter_; }

  void save(const std::string& path, bool overwrite = false) const;
  static GaussianMixtureModel load(const std::string& path);

 private:
  friend class GaussianMixture;
  std::vector<double> weights_;
  std::vector<DenseVector> means_;
  std::vector<DenseMatrix> covariances_;
  double log_likelihood_ = 0;
  int num_iter_ = 0;
  // Per component, from its covariance: the root of its pseudo-inverse
  // (D^-1/2 U^T) and the log of its density's normalising constant.
  std::vector<DenseMatrix> roots_;
  std::vector<double> log_constants_;
  void prepare();
};

class GaussianMixture {
 public:
  GaussianMixture& k(int v);          // >= 2, default 2
  GaussianMixture& max_iter(int v);   // >= 0, default 100
  GaussianMixture& tol(double v);     // >= 0, default 0.01
  GaussianMixture& seed(uint64_t v);  // default 42
  // Points are read in blocks of at most this many MiB (0: 1 MiB).
  GaussianMixture& max_block_size_in_mb(double v);

  int k() const { return k_; }
  int max_iter() const { return max_iter_; }
  double tol() const { return tol_; }
  uint64_t seed() const { return seed_; }
  double max_block_size_in_mb() const { return max_block_size_in_mb_; }

  // Throws std::invalid_argument for an empty input, NaN or infinite
  // values, points of different sizes, or 46340 features or more (Spark's
  // limit); std::runtime_error if a component loses all its weight.
  GaussianMixtureModel fit(const RDD<Vector>& points) const;

 private:
  int k_ = 2;
  int max_iter_ = 100;
  double tol_ = 0.01;
  uint64_t seed_ = 42;
  double max_block_size_in_mb_ = 0;
};

}  // namespace brasa::mllib
