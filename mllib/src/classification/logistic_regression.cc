#include "brasa/mllib/classification/logistic_regression.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include <spdlog/spdlog.h>

#include "brasa/mllib/optim/lbfgs.h"
#include "instance_block.h"
#include "stat/block_summary.h"
#include "linear_model.h"

namespace brasa::mllib {

namespace {

constexpr const char* kModelClass = "brasa.mllib.LogisticRegressionModel";

// log(1 + e^m) without overflow.
double log1p_exp(double m) { return m > 0 ? m + std::log1p(std::exp(-m)) : std::log1p(std::exp(m)); }
double sigmoid(double m) { return 1.0 / (1.0 + std::exp(-m)); }

// Loss and gradient sums over blocks, for coefficients already divided by
// the features' spreads (so raw features give standardized margins).
struct LossSum {
  double loss = 0;
  double intercept_gradient = 0;
  DenseVector gradient;  // sum_i r_i x_i on raw features
  template <class Ar> void serialize(Ar& ar) { ar(loss, intercept_gradient, gradient); }
};

struct AddLossOfBlock {
  DenseVector coefficients;
  double intercept = 0;
  template <class Ar> void serialize(Ar& ar) { ar(coefficients, intercept); }

  LossSum operator()(LossSum acc, const detail::InstanceBlock& blk) const {
    thread_local std::vector<double> margins;
    margins.resize(blk.rows);
    blk.multiply(coefficients, margins.data());
    for (int32_t i = 0; i < blk.rows; ++i) {
      const double m = margins[i] + intercept, y = blk.labels[i], w = blk.weights[i];
      acc.loss += w * (log1p_exp(m) - y * m);
      margins[i] = w * (sigmoid(m) - y);  // now the gradient's multiplier
      acc.intercept_gradient += margins[i];
    }
    blk.add_transposed(margins.data(), acc.gradient);
    return acc;
  }
};

struct AddLossSums {
  LossSum operator()(LossSum a, const LossSum& b) const {
    a.loss += b.loss;
    a.intercept_gradient += b.intercept_gradient;
    a.gradient += b.gradient;
    return a;
  }
};

using detail::LinearMargin;

struct Predict {
  LinearMargin margin;
  double threshold = 0.5;
  template <class Ar> void serialize(Ar& ar) { ar(margin, threshold); }
  double operator()(const Vector& x) const { return sigmoid(margin(x)) > threshold ? 1.0 : 0.0; }
};

struct ProbabilityAndLabel {
  LinearMargin margin;
  template <class Ar> void serialize(Ar& ar) { ar(margin); }
  std::pair<double, double> operator()(const LabeledPoint& p) const {
    return {sigmoid(margin(p.features)), p.label};
  }
};

void check(bool ok, const char* param, const char* rule, double value) {
  detail::check_param(ok, "LogisticRegression", param, rule, value);
}

}  // namespace

LogisticRegressionModel::LogisticRegressionModel(DenseVector coefficients, double intercept)
    : coefficients_(std::move(coefficients)), intercept_(intercept) {}

LogisticRegressionModel& LogisticRegressionModel::set_threshold(double t) {
  detail::check_param(t >= 0 && t <= 1, "LogisticRegressionModel", "threshold", "in [0, 1]", t);
  threshold_ = t;
  return *this;
}

double LogisticRegressionModel::margin(const Vector& features) const {
  detail::check_features("LogisticRegressionModel", num_features(), features);
  return LinearMargin{coefficients_, intercept_}(features);
}

double LogisticRegressionModel::predict_probability(const Vector& features) const {
  return sigmoid(margin(features));
}

double LogisticRegressionModel::predict(const Vector& features) const {
  return predict_probability(features) > threshold_ ? 1.0 : 0.0;
}

RDD<double> LogisticRegressionModel::predict(const RDD<Vector>& features) const {
  return features.map(Predict{{coefficients_, intercept_}, threshold_});
}

RDD<std::pair<double, double>> LogisticRegressionModel::predict_with_labels(const RDD<LabeledPoint>& points) const {
  return points.map(ProbabilityAndLabel{{coefficients_, intercept_}});
}

void LogisticRegressionModel::save(const std::string& path, bool overwrite) const {
  detail::LinearModelData data{coefficients_, intercept_, objective_history_, total_iterations_, {}};
  data.metadata.set("threshold", threshold_);
  detail::save_linear_model(path, kModelClass, data, overwrite);
}

LogisticRegressionModel LogisticRegressionModel::load(const std::string& path) {
  auto data = detail::load_linear_model(path, kModelClass);
  LogisticRegressionModel model(std::move(data.coefficients), data.intercept);
  model.set_threshold(data.metadata.number("threshold"));
  model.objective_history_ = std::move(data.objective_history);
  model.total_iterations_ = data.total_iterations;
  return model;
}

LogisticRegression& LogisticRegression::reg_param(double v) {
  check(v >= 0, "reg_param", "at least 0", v);
  reg_param_ = v;
  return *this;
}
LogisticRegression& LogisticRegression::elastic_net_param(double v) {
  check(v >= 0 && v <= 1, "elastic_net_param", "in [0, 1]", v);
  elastic_net_param_ = v;
  return *this;
}
LogisticRegression& LogisticRegression::max_iter(int v) {
  check(v >= 0, "max_iter", "at least 0", v);
  max_iter_ = v;
  return *this;
}
LogisticRegression& LogisticRegression::tol(double v) {
  check(v >= 0, "tol", "at least 0", v);
  tol_ = v;
  return *this;
}
LogisticRegression& LogisticRegression::fit_intercept(bool v) {
  fit_intercept_ = v;
  return *this;
}
LogisticRegression& LogisticRegression::standardization(bool v) {
  standardization_ = v;
  return *this;
}
LogisticRegression& LogisticRegression::threshold(double v) {
  check(v >= 0 && v <= 1, "threshold", "in [0, 1]", v);
  threshold_ = v;
  return *this;
}
LogisticRegression& LogisticRegression::aggregation_depth(int v) {
  check(v >= 2, "aggregation_depth", "at least 2", v);
  aggregation_depth_ = v;
  return *this;
}

LogisticRegression& LogisticRegression::max_block_size_in_mb(double v) {
  check(v >= 0, "max_block_size_in_mb", "at least 0", v);
  max_block_size_in_mb_ = v;
  return *this;
}

LogisticRegressionModel LogisticRegression::fit(const RDD<LabeledPoint>& data) const {
  auto blocks = detail::make_blocks(data, "LogisticRegression", max_block_size_in_mb_);
  struct Release {  // the cached blocks go when fit ends, thrown or not
    const RDD<detail::InstanceBlock>& rdd;
    ~Release() { rdd.unpersist(); }
  } release{blocks.rdd};

  const auto summary = detail::summarize(blocks, aggregation_depth_);
  if (summary.has_other_label)
    throw std::invalid_argument("LogisticRegression: labels must be 0 or 1 (binary logistic regression), found " +
                                fmt::format("{}", summary.other_label));
  const int d = blocks.num_features;
  LogisticRegressionModel model;
  model.threshold_ = threshold_;

  if (fit_intercept_ && (summary.positives == 0 || summary.negatives == 0)) {
    // Spark's answer for one class: the intercept alone decides, at infinity.
    spdlog::warn("LogisticRegression: every label is {}; the model predicts it always (intercept {}inf)",
                 summary.positives > 0 ? 1 : 0, summary.positives > 0 ? "+" : "-");
    model.coefficients_ = DenseVector::Zero(d);
    model.intercept_ = summary.positives > 0 ? INFINITY : -INFINITY;
    return model;
  }

  const DenseVector std_dev = summary.std_dev();
  const DenseVector inv_std = std_dev.unaryExpr([](double s) { return s != 0 ? 1.0 / s : 0.0; });
  const double l1 = elastic_net_param_ * reg_param_;
  const double l2 = (1.0 - elastic_net_param_) * reg_param_;
  const double weight_sum = summary.weight_sum;
  const bool standardize = standardization_;
  const bool fit_intercept = fit_intercept_;
  const int depth = aggregation_depth_;

  // x = [standardized coefficients..., intercept if fitted]
  DiffFunction objective = [&](const DenseVector& x, DenseVector& grad) {
    AddLossOfBlock seq{x.head(d).cwiseProduct(inv_std), fit_intercept ? x[d] : 0.0};
    LossSum zero{0, 0, DenseVector::Zero(d)};
    LossSum sum = blocks.rdd.tree_aggregate(zero, seq, AddLossSums{}, depth);
    double loss = sum.loss / weight_sum;
    grad.head(d) = sum.gradient.cwiseProduct(inv_std) / weight_sum;
    if (fit_intercept) grad[d] = sum.intercept_gradient / weight_sum;
    if (l2 > 0) {
      double penalty = 0;
      for (int j = 0; j < d; ++j) {
        if (standardize) {
          penalty += x[j] * x[j];
          grad[j] += l2 * x[j];
        } else if (std_dev[j] != 0) {  // the penalty on the original coefficient x_j / std_j
          const double t = x[j] / (std_dev[j] * std_dev[j]);
          penalty += x[j] * t;
          grad[j] += l2 * t;
        }
      }
      loss += 0.5 * l2 * penalty;
    }
    return loss;
  };

  DenseVector x0 = DenseVector::Zero(d + (fit_intercept_ ? 1 : 0));
  if (fit_intercept_) x0[d] = std::log(summary.positives / summary.negatives);
  LBFGSOptions options{.max_iterations = max_iter_, .memory = 10, .tol = tol_};
  OptimizationResult result;
  if (l1 > 0) {
    DenseVector l1_weights = DenseVector::Zero(x0.size());
    for (int j = 0; j < d; ++j) l1_weights[j] = standardize ? l1 : l1 * inv_std[j];
    result = minimize_owlqn(objective, x0, l1_weights, options);
  } else {
    result = minimize_lbfgs(objective, x0, options);
  }
  model.coefficients_ = result.x.head(d).cwiseProduct(inv_std);
  model.intercept_ = fit_intercept_ ? result.x[d] : 0.0;
  model.objective_history_ = std::move(result.loss_history);
  model.total_iterations_ = result.iterations;
  return model;
}

}  // namespace brasa::mllib
