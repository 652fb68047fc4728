#include "brasa/mllib/classification/linear_svc.h"

#include <cmath>
#include <stdexcept>

#include "brasa/mllib/optim/lbfgs.h"
#include "instance_block.h"
#include "linear_model.h"
#include "stat/block_summary.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace linear_svc_impl {

constexpr const char* kModelClass = "brasa.mllib.LinearSVCModel";
using detail::LinearMargin;

struct HingeSum {
  double loss = 0;
  double intercept_gradient = 0;
  DenseVector gradient;  // on raw features
  template <class Ar> void serialize(Ar& ar) { ar(loss, intercept_gradient, gradient); }
};

struct AddHingeOfBlock {
  DenseVector coefficients;  // scaled coefficients / feature std
  double intercept = 0;
  template <class Ar> void serialize(Ar& ar) { ar(coefficients, intercept); }

  HingeSum operator()(HingeSum acc, const detail::InstanceBlock& blk) const {
    thread_local std::vector<double> margins;
    margins.resize(blk.rows);
    blk.multiply(coefficients, margins.data());
    for (int32_t i = 0; i < blk.rows; ++i) {
      const double y = 2 * blk.labels[i] - 1, w = blk.weights[i];
      const double slack = 1 - y * (margins[i] + intercept);
      if (slack > 0) {
        acc.loss += w * slack;
        margins[i] = -w * y;
      } else {
        margins[i] = 0;
      }
      acc.intercept_gradient += margins[i];
    }
    blk.add_transposed(margins.data(), acc.gradient);
    return acc;
  }
};

struct AddHingeSums {
  HingeSum operator()(HingeSum a, const HingeSum& b) const {
    a.loss += b.loss;
    a.intercept_gradient += b.intercept_gradient;
    a.gradient += b.gradient;
    return a;
  }
};

struct Predict {
  LinearMargin margin;
  double threshold = 0;
  template <class Ar> void serialize(Ar& ar) { ar(margin, threshold); }
  double operator()(const Vector& x) const { return margin(x) > threshold ? 1.0 : 0.0; }
};

struct MarginAndLabel {
  LinearMargin margin;
  template <class Ar> void serialize(Ar& ar) { ar(margin); }
  std::pair<double, double> operator()(const LabeledPoint& p) const { return {margin(p.features), p.label}; }
};

struct PredictionAndLabel {
  Predict predict;
  template <class Ar> void serialize(Ar& ar) { ar(predict); }
  std::pair<double, double> operator()(const LabeledPoint& p) const { return {predict(p.features), p.label}; }
};

void check(bool ok, const char* param, const char* rule, double value) {
  detail::check_param(ok, "LinearSVC", param, rule, value);
}

}  // namespace linear_svc_impl
using namespace linear_svc_impl;

LinearSVCModel::LinearSVCModel(DenseVector coefficients, double intercept)
    : coefficients_(std::move(coefficients)), intercept_(intercept) {}

LinearSVCModel& LinearSVCModel::set_threshold(double t) {
  detail::check_param(!std::isnan(t), "LinearSVCModel", "threshold", "a number", t);
  threshold_ = t;
  return *this;
}

double LinearSVCModel::margin(const Vector& features) const {
  detail::check_features("LinearSVCModel", num_features(), features);
  return LinearMargin{coefficients_, intercept_}(features);
}

double LinearSVCModel::predict(const Vector& features) const { return margin(features) > threshold_ ? 1.0 : 0.0; }

RDD<double> LinearSVCModel::predict(const RDD<Vector>& features) const {
  return features.map(Predict{{coefficients_, intercept_}, threshold_});
}

RDD<std::pair<double, double>> LinearSVCModel::predict_with_labels(const RDD<LabeledPoint>& points) const {
  return points.map(MarginAndLabel{{coefficients_, intercept_}});
}

RDD<std::pair<double, double>> LinearSVCModel::prediction_and_labels(const RDD<LabeledPoint>& points) const {
  return points.map(PredictionAndLabel{{{coefficients_, intercept_}, threshold_}});
}

void LinearSVCModel::save(const std::string& path, bool overwrite) const {
  detail::LinearModelData data{coefficients_, intercept_, objective_history_, total_iterations_, {}};
  data.metadata.set("threshold", threshold_);
  detail::save_linear_model(path, kModelClass, data, overwrite);
}

