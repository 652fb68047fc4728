// Binary logistic regression with elastic-net regularisation, as Spark ML's
// LogisticRegression (family "binomial"):
//
//   auto model = LogisticRegression().reg_param(0.01).elastic_net_param(0.5).fit(train);
//   double p = model.predict_probability(x);
//
// It minimises, over coefficients b and intercept c,
//   (1/W) sum_i w_i logloss(y_i, b.x_i + c)
//     + reg_param * ((1 - alpha)/2 ||b'||^2 + alpha ||b'||_1),   alpha = elastic_net_param,
// where b' are the coefficients on standardized features (x_j / std_j) when
// standardization is on (the default) and the coefficients themselves when
// it is off. The intercept is not regularised; a constant feature gets
// coefficient 0. L-BFGS solves it, OWL-QN when there is an L1 term.
// Labels must be 0 or 1.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "brasa/mllib/labeled_point.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class LogisticRegressionModel {
 public:
  LogisticRegressionModel() = default;
  LogisticRegressionModel(DenseVector coefficients, double intercept);

  const DenseVector& coefficients() const { return coefficients_; }
  double intercept() const { return intercept_; }
  int num_features() const { return static_cast<int>(coefficients_.size()); }
  int num_classes() const { return 2; }

  // Probability above which predict says 1 (Spark's threshold, 0.5).
  double threshold() const { return threshold_; }
  LogisticRegressionModel& set_threshold(double t);

  double margin(const Vector& features) const;               // b.x + c
  double predict_probability(const Vector& features) const;  // P(y = 1)
  double predict(const Vector& features) const;              // 1 if P(y = 1) > threshold, else 0
  RDD<double> predict(const RDD<Vector>& features) const;
  // (P(y = 1), label) per point: what BinaryClassificationEvaluator reads.
  RDD<std::pair<double, double>> predict_with_labels(const RDD<LabeledPoint>& points) const;

  // Training summary: the objective at the start and after each iteration.
  const std::vector<double>& objective_history() const { return objective_history_; }
  int total_iterations() const { return total_iterations_; }

  // Writes a model directory (refused if `path` exists, unless overwrite).
  void save(const std::string& path, bool overwrite = false) const;
  static LogisticRegressionModel load(const std::string& path);

 private:
  friend class LogisticRegression;
  DenseVector coefficients_;
  double intercept_ = 0;
  double threshold_ = 0.5;
  std::vector<double> objective_history_;
  int total_iterations_ = 0;
};

class LogisticRegression {
 public:
  // Setters check their argument (std::invalid_argument naming it).
  LogisticRegression& reg_param(double v);          // >= 0, default 0
  LogisticRegression& elastic_net_param(double v);  // in [0, 1], default 0 (L2)
  LogisticRegression& max_iter(int v);              // >= 0, default 100
  LogisticRegression& tol(double v);                // >= 0, default 1e-6
  LogisticRegression& fit_intercept(bool v);        // default true
  LogisticRegression& standardization(bool v);      // default true
  LogisticRegression& threshold(double v);          // in [0, 1], default 0.5
  LogisticRegression& aggregation_depth(int v);     // >= 2, default 2
  // Training data is read in blocks of at most this many MiB (0: 1 MiB).
  LogisticRegression& max_block_size_in_mb(double v);

  double reg_param() const { return reg_param_; }
  double elastic_net_param() const { return elastic_net_param_; }
  int max_iter() const { return max_iter_; }
  double tol() const { return tol_; }
  bool fit_intercept() const { return fit_intercept_; }
  bool standardization() const { return standardization_; }
  double threshold() const { return threshold_; }
  int aggregation_depth() const { return aggregation_depth_; }
  double max_block_size_in_mb() const { return max_block_size_in_mb_; }

  // Throws std::invalid_argument for an empty input, a label other than 0
  // or 1, NaN or infinite values, or points of different sizes.
  LogisticRegressionModel fit(const RDD<LabeledPoint>& data) const;

 private:
  double reg_param_ = 0;
  double elastic_net_param_ = 0;
  int max_iter_ = 100;
  double tol_ = 1e-6;
  bool fit_intercept_ = true;
  bool standardization_ = true;
  double threshold_ = 0.5;
  int aggregation_depth_ = 2;
  double max_block_size_in_mb_ = 0;
};

}  // namespace brasa::mllib
