#include "brasa/mllib/classification/logistic_regression.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <spdlog/spdlog.h>

#include "brasa/mllib/optim/lbfgs.h"
#include "instance_block.h"
#include "linear_model.h"
#include "stat/block_summary.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace logistic_regression_impl {

constexpr const char* kModelClass = "brasa.mllib.LogisticRegressionModel";
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// log(1 + e^m) without overflow.
double log1p_exp(double m) { return m > 0 ? m + std::log1p(std::exp(-m)) : std::log1p(std::exp(m)); }
double sigmoid(double m) { return 1.0 / (1.0 + std::exp(-m)); }

// Loss and gradient sums over blocks, for coefficient rows already divided
// by the features' spreads (so raw features give standardized margins).
struct LossSum {
  double loss = 0;
  DenseVector intercept_gradient;  // one per row of coefficients
  DenseMatrix gradient;            // sum_i r_i x_i^T on raw features, rows x d
  template <class Ar> void serialize(Ar& ar) { ar(loss, intercept_gradient, gradient); }
};

struct AddLossOfBlock {
  DenseMatrix coefficients;  // 1 x d: binomial; K x d: multinomial
  DenseVector intercepts;
  template <class Ar> void serialize(Ar& ar) { ar(coefficients, intercepts); }

  LossSum operator()(LossSum acc, const detail::InstanceBlock& blk) const {
    if (coefficients.rows() == 1) {
      binomial(acc, blk);
    } else {
      multinomial(acc, blk);
    }
    return acc;
  }

  void binomial(LossSum& acc, const detail::InstanceBlock& blk) const {
    thread_local std::vector<double> margins;
    thread_local DenseVector row;
    margins.resize(blk.rows);
    row = coefficients.row(0).transpose();
    blk.multiply(row, margins.data());
    double intercept_gradient = 0;
    for (int32_t i = 0; i < blk.rows; ++i) {
      const double m = margins[i] + intercepts[0], y = blk.labels[i], w = blk.weights[i];
      acc.loss += w * (log1p_exp(m) - y * m);
      margins[i] = w * (sigmoid(m) - y);  // now the gradient's multiplier
      intercept_gradient += margins[i];
    }
    acc.intercept_gradient[0] += intercept_gradient;
    row.setZero();
    blk.add_transposed(margins.data(), row);
    acc.gradient.row(0) += row.transpose();
  }

