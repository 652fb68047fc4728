#include "optim/weighted_least_squares.h"

#include <Eigen/Cholesky>
#include <cmath>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "brasa/mllib/optim/lbfgs.h"

namespace brasa::mllib::detail {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace weighted_least_squares_impl {

// Weighted sums of one pass; aa holds the lower triangle of sum w a a^T.
struct GramSums {
  double w = 0, ww = 0, b = 0, bb = 0;
  DenseVector a, ab;
  DenseMatrix aa;
  template <class Ar> void serialize(Ar& ar) { ar(w, ww, b, bb, a, ab, aa); }

  void size_for(int d) {
    if (a.size() != 0) return;
    a = ab = DenseVector::Zero(d);
    aa = DenseMatrix::Zero(d, d);
  }
};

struct AddBlock {
  Relabel relabel;
  template <class Ar> void serialize(Ar& ar) { ar(relabel); }

  GramSums operator()(GramSums s, const InstanceBlock& blk) const {
    s.size_for(blk.cols);
    thread_local std::vector<double> labels, weights;
    relabeled(blk, labels, weights);
    thread_local std::vector<double> scaled;  // rows of sqrt(w) a, for the Gram product
    if (!blk.sparse()) {
      scaled.resize(size_t(blk.rows) * blk.cols);
      for (int32_t i = 0; i < blk.rows; ++i) {
        const double root = std::sqrt(weights[i]);
        for (int32_t j = 0; j < blk.cols; ++j)
          scaled[size_t(i) * blk.cols + j] = root * blk.values[size_t(i) * blk.cols + j];
      }
      Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> y(scaled.data(),
                                                                                                  blk.rows, blk.cols);
      s.aa.selfadjointView<Eigen::Lower>().rankUpdate(y.transpose());
    }
    for (int32_t i = 0; i < blk.rows; ++i) {
      const double w = weights[i], b = labels[i];
      s.w += w;
      s.ww += w * w;
      s.b += w * b;
      s.bb += w * b * b;
      blk.for_each_in_row(i, [&](int32_t j, double x) {
        s.a[j] += w * x;
        s.ab[j] += w * x * b;
      });
      if (blk.sparse())
        for (int32_t p = blk.row_ptr[i]; p < blk.row_ptr[i + 1]; ++p)
          for (int32_t q = blk.row_ptr[i]; q <= p; ++q)  // columns ascend: (p, q) is in the lower triangle
            s.aa(blk.col_idx[p], blk.col_idx[q]) += w * blk.values[p] * blk.values[q];
    }
    return s;
  }

