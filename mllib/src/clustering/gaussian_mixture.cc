#include "brasa/mllib/clustering/gaussian_mixture.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include "brasa/util/hash.h"
#include "instance_block.h"
#include "util/checks.h"
#include "util/model_io.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace gaussian_mixture_impl {

using detail::InstanceBlock;
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr const char* kModelClass = "brasa.mllib.GaussianMixtureModel";
constexpr double kEpsilon = std::numeric_limits<double>::epsilon();  // Spark's EPSILON
const double kLogEpsilon = std::log(kEpsilon);
constexpr int kSamplesPerComponent = 5;  // Spark's numSamples
constexpr int kMaxFeatures = 46340;      // Spark's MAX_NUM_FEATURES, sqrt(Int.MaxValue)
constexpr int32_t kChunk = 256;          // rows per matrix product in a pass

// Spark's MultivariateGaussian.calculateCovarianceConstants: with cov = U
// diag(d) U^T, eigenvalues above tol = EPSILON * max(d) * n count as
// non-zero; root = diag(1/sqrt(d) or 0) U^T, and the log normalising
// constant is -(n log(2 pi) + sum of log d over them) / 2.
void covariance_constants(const DenseMatrix& cov, DenseMatrix& root, double& log_constant) {
  const Eigen::Index n = cov.rows();
  Eigen::SelfAdjointEigenSolver<DenseMatrix> eig(cov);
  if (eig.info() != Eigen::Success)
    throw std::runtime_error("GaussianMixture: a covariance's eigendecomposition failed");
  const DenseVector& d = eig.eigenvalues();
  // (Spark's tol can be negative when rounding leaves all eigenvalues below
  // zero; zero keeps log() away from them.)
  const double tol = std::max(kEpsilon * d.maxCoeff() * static_cast<double>(n), 0.0);
  double log_det = 0;
  DenseVector scale(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (d[i] > tol) {
      log_det += std::log(d[i]);
      scale[i] = std::sqrt(1.0 / d[i]);
    } else {
      scale[i] = 0;
    }
  }
  root = scale.asDiagonal() * eig.eigenvectors().transpose();
  log_constant = -0.5 * (static_cast<double>(n) * std::log(2.0 * M_PI) + log_det);
}

// From a[i] = log(weight_i) + log density_i, the shares a[i] <- (EPSILON +
// e^a[i]) / sum, computed shifted so that nothing overflows; returns
// log(sum_i (EPSILON + e^a[i])), the point's log-likelihood.
double to_shares(double* a, int k) {
  double m = kLogEpsilon;
  for (int i = 0; i < k; ++i) m = std::max(m, a[i]);
  const double floor = std::exp(kLogEpsilon - m);
  double sum = 0;
  for (int i = 0; i < k; ++i) {
    a[i] = floor + std::exp(a[i] - m);
    sum += a[i];
  }
  for (int i = 0; i < k; ++i) a[i] /= sum;
  return m + std::log(sum);
}

// The mixture as tasks use it.
struct Mixture {
  std::vector<double> log_weights;
  std::vector<DenseVector> means;
  std::vector<RowMatrix> roots;
  std::vector<double> log_constants;
  template <class Ar> void serialize(Ar& ar) { ar(log_weights, means, roots, log_constants); }

  int k() const { return static_cast<int>(means.size()); }
  int cols() const { return static_cast<int>(means[0].size()); }

  static Mixture of(const std::vector<double>& weights, const std::vector<DenseVector>& means,
                    const std::vector<DenseMatrix>& roots, const std::vector<double>& constants) {
    Mixture m{{}, means, {}, constants};
    for (double w : weights) m.log_weights.push_back(std::log(w));
    for (const auto& r : roots) m.roots.emplace_back(r);
    return m;
  }

  double log_density(int i, const DenseVector& x) const {
    return log_constants[i] - 0.5 * (roots[i] * (x - means[i])).squaredNorm();
  }
  // a (sized k) receives the shares; returns the point's log-likelihood.
  double shares(const Vector& point, double* a) const {
    detail::check_features("GaussianMixtureModel", cols(), point);
    const DenseVector x = point.to_dense();
    for (int i = 0; i < k(); ++i) a[i] = log_weights[i] + log_density(i, x);
    return to_shares(a, k());
  }
};