  // Softmax: loss log sum_k e^{m_k} - m_y; multipliers w (p_k - [k = y]).
  void multinomial(LossSum& acc, const detail::InstanceBlock& blk) const {
    const int classes = static_cast<int>(coefficients.rows());
    thread_local RowMatrix margins;
    margins.resize(blk.rows, classes);
    if (!blk.sparse()) {
      Eigen::Map<const RowMatrix> x(blk.values.data(), blk.rows, blk.cols);
      margins.noalias() = x * coefficients.transpose();
    } else {
      margins.setZero();
      for (int32_t i = 0; i < blk.rows; ++i)
        blk.for_each_in_row(i, [&](int32_t j, double v) { margins.row(i) += v * coefficients.col(j).transpose(); });
    }
    for (int32_t i = 0; i < blk.rows; ++i) {
      auto m = margins.row(i);
      m += intercepts.transpose();
      const double w = blk.weights[i];
      const int y = static_cast<int>(blk.labels[i]);
      const double max = m.maxCoeff();
      double sum = 0;
      for (int k = 0; k < classes; ++k) sum += std::exp(m[k] - max);
      acc.loss += w * (max + std::log(sum) - m[y]);
      for (int k = 0; k < classes; ++k) m[k] = w * (std::exp(m[k] - max) / sum - (k == y ? 1.0 : 0.0));
    }
    acc.intercept_gradient += margins.colwise().sum().transpose();
    if (!blk.sparse()) {
      Eigen::Map<const RowMatrix> x(blk.values.data(), blk.rows, blk.cols);
      acc.gradient.noalias() += margins.transpose() * x;
    } else {
      for (int32_t i = 0; i < blk.rows; ++i)
        blk.for_each_in_row(i, [&](int32_t j, double v) { acc.gradient.col(j) += v * margins.row(i).transpose(); });
    }
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

// A fitted model's arithmetic, shippable to executors.
struct Scorer {
  DenseMatrix coefficients;
  DenseVector intercepts;
  bool multinomial = false;
  double threshold = 0.5;
  template <class Ar> void serialize(Ar& ar) { ar(coefficients, intercepts, multinomial, threshold); }

  DenseVector margins(const Vector& x) const {
    DenseVector m = intercepts;
    x.for_each_active([&](int32_t j, double v) { m += v * coefficients.col(j); });
    return m;
  }
  DenseVector probabilities(const Vector& x) const {
    DenseVector m = margins(x);
    if (!multinomial) {
      const double p = sigmoid(m[0]);
      return (DenseVector(2) << 1 - p, p).finished();
    }
    Eigen::Index top;
    const double max = m.maxCoeff(&top);
    if (std::isinf(max)) return DenseVector::Unit(m.size(), top);  // a one-class model
    DenseVector p = (m.array() - max).exp();
    return p / p.sum();
  }
  double predict(const Vector& x) const {
    DenseVector m = margins(x);
    if (!multinomial) return sigmoid(m[0]) > threshold ? 1.0 : 0.0;
    Eigen::Index top;
    m.maxCoeff(&top);
    return static_cast<double>(top);
  }
};

struct Predict {
  Scorer scorer;
  template <class Ar> void serialize(Ar& ar) { ar(scorer); }
  double operator()(const Vector& x) const { return scorer.predict(x); }
};

struct ProbabilityAndLabel {
  Scorer scorer;
  template <class Ar> void serialize(Ar& ar) { ar(scorer); }
  std::pair<double, double> operator()(const LabeledPoint& p) const {
    return {sigmoid(scorer.margins(p.features)[0]), p.label};
  }
};

struct PredictionAndLabel {
  Scorer scorer;
  template <class Ar> void serialize(Ar& ar) { ar(scorer); }
  std::pair<double, double> operator()(const LabeledPoint& p) const { return {scorer.predict(p.features), p.label}; }
};

void check(bool ok, const char* param, const char* rule, double value) {
  detail::check_param(ok, "LogisticRegression", param, rule, value);
}

}  // namespace logistic_regression_impl
using namespace logistic_regression_impl;

LogisticRegressionModel::LogisticRegressionModel(DenseVector coefficients, double intercept)
    : coefficient_matrix_(coefficients.transpose()), intercept_vector_(DenseVector::Constant(1, intercept)) {}

LogisticRegressionModel::LogisticRegressionModel(DenseMatrix coefficient_matrix, DenseVector intercept_vector)
    : multinomial_(true), coefficient_matrix_(std::move(coefficient_matrix)),
      intercept_vector_(std::move(intercept_vector)) {
  if (intercept_vector_.size() != coefficient_matrix_.rows())
    throw std::invalid_argument("LogisticRegressionModel: " + std::to_string(coefficient_matrix_.rows()) +
                                " rows of coefficients but " + std::to_string(intercept_vector_.size()) +
                                " intercepts");
}

DenseVector LogisticRegressionModel::coefficients() const {
  if (multinomial_)
    throw std::logic_error("LogisticRegressionModel: a multinomial model has coefficient_matrix(), not coefficients()");
  return coefficient_matrix_.row(0).transpose();
}

double LogisticRegressionModel::intercept() const {
  if (multinomial_)
    throw std::logic_error("LogisticRegressionModel: a multinomial model has intercept_vector(), not intercept()");
  return intercept_vector_[0];
}

LogisticRegressionModel& LogisticRegressionModel::set_threshold(double t) {
  detail::check_param(t >= 0 && t <= 1, "LogisticRegressionModel", "threshold", "in [0, 1]", t);
  threshold_ = t;
  return *this;
}

DenseVector LogisticRegressionModel::margins(const Vector& features) const {
  detail::check_features("LogisticRegressionModel", num_features(), features);
  return Scorer{coefficient_matrix_, intercept_vector_, multinomial_, threshold_}.margins(features);
}

DenseVector LogisticRegressionModel::probabilities(const Vector& features) const {
  detail::check_features("LogisticRegressionModel", num_features(), features);
  return Scorer{coefficient_matrix_, intercept_vector_, multinomial_, threshold_}.probabilities(features);
}

double LogisticRegressionModel::predict_probability(const Vector& features) const {
  if (multinomial_)
    throw std::logic_error("LogisticRegressionModel: predict_probability is for binomial models; use probabilities()");
  return probabilities(features)[1];
}

double LogisticRegressionModel::predict(const Vector& features) const {
  detail::check_features("LogisticRegressionModel", num_features(), features);
  return Scorer{coefficient_matrix_, intercept_vector_, multinomial_, threshold_}.predict(features);
}

RDD<double> LogisticRegressionModel::predict(const RDD<Vector>& features) const {
  return features.map(Predict{{coefficient_matrix_, intercept_vector_, multinomial_, threshold_}});
}

RDD<std::pair<double, double>> LogisticRegressionModel::predict_with_labels(const RDD<LabeledPoint>& points) const {
  if (multinomial_)
    throw std::logic_error(
        "LogisticRegressionModel: predict_with_labels gives binomial scores; use prediction_and_labels");
  return points.map(ProbabilityAndLabel{{coefficient_matrix_, intercept_vector_, false, threshold_}});
}

RDD<std::pair<double, double>> LogisticRegressionModel::prediction_and_labels(const RDD<LabeledPoint>& points) const {
  return points.map(PredictionAndLabel{{coefficient_matrix_, intercept_vector_, multinomial_, threshold_}});
}

void LogisticRegressionModel::save(const std::string& path, bool overwrite) const {
  detail::Metadata m;
  m.set_flag("multinomial", multinomial_);
  m.set("num_classes", static_cast<double>(num_classes()));
  m.set("num_features", static_cast<double>(num_features()));
  m.set("threshold", threshold_);
  m.set("total_iterations", static_cast<double>(total_iterations_));
  ByteWriter data;
  data(coefficient_matrix_, intercept_vector_, objective_history_);
  detail::save_model(path, kModelClass, m, data.bytes(), overwrite);
}

LogisticRegressionModel LogisticRegressionModel::load(const std::string& path) {
  auto saved = detail::load_model(path, kModelClass);
  LogisticRegressionModel model;
  try {
    ByteReader r(saved.data);
    r(model.coefficient_matrix_, model.intercept_vector_, model.objective_history_);
  } catch (const std::exception& e) {
    throw std::runtime_error("LogisticRegressionModel.load(" + path + "): data.bin does not decode: " + e.what());
  }
  model.multinomial_ = saved.metadata.flag("multinomial");
  if (model.coefficient_matrix_.cols() != saved.metadata.number("num_features") ||
      model.coefficient_matrix_.rows() != (model.multinomial_ ? saved.metadata.number("num_classes") : 1) ||
      model.intercept_vector_.size() != model.coefficient_matrix_.rows())
    throw std::runtime_error("LogisticRegressionModel.load(" + path +
                             "): data.bin's coefficients do not match metadata.json");
  model.set_threshold(saved.metadata.number("threshold"));
  model.total_iterations_ = static_cast<int>(saved.metadata.number("total_iterations"));
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
LogisticRegression& LogisticRegression::family(const std::string& v) {
  if (v != "auto" && v != "binomial" && v != "multinomial")
    throw std::invalid_argument("LogisticRegression: family must be \"auto\", \"binomial\" or \"multinomial\", got \"" +
                                v + "\"");
  family_ = v;
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

  const auto summary = detail::summarize(blocks, aggregation_depth_);
  summary.check_class_labels("LogisticRegression", family_ == "binomial" ? 2 : 1 << 16);
  const int classes = summary.num_classes();
  const bool multinomial = family_ == "multinomial" || (family_ == "auto" && classes > 2);
  const int rows = multinomial ? classes : 1;
  const int d = blocks.num_features;
  LogisticRegressionModel model;
  model.multinomial_ = multinomial;
  model.threshold_ = threshold_;

  int observed = 0, only = 0;
  for (int c = 0; c < classes; ++c)
    if (summary.class_weight(c) > 0) ++observed, only = c;
  if (fit_intercept_ && (observed == 1 || (!multinomial && classes < 2))) {
    // Spark's answer for one class: the intercept alone decides, at infinity.
    spdlog::warn("LogisticRegression: every label is {}; the model predicts it always", only);
    model.coefficient_matrix_ = DenseMatrix::Zero(rows, d);
    model.intercept_vector_ = DenseVector::Zero(rows);
    if (multinomial) {
      model.intercept_vector_[only] = std::numeric_limits<double>::infinity();
    } else {
      model.intercept_vector_[0] = only == 1 ? INFINITY : -INFINITY;
    }
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
  const int n = rows * d;  // coefficient coordinates; the intercepts follow

  // x = [standardized coefficients, row by row..., intercepts if fitted]
  auto coefficients_of = [&](const DenseVector& x) -> DenseMatrix {
    return Eigen::Map<const RowMatrix>(x.data(), rows, d) * inv_std.asDiagonal();
  };
  DiffFunction objective = [&](const DenseVector& x, DenseVector& grad) {
    AddLossOfBlock seq{coefficients_of(x), fit_intercept ? DenseVector(x.tail(rows)) : DenseVector::Zero(rows)};
    LossSum zero{0, DenseVector::Zero(rows), DenseMatrix::Zero(rows, d)};
    LossSum sum = blocks.rdd.tree_aggregate(zero, seq, AddLossSums{}, depth);
    Eigen::Map<RowMatrix>(grad.data(), rows, d) = sum.gradient * inv_std.asDiagonal() / weight_sum;
    if (fit_intercept) grad.tail(rows) = sum.intercept_gradient / weight_sum;
    return sum.loss / weight_sum + detail::add_l2_penalty(x.data(), grad.data(), n, l2, standardize, std_dev);
  };

  DenseVector x0 = DenseVector::Zero(n + (fit_intercept_ ? rows : 0));
  if (fit_intercept_ && !multinomial) x0[n] = std::log(summary.class_weight(1) / summary.class_weight(0));
  if (fit_intercept_ && multinomial) {
    // Intercepts that follow the label distribution (Spark: log1p of the counts, centred).
    for (int k = 0; k < rows; ++k) x0[n + k] = std::log1p(summary.class_weight(k));
    x0.tail(rows).array() -= x0.tail(rows).mean();
  }
  IterationClock clock(blocks.rdd.node()->runtime(), "logistic-regression");
  const LBFGSOptions options{.max_iterations = max_iter_,
                             .memory = 10,
                             .tol = tol_,
                             .on_iteration = [&clock](int i, double loss) { clock.lap(i, loss); }};
  OptimizationResult result;
  if (l1 > 0) {
    DenseVector l1_weights = DenseVector::Zero(x0.size());
    for (int k = 0; k < n; ++k) l1_weights[k] = standardize ? l1 : l1 * inv_std[k % d];
    result = minimize_owlqn(objective, x0, l1_weights, options);
  } else {
    result = minimize_lbfgs(objective, x0, options);
  }
  model.coefficient_matrix_ = coefficients_of(result.x);
  model.intercept_vector_ = fit_intercept_ ? DenseVector(result.x.tail(rows)) : DenseVector::Zero(rows);
  if (multinomial) {
    // Softmax is unchanged by adding a constant to every class: Spark centres
    // the intercepts, and without regularisation the coefficients too.
    if (fit_intercept_) model.intercept_vector_.array() -= model.intercept_vector_.mean();
    if (reg_param_ == 0)
      model.coefficient_matrix_.rowwise() -= model.coefficient_matrix_.colwise().mean();
  }
  model.objective_history_ = std::move(result.loss_history);
  model.total_iterations_ = result.iterations;
  return model;
}

}  // namespace brasa::mllib
