// Linear support vector machine for binary classification, as Spark ML's
// LinearSVC:
//
//   auto model = LinearSVC().reg_param(0.1).fit(train);
//   double c = model.predict(x);                      // 1 if b.x + c > threshold
//
// It minimises the hinge loss (1/W) sum_i w_i max(0, 1 - y'_i (b.x_i + c)),
// y' = 2y - 1, plus reg_param/2 ||b'||^2 (b' the coefficients on
// standardized features when standardization is on, else b), by OWL-QN
// with no L1 term, as Spark does (its backtracking line search copes with
// the hinge's kinks). Labels must be 0 or 1, both present.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "brasa/mllib/labeled_point.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class LinearSVCModel {
 public:
  LinearSVCModel() = default;
  LinearSVCModel(DenseVector coefficients, double intercept);

  const DenseVector& coefficients() const { return coefficients_; }
  double intercept() const { return intercept_; }
  int num_features() const { return static_cast<int>(coefficients_.size()); }
  int num_classes() const { return 2; }

  // The margin above which predict says 1 (Spark's threshold, 0.0).
  double threshold() const { return threshold_; }
  LinearSVCModel& set_threshold(double t);

  double margin(const Vector& features) const;  // b.x + c
  double predict(const Vector& features) const;
  RDD<double> predict(const RDD<Vector>& features) const;
  // (margin, label) per point: what BinaryClassificationEvaluator reads.
  RDD<std::pair<double, double>> predict_with_labels(const RDD<LabeledPoint>& points) const;
  // (predicted class, label) per point.
  RDD<std::pair<double, double>> prediction_and_labels(const RDD<LabeledPoint>& points) const;

  const std::vector<double>& objective_history() const { return objective_history_; }
  int total_iterations() const { return total_iterations_; }

  void save(const std::string& path, bool overwrite = false) const;
  static LinearSVCModel load(const std::string& path);

 private:
  friend class LinearSVC;
  DenseVector coefficients_;
  double intercept_ = 0;
  double threshold_ = 0;
  std::vector<double> objective_history_;
  int total_iterations_ = 0;
};

class LinearSVC {
 public:
  LinearSVC& reg_param(double v);          // >= 0, default 0
  LinearSVC& max_iter(int v);              // >= 0, default 100
  LinearSVC& tol(double v);                // >= 0, default 1e-6
  LinearSVC& fit_intercept(bool v);        // default true
  LinearSVC& standardization(bool v);      // default true
  LinearSVC& threshold(double v);          // any, default 0
  LinearSVC& aggregation_depth(int v);     // >= 2, default 2
  LinearSVC& max_block_size_in_mb(double v);  // >= 0, default 0 (1 MiB)

  double reg_param() const { return reg_param_; }
  int max_iter() const { return max_iter_; }

  // Throws std::invalid_argument for an empty input, labels other than 0
  // and 1 (or only one of them), NaN or infinite values, or points of
  // different sizes.
  LinearSVCModel fit(const RDD<LabeledPoint>& data) const;

 private:
  double reg_param_ = 0;
  int max_iter_ = 100;
  double tol_ = 1e-6;
  bool fit_intercept_ = true;
  bool standardization_ = true;
  double threshold_ = 0;
  int aggregation_depth_ = 2;
  double max_block_size_in_mb_ = 0;
};

}  // namespace brasa::mllib