// One iteration's sums: per component, the sum of the shares, and the sums
// of share * (x - mean) and share * (x - mean)(x - mean)^T (lower triangle)
// around the component's current mean; and the log-likelihood.
struct EStepSums {
  std::vector<double> weights;
  std::vector<DenseVector> firsts;
  std::vector<DenseMatrix> seconds;
  double log_likelihood = 0;
  template <class Ar> void serialize(Ar& ar) { ar(weights, firsts, seconds, log_likelihood); }

  static EStepSums zero(int k, int d) {
    return EStepSums{std::vector<double>(k, 0.0), std::vector<DenseVector>(k, DenseVector::Zero(d)),
                     std::vector<DenseMatrix>(k, DenseMatrix::Zero(d, d)), 0.0};
  }
};

struct AddEStepSums {
  EStepSums operator()(EStepSums a, const EStepSums& b) const {
    for (size_t i = 0; i < a.weights.size(); ++i) {
      a.weights[i] += b.weights[i];
      a.firsts[i] += b.firsts[i];
      a.seconds[i] += b.seconds[i];
    }
    a.log_likelihood += b.log_likelihood;
    return a;
  }
};

struct AddBlock {
  Mixture mixture;
  template <class Ar> void serialize(Ar& ar) { ar(mixture); }

  EStepSums operator()(EStepSums acc, const InstanceBlock& blk) const {
    const int k = mixture.k();
    thread_local RowMatrix x, centred, projected, shares;
    thread_local DenseVector root_share;
    for (int32_t begin = 0; begin < blk.rows; begin += kChunk) {
      const int32_t n = std::min(kChunk, blk.rows - begin);
      if (blk.sparse()) {
        x.setZero(n, blk.cols);
        for (int32_t r = 0; r < n; ++r) blk.for_each_in_row(begin + r, [&](int32_t c, double v) { x(r, c) = v; });
      } else {
        x = Eigen::Map<const RowMatrix>(blk.values.data() + int64_t{begin} * blk.cols, n, blk.cols);
      }
      // E step: log(weight_i) + log density_i for every row, then the shares.
      shares.resize(n, k);
      for (int i = 0; i < k; ++i) {
        centred = x.rowwise() - mixture.means[i].transpose();
        projected.noalias() = centred * mixture.roots[i].transpose();
        shares.col(i).array() = (mixture.log_weights[i] + mixture.log_constants[i]) -
                                0.5 * projected.rowwise().squaredNorm().array();
      }
      for (int32_t r = 0; r < n; ++r) acc.log_likelihood += to_shares(shares.row(r).data(), k);
      // Sums for the M step, around each component's current mean.
      for (int i = 0; i < k; ++i) {
        centred = x.rowwise() - mixture.means[i].transpose();
        acc.weights[i] += shares.col(i).sum();
        acc.firsts[i].noalias() += centred.transpose() * shares.col(i);
        root_share = shares.col(i).array().sqrt().matrix();
        centred.array().colwise() *= root_share.array();
        acc.seconds[i].selfadjointView<Eigen::Lower>().rankUpdate(centred.transpose());
      }
    }
    return acc;
  }
};

struct Plus {
  double operator()(double a, double b) const { return a + b; }
};

struct PredictComponent {
  Mixture mixture;
  template <class Ar> void serialize(Ar& ar) { ar(mixture); }
  int operator()(const Vector& x) const {
    std::vector<double> a(mixture.k());
    mixture.shares(x, a.data());
    return static_cast<int>(std::max_element(a.begin(), a.end()) - a.begin());
  }
};

struct PredictProbability {
  Mixture mixture;
  template <class Ar> void serialize(Ar& ar) { ar(mixture); }
  Vector operator()(const Vector& x) const {
    std::vector<double> a(mixture.k());
    mixture.shares(x, a.data());
    return Vector::dense(std::move(a));
  }
};

struct LogLikelihoodOf {
  Mixture mixture;
  template <class Ar> void serialize(Ar& ar) { ar(mixture); }
  double operator()(const Vector& x) const {
    std::vector<double> a(mixture.k());
    return mixture.shares(x, a.data());
  }
};

using PositionedRow = std::pair<int64_t, DenseVector>;
using Random = detail::SeededRandom;

void check(bool ok, const char* param, const char* rule, double value) {
  detail::check_param(ok, "GaussianMixture", param, rule, value);
}

}  // namespace gaussian_mixture_impl
using namespace gaussian_mixture_impl;