LinearSVCModel LinearSVCModel::load(const std::string& path) {
  auto data = detail::load_linear_model(path, kModelClass);
  LinearSVCModel model(std::move(data.coefficients), data.intercept);
  model.set_threshold(data.metadata.number("threshold"));
  model.objective_history_ = std::move(data.objective_history);
  model.total_iterations_ = data.total_iterations;
  return model;
}

LinearSVC& LinearSVC::reg_param(double v) {
  check(v >= 0, "reg_param", "at least 0", v);
  reg_param_ = v;
  return *this;
}
LinearSVC& LinearSVC::max_iter(int v) {
  check(v >= 0, "max_iter", "at least 0", v);
  max_iter_ = v;
  return *this;
}
LinearSVC& LinearSVC::tol(double v) {
  check(v >= 0, "tol", "at least 0", v);
  tol_ = v;
  return *this;
}
LinearSVC& LinearSVC::fit_intercept(bool v) {
  fit_intercept_ = v;
  return *this;
}
LinearSVC& LinearSVC::standardization(bool v) {
  standardization_ = v;
  return *this;
}
LinearSVC& LinearSVC::threshold(double v) {
  check(!std::isnan(v), "threshold", "a number", v);
  threshold_ = v;
  return *this;
}
LinearSVC& LinearSVC::aggregation_depth(int v) {
  check(v >= 2, "aggregation_depth", "at least 2", v);
  aggregation_depth_ = v;
  return *this;
}
LinearSVC& LinearSVC::max_block_size_in_mb(double v) {
  check(v >= 0, "max_block_size_in_mb", "at least 0", v);
  max_block_size_in_mb_ = v;
  return *this;
}

LinearSVCModel LinearSVC::fit(const RDD<LabeledPoint>& data) const {
  auto blocks = detail::make_blocks(data, "LinearSVC", max_block_size_in_mb_);
  const auto summary = detail::summarize(blocks, aggregation_depth_);
  summary.check_class_labels("LinearSVC", 2);
  if (summary.class_weight(0) == 0 || summary.class_weight(1) == 0)
    throw std::invalid_argument("LinearSVC: only supports binary classification, and every label is " +
                                std::string(summary.class_weight(1) > 0 ? "1" : "0"));
  const int d = blocks.num_features;
  const DenseVector std_dev = summary.std_dev();
  const DenseVector inv_std = std_dev.unaryExpr([](double s) { return s != 0 ? 1.0 / s : 0.0; });
  const double weight_sum = summary.weight_sum, l2 = reg_param_;
  const bool standardize = standardization_, fit_intercept = fit_intercept_;
  const int depth = aggregation_depth_;

  DiffFunction objective = [&](const DenseVector& x, DenseVector& grad) {
    AddHingeOfBlock seq{x.head(d).cwiseProduct(inv_std), fit_intercept ? x[d] : 0.0};
    HingeSum sum = blocks.rdd.tree_aggregate(HingeSum{0, 0, DenseVector::Zero(d)}, seq, AddHingeSums{}, depth);
    grad.head(d) = sum.gradient.cwiseProduct(inv_std) / weight_sum;
    if (fit_intercept) grad[d] = sum.intercept_gradient / weight_sum;
    return sum.loss / weight_sum + detail::add_l2_penalty(x.data(), grad.data(), d, l2, standardize, std_dev);
  };
  DenseVector x0 = DenseVector::Zero(d + (fit_intercept_ ? 1 : 0));
  IterationClock clock(blocks.rdd.node()->runtime(), "linear-svc");
  auto result = minimize_owlqn(objective, x0, DenseVector::Zero(x0.size()),
                               {.max_iterations = max_iter_,
                                .memory = 10,
                                .tol = tol_,
                                .on_iteration = [&clock](int i, double loss) { clock.lap(i, loss); }});
  LinearSVCModel model(result.x.head(d).cwiseProduct(inv_std), fit_intercept_ ? result.x[d] : 0.0);
  model.threshold_ = threshold_;
  model.objective_history_ = std::move(result.loss_history);
  model.total_iterations_ = result.iterations;
  return model;
}

}  // namespace brasa::mllib
