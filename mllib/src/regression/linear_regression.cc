#include "brasa/mllib/regression/linear_regression.h"

#include <cmath>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "brasa/mllib/optim/lbfgs.h"
#include "instance_block.h"
#include "linear_model.h"
#include "optim/weighted_least_squares.h"
#include "stat/block_summary.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace linear_regression_impl {

constexpr const char* kModelClass = "brasa.mllib.LinearRegressionModel";
using detail::LinearMargin;

struct PredictionAndLabel {
  LinearMargin margin;
  template <class Ar> void serialize(Ar& ar) { ar(margin); }
  std::pair<double, double> operator()(const LabeledPoint& p) const { return {margin(p.features), p.label}; }
};

void check(bool ok, const char* param, const char* rule, double value) {
  detail::check_param(ok, "LinearRegression", param, rule, value);
}

// Spark's LeastSquaresAggregator: half squared errors of the scaled label
// b / label_std against the scaled coefficients, with features centred
// through an offset when an intercept is fitted (so it need not be a
// coordinate of the optimisation).
struct SquaredErrorSum {
  double loss = 0;
  double residual_sum = 0;  // sum_i w_i r_i, to centre the gradient
  DenseVector gradient;     // sum_i w_i r_i x_i on raw features
  template <class Ar> void serialize(Ar& ar) { ar(loss, residual_sum, gradient); }
};

struct AddSquaredErrorOfBlock {
  DenseVector coefficients;  // scaled coefficients / feature std
  double offset = 0;
  double inv_label_std = 1;
  template <class Ar> void serialize(Ar& ar) { ar(coefficients, offset, inv_label_std); }

  SquaredErrorSum operator()(SquaredErrorSum acc, const detail::InstanceBlock& blk) const {
    thread_local std::vector<double> residuals;
    residuals.resize(blk.rows);
    blk.multiply(coefficients, residuals.data());
    for (int32_t i = 0; i < blk.rows; ++i) {
      const double r = residuals[i] - blk.labels[i] * inv_label_std + offset, w = blk.weights[i];
      acc.loss += 0.5 * w * r * r;
      residuals[i] = w * r;
      acc.residual_sum += residuals[i];
    }
    blk.add_transposed(residuals.data(), acc.gradient);
    return acc;
  }
};

struct AddSquaredErrorSums {
  SquaredErrorSum operator()(SquaredErrorSum a, const SquaredErrorSum& b) const {
    a.loss += b.loss;
    a.residual_sum += b.residual_sum;
    a.gradient += b.gradient;
    return a;
  }
};

}  // namespace linear_regression_impl
using namespace linear_regression_impl;

LinearRegressionModel::LinearRegressionModel(DenseVector coefficients, double intercept)
    : coefficients_(std::move(coefficients)), intercept_(intercept) {}

double LinearRegressionModel::predict(const Vector& features) const {
  detail::check_features("LinearRegressionModel", num_features(), features);
  return LinearMargin{coefficients_, intercept_}(features);
}

RDD<double> LinearRegressionModel::predict(const RDD<Vector>& features) const {
  return features.map(LinearMargin{coefficients_, intercept_});
}

RDD<std::pair<double, double>> LinearRegressionModel::predict_with_labels(const RDD<LabeledPoint>& points) const {
  return points.map(PredictionAndLabel{{coefficients_, intercept_}});
}

void LinearRegressionModel::save(const std::string& path, bool overwrite) const {
  detail::save_linear_model(path, kModelClass, {coefficients_, intercept_, objective_history_, total_iterations_, {}},
                            overwrite);
}

LinearRegressionModel LinearRegressionModel::load(const std::string& path) {
  auto data = detail::load_linear_model(path, kModelClass);
  LinearRegressionModel model(std::move(data.coefficients), data.intercept);
  model.objective_history_ = std::move(data.objective_history);
  model.total_iterations_ = data.total_iterations;
  return model;
}

LinearRegression& LinearRegression::reg_param(double v) {
  check(v >= 0, "reg_param", "at least 0", v);
  reg_param_ = v;
  return *this;
}
LinearRegression& LinearRegression::elastic_net_param(double v) {
  check(v >= 0 && v <= 1, "elastic_net_param", "in [0, 1]", v);
  elastic_net_param_ = v;
  return *this;
}
LinearRegression& LinearRegression::max_iter(int v) {
  check(v >= 0, "max_iter", "at least 0", v);
  max_iter_ = v;
  return *this;
}
LinearRegression& LinearRegression::tol(double v) {
  check(v >= 0, "tol", "at least 0", v);
  tol_ = v;
  return *this;
}
LinearRegression& LinearRegression::fit_intercept(bool v) {
  fit_intercept_ = v;
  return *this;
}
LinearRegression& LinearRegression::standardization(bool v) {
  standardization_ = v;
  return *this;
}
LinearRegression& LinearRegression::solver(const std::string& v) {
  if (v != "auto" && v != "normal" && v != "l-bfgs")
    throw std::invalid_argument("LinearRegression: solver must be \"auto\", \"normal\" or \"l-bfgs\", got \"" + v +
                                "\"");
  solver_ = v;
  return *this;
}
LinearRegression& LinearRegression::aggregation_depth(int v) {
  check(v >= 2, "aggregation_depth", "at least 2", v);
  aggregation_depth_ = v;
  return *this;
}
LinearRegression& LinearRegression::max_block_size_in_mb(double v) {
  check(v >= 0, "max_block_size_in_mb", "at least 0", v);
  max_block_size_in_mb_ = v;
  return *this;
}