GaussianMixtureModel::GaussianMixtureModel(std::vector<double> weights, std::vector<DenseVector> means,
                                           std::vector<DenseMatrix> covariances)
    : weights_(std::move(weights)), means_(std::move(means)), covariances_(std::move(covariances)) {
  const auto bad = [](const std::string& what) { return std::invalid_argument("GaussianMixtureModel: " + what); };
  if (weights_.empty()) throw bad("weights must not be empty");
  if (means_.size() != weights_.size() || covariances_.size() != weights_.size())
    throw bad(fmt::format("{} weights, {} means and {} covariances; the numbers must agree", weights_.size(),
                          means_.size(), covariances_.size()));
  const Eigen::Index d = means_[0].size();
  for (size_t i = 0; i < weights_.size(); ++i) {
    if (!(weights_[i] > 0) || !std::isfinite(weights_[i]))
      throw bad(fmt::format("weights[{}] must be positive and finite, got {}", i, weights_[i]));
    if (means_[i].size() != d || !means_[i].allFinite())
      throw bad(fmt::format("means[{}] must have {} finite values", i, d));
    const DenseMatrix& c = covariances_[i];
    if (c.rows() != d || c.cols() != d || !c.allFinite())
      throw bad(fmt::format("covariances[{}] must be {} x {} with finite values", i, d, d));
    if (!c.isApprox(c.transpose(), 1e-12))
      throw bad(fmt::format("covariances[{}] must be symmetric", i));
  }
  prepare();
}

void GaussianMixtureModel::prepare() {
  roots_.assign(k(), DenseMatrix());
  log_constants_.assign(k(), 0.0);
  for (int i = 0; i < k(); ++i) covariance_constants(covariances_[i], roots_[i], log_constants_[i]);
}

int GaussianMixtureModel::predict(const Vector& point) const {
  return PredictComponent{Mixture::of(weights_, means_, roots_, log_constants_)}(point);
}

RDD<int> GaussianMixtureModel::predict(const RDD<Vector>& points) const {
  return points.map(PredictComponent{Mixture::of(weights_, means_, roots_, log_constants_)});
}

Vector GaussianMixtureModel::predict_probability(const Vector& point) const {
  return PredictProbability{Mixture::of(weights_, means_, roots_, log_constants_)}(point);
}

RDD<Vector> GaussianMixtureModel::predict_probability(const RDD<Vector>& points) const {
  return points.map(PredictProbability{Mixture::of(weights_, means_, roots_, log_constants_)});
}

double GaussianMixtureModel::log_density(int i, const Vector& point) const {
  if (i < 0 || i >= k()) throw std::invalid_argument(fmt::format("GaussianMixtureModel: no component {}", i));
  detail::check_features("GaussianMixtureModel", num_features(), point);
  return Mixture::of(weights_, means_, roots_, log_constants_).log_density(i, point.to_dense());
}

double GaussianMixtureModel::log_likelihood(const RDD<Vector>& points) const {
  return points.map(LogLikelihoodOf{Mixture::of(weights_, means_, roots_, log_constants_)}).fold(0.0, Plus{});
}

void GaussianMixtureModel::save(const std::string& path, bool overwrite) const {
  detail::Metadata m;
  m.set("k", static_cast<double>(k()));
  m.set("num_features", static_cast<double>(num_features()));
  m.set("log_likelihood", log_likelihood_);
  m.set("num_iter", static_cast<double>(num_iter_));
  ByteWriter data;
  data(weights_, means_, covariances_);
  detail::save_model(path, kModelClass, m, data.bytes(), overwrite);
}

GaussianMixtureModel GaussianMixtureModel::load(const std::string& path) {
  auto saved = detail::load_model(path, kModelClass);
  std::vector<double> weights;
  std::vector<DenseVector> means;
  std::vector<DenseMatrix> covariances;
  try {
    ByteReader r(saved.data);
    r(weights, means, covariances);
  } catch (const std::exception& e) {
    throw std::runtime_error("GaussianMixtureModel.load(" + path + "): data.bin does not decode: " + e.what());
  }
  GaussianMixtureModel model;
  try {
    model = GaussianMixtureModel(std::move(weights), std::move(means), std::move(covariances));
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("GaussianMixtureModel.load(" + path + "): " + e.what());
  }
  if (model.k() != saved.metadata.number("k") || model.num_features() != saved.metadata.number("num_features"))
    throw std::runtime_error("GaussianMixtureModel.load(" + path + "): data.bin does not match metadata.json");
  model.log_likelihood_ = saved.metadata.number("log_likelihood");
  model.num_iter_ = static_cast<int>(saved.metadata.number("num_iter"));
  return model;
}