  void relabeled(const InstanceBlock& blk, std::vector<double>& labels, std::vector<double>& weights) const {
    labels.assign(blk.labels.begin(), blk.labels.end());
    weights.assign(blk.weights.begin(), blk.weights.end());
    const GlmFamily& glm = relabel.glm;
    if (relabel.mode == Relabel::kInitialize) {
      for (int32_t i = 0; i < blk.rows; ++i) {
        glm.check_label(labels[i], blk.first + i);
        labels[i] = glm.link_of_mean(glm.initial_mean(labels[i], weights[i]));
      }
    } else if (relabel.mode == Relabel::kStep) {
      thread_local std::vector<double> eta;
      eta.resize(blk.rows);
      blk.multiply(relabel.coefficients, eta.data());
      for (int32_t i = 0; i < blk.rows; ++i) {
        const double e = eta[i] + relabel.intercept, mu = glm.mean_of_link(e), g = glm.link_derivative(mu);
        labels[i] = e + (labels[i] - mu) * g;
        weights[i] = weights[i] / (g * g * glm.variance(mu));
      }
    }
  }
};

struct MergeSums {
  GramSums operator()(GramSums x, const GramSums& y) const {
    if (y.a.size() == 0) return x;
    if (x.a.size() == 0) return y;
    x.w += y.w;
    x.ww += y.ww;
    x.b += y.b;
    x.bb += y.bb;
    x.a += y.a;
    x.ab += y.ab;
    x.aa += y.aa;
    return x;
  }
};

}  // namespace weighted_least_squares_impl
using namespace weighted_least_squares_impl;

WlsSolution weighted_least_squares(const Blocks& blocks, const WlsOptions& o) {
  const int d = blocks.num_features;
  GramSums s = blocks.rdd.tree_aggregate(GramSums{}, AddBlock{o.relabel}, MergeSums{}, o.depth);
  s.size_for(d);
  // Weighted means (Spark's aBar, bBar, abBar, bbBar, aaBar).
  const DenseVector a_bar = s.a / s.w, ab_bar = s.ab / s.w;
  const double b_bar = s.b / s.w, bb_bar = s.bb / s.w;
  DenseMatrix aa_bar = s.aa.selfadjointView<Eigen::Lower>();
  aa_bar /= s.w;
  const double b_std = std::sqrt(std::max(bb_bar - b_bar * b_bar, 0.0));
  DenseVector a_std(d);
  for (int j = 0; j < d; ++j) a_std[j] = std::sqrt(std::max(aa_bar(j, j) - a_bar[j] * a_bar[j], 0.0));

  WlsSolution out;
  if (b_std == 0) {
    if (o.fit_intercept || b_bar == 0) {
      spdlog::warn("{}: the label is constant ({}); coefficients are 0{}", o.who, b_bar,
                   o.fit_intercept ? " and the intercept is the label's mean" : "");
      out.coefficients = DenseVector::Zero(d);
      out.intercept = o.fit_intercept ? b_bar : 0.0;
      out.objective_history = {0.0};
      return out;
    }
    if (o.reg_param > 0 && o.standardize_label)
      throw std::invalid_argument(std::string(o.who) +
                                  ": the label is constant, so it cannot be standardized for regularisation; set "
                                  "fit_intercept(true) or reg_param(0)");
  }
  const double delta = o.standardize_label && b_std != 0 ? b_std : 1.0;
  // Scale by feature spreads (features with none are left out: coefficient 0).
  std::vector<int> active;
  for (int j = 0; j < d; ++j)
    if (a_std[j] != 0) active.push_back(j);
  const int k = static_cast<int>(active.size());
  const int n = k + (o.fit_intercept ? 1 : 0);
  DenseMatrix aa(n, n);
  DenseVector ab(n);
  for (int p = 0; p < k; ++p) {
    const int i = active[p];
    ab[p] = ab_bar[i] / (a_std[i] * delta);
    for (int q = 0; q < k; ++q) aa(p, q) = aa_bar(i, active[q]) / (a_std[i] * a_std[active[q]]);
    if (o.fit_intercept) aa(p, k) = aa(k, p) = a_bar[i] / a_std[i];
  }
  if (o.fit_intercept) {
    aa(k, k) = 1.0;
    ab[k] = b_bar / delta;
  }
  const double bb = bb_bar / (delta * delta);
  const double reg = b_std != 0 ? o.reg_param / b_std : o.reg_param;  // Spark's effectiveRegParam
  const double l1 = o.elastic_net_param * reg, l2 = (1.0 - o.elastic_net_param) * reg;
  // The solver's coordinates are standardized coefficients; without
  // standardization the penalties apply to the original ones (x / sigma).
  for (int p = 0; p < k; ++p) {
    const double sigma = a_std[active[p]];
    double lambda = o.standardize_features ? l2 : l2 / (sigma * sigma);
    if (!o.standardize_label) lambda *= b_std;
    aa(p, p) += lambda;
  }

  DenseVector x;
  if (l1 == 0) {
    Eigen::LDLT<DenseMatrix> ldlt(aa);
    if (ldlt.info() != Eigen::Success || !ldlt.isPositive() || ldlt.vectorD().minCoeff() <= 1e-14 * aa.diagonal().maxCoeff())
      throw std::invalid_argument(std::string(o.who) +
                                  ": the normal equations are singular (features are linearly dependent); set a "
                                  "reg_param above 0");
    x = ldlt.solve(ab);
    out.objective_history = {0.0};
  } else {
    DenseVector l1_weights = DenseVector::Zero(n);
    for (int p = 0; p < k; ++p) {
      const double sigma = a_std[active[p]];
      l1_weights[p] = o.standardize_features ? l1 : l1 / sigma;
    }
    DiffFunction quadratic = [&](const DenseVector& v, DenseVector& grad) {
      DenseVector av = aa * v;
      grad = av - ab;
      return 0.5 * v.dot(av) - ab.dot(v) + 0.5 * bb;
    };
    auto result = minimize_owlqn(quadratic, DenseVector::Zero(n), l1_weights,
                                 {.max_iterations = o.max_iter, .memory = 10, .tol = o.tol, .on_iteration = nullptr});
    x = result.x;
    out.objective_history = std::move(result.loss_history);
    out.iterations = result.iterations;
  }
  out.coefficients = DenseVector::Zero(d);
  for (int p = 0; p < k; ++p) out.coefficients[active[p]] = x[p] * delta / a_std[active[p]];
  out.intercept = o.fit_intercept ? x[k] * delta : 0.0;
  return out;
}

}  // namespace brasa::mllib::detail