LinearRegressionModel LinearRegression::fit(const RDD<LabeledPoint>& data) const {
  auto blocks = detail::make_blocks(data, "LinearRegression", max_block_size_in_mb_);
  const int d = blocks.num_features;
  LinearRegressionModel model;

  if (uses_normal_equations(d)) {
    if (d > kMaxNormalFeatures)
      throw std::invalid_argument("LinearRegression: solver \"normal\" takes at most " +
                                  std::to_string(kMaxNormalFeatures) + " features, the data has " +
                                  std::to_string(d) + "; use \"l-bfgs\"");
    auto solution = detail::weighted_least_squares(
        blocks, {.fit_intercept = fit_intercept_,
                 .reg_param = reg_param_,
                 .elastic_net_param = elastic_net_param_,
                 .standardize_features = standardization_,
                 .standardize_label = true,
                 .max_iter = max_iter_,
                 .tol = tol_,
                 .depth = aggregation_depth_,
                 .relabel = {},
                 .who = "LinearRegression"});
    model.coefficients_ = std::move(solution.coefficients);
    model.intercept_ = solution.intercept;
    model.objective_history_ = std::move(solution.objective_history);
    model.total_iterations_ = solution.iterations;
    return model;
  }

  const auto summary = detail::summarize(blocks, aggregation_depth_);
  const double label_mean = summary.label_mean;
  const double label_std = std::sqrt(summary.label_variance());
  if (label_std == 0 && (fit_intercept_ || label_mean == 0)) {
    spdlog::warn("LinearRegression: the label is constant ({}); coefficients are 0", label_mean);
    model.coefficients_ = DenseVector::Zero(d);
    model.intercept_ = fit_intercept_ ? label_mean : 0.0;
    return model;
  }
  if (label_std == 0 && reg_param_ > 0)
    throw std::invalid_argument(
        "LinearRegression: the label is constant, so it cannot be standardized for regularisation; set "
        "fit_intercept(true) or reg_param(0)");
  const double scale = label_std != 0 ? label_std : std::abs(label_mean);
  const DenseVector std_dev = summary.std_dev();
  const DenseVector inv_std = std_dev.unaryExpr([](double s) { return s != 0 ? 1.0 / s : 0.0; });
  const DenseVector& mean = summary.mean;
  const double reg = reg_param_ / scale;
  const double l1 = elastic_net_param_ * reg, l2 = (1.0 - elastic_net_param_) * reg;
  const double weight_sum = summary.weight_sum;
  const bool standardize = standardization_, fit_intercept = fit_intercept_;
  const int depth = aggregation_depth_;

  DiffFunction objective = [&](const DenseVector& x, DenseVector& grad) {
    AddSquaredErrorOfBlock seq{x.cwiseProduct(inv_std), 0.0, 1.0 / scale};
    if (fit_intercept) seq.offset = label_mean / scale - seq.coefficients.dot(mean);
    SquaredErrorSum sum = blocks.rdd.tree_aggregate(SquaredErrorSum{0, 0, DenseVector::Zero(d)}, seq,
                                                    AddSquaredErrorSums{}, depth);
    DenseVector g = sum.gradient;
    if (fit_intercept) g -= sum.residual_sum * mean;
    grad = g.cwiseProduct(inv_std) / weight_sum;
    double loss = sum.loss / weight_sum;
    loss += detail::add_l2_penalty(x.data(), grad.data(), d, l2, standardize, std_dev);
    return loss;
  };
  IterationClock clock(blocks.rdd.node()->runtime(), "linear-regression");
  const LBFGSOptions options{.max_iterations = max_iter_,
                             .memory = 10,
                             .tol = tol_,
                             .on_iteration = [&clock](int i, double loss) { clock.lap(i, loss); }};
  OptimizationResult result;
  if (l1 > 0) {
    DenseVector weights(d);
    for (int j = 0; j < d; ++j) weights[j] = standardize ? l1 : l1 * inv_std[j];
    result = minimize_owlqn(objective, DenseVector::Zero(d), weights, options);
  } else {
    result = minimize_lbfgs(objective, DenseVector::Zero(d), options);
  }
  model.coefficients_ = result.x.cwiseProduct(inv_std) * scale;
  model.intercept_ = fit_intercept_ ? label_mean - model.coefficients_.dot(mean) : 0.0;
  model.objective_history_ = std::move(result.loss_history);
  model.total_iterations_ = result.iterations;
  return model;
}

}  // namespace brasa::mllib