GaussianMixture& GaussianMixture::k(int v) {
  check(v >= 2, "k", "at least 2", v);
  k_ = v;
  return *this;
}
GaussianMixture& GaussianMixture::max_iter(int v) {
  check(v >= 0, "max_iter", "at least 0", v);
  max_iter_ = v;
  return *this;
}
GaussianMixture& GaussianMixture::tol(double v) {
  check(v >= 0, "tol", "at least 0", v);
  tol_ = v;
  return *this;
}
GaussianMixture& GaussianMixture::seed(uint64_t v) {
  seed_ = v;
  return *this;
}
GaussianMixture& GaussianMixture::max_block_size_in_mb(double v) {
  check(v >= 0, "max_block_size_in_mb", "at least 0", v);
  max_block_size_in_mb_ = v;
  return *this;
}

GaussianMixtureModel GaussianMixture::fit(const RDD<Vector>& points) const {
  auto blocks = detail::make_blocks(points, "GaussianMixture", max_block_size_in_mb_);
  const int d = blocks.num_features;
  if (d >= kMaxFeatures)
    throw std::invalid_argument(fmt::format("GaussianMixture: the points have {} features; at most {} fit, as the "
                                            "covariance matrices grow with its square",
                                            d, kMaxFeatures - 1));

  // Spark's initRandom: k * 5 points drawn with replacement; component i
  // is the mean of points 5i..5i+4 and the diagonal of their variances.
  Random rand(seed_);
  std::vector<int64_t> drawn(static_cast<size_t>(k_) * kSamplesPerComponent);
  for (auto& p : drawn) p = rand.below(blocks.count);
  auto fetched = detail::rows_at(blocks, drawn);
  auto row_at = [&](int64_t p) -> const DenseVector& {
    return std::lower_bound(fetched.begin(), fetched.end(), p,
                            [](const PositionedRow& r, int64_t q) { return r.first < q; })
        ->second;
  };
  GaussianMixtureModel model;
  for (int i = 0; i < k_; ++i) {
    DenseVector mean = DenseVector::Zero(d);
    for (int s = 0; s < kSamplesPerComponent; ++s) mean += row_at(drawn[i * kSamplesPerComponent + s]);
    mean /= kSamplesPerComponent;
    DenseVector variance = DenseVector::Zero(d);
    for (int s = 0; s < kSamplesPerComponent; ++s)
      variance.array() += (row_at(drawn[i * kSamplesPerComponent + s]) - mean).array().square();
    variance /= kSamplesPerComponent;
    model.weights_.push_back(1.0 / k_);
    model.means_.push_back(mean);
    model.covariances_.push_back(DenseMatrix(variance.asDiagonal()));
  }
  model.prepare();

  // Spark's trainImpl: iterate while the log-likelihood moves by more than tol.
  double log_likelihood = std::numeric_limits<double>::lowest(), previous = 0;
  int iteration = 0;
  while (iteration < max_iter_ && std::abs(log_likelihood - previous) > tol_) {
    Mixture mixture = Mixture::of(model.weights_, model.means_, model.roots_, model.log_constants_);
    EStepSums sums = blocks.rdd.tree_aggregate(EStepSums::zero(k_, d), AddBlock{mixture}, AddEStepSums{});
    double total = 0;
    for (double w : sums.weights) total += w;
    for (int i = 0; i < k_; ++i) {
      const double w = sums.weights[i];
      const DenseVector shift = sums.firsts[i] / w;
      DenseMatrix cov = DenseMatrix(sums.seconds[i].selfadjointView<Eigen::Lower>()) / w - shift * shift.transpose();
      cov = (0.5 * (cov + cov.transpose())).eval();
      if (!(w > 0) || !shift.allFinite() || !cov.allFinite())
        throw std::runtime_error(fmt::format(
            "GaussianMixture: component {} has no weight left after iteration {} (total weight of its points {}); "
            "try another seed or a smaller k",
            i, iteration + 1, w));
      model.weights_[i] = w / total;
      model.means_[i] += shift;
      model.covariances_[i] = cov;
    }
    model.prepare();
    previous = log_likelihood;
    log_likelihood = sums.log_likelihood;
    ++iteration;
    spdlog::debug("GaussianMixture: log-likelihood {} at iteration {}", log_likelihood, iteration);
  }
  spdlog::info("GaussianMixture: {} components after {} iterations, log-likelihood {}", k_, iteration,
               log_likelihood);
  model.log_likelihood_ = log_likelihood;
  model.num_iter_ = iteration;
  return model;
}

}  // namespace brasa::mllib
