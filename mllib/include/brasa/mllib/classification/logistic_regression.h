// Logistic regression with elastic-net regularisation, binary and
// multinomial, as Spark ML's LogisticRegression:
//
//   auto model = LogisticRegression().reg_param(0.01).elastic_net_param(0.5).fit(train);
//   double p = model.predict_probability(x);            // binary: P(y = 1)
//   double c = model.predict(x);                        // the class, 0, 1, 2, ...
//
// Labels are class indices 0, 1, ..., K-1. Family "auto" (the default) fits
// a binomial model for K <= 2 and a multinomial (softmax) one beyond;
// "binomial" and "multinomial" force one. It minimises
//   (1/W) sum_i w_i logloss(y_i, margins_i)
//     + reg_param * ((1 - alpha)/2 ||B'||^2 + alpha ||B'||_1),   alpha = elastic_net_param,
// where B' are the coefficients on standardized features (x_j / std_j) when
// standardization is on (the default) and the coefficients themselves when
// it is off. Intercepts are not regularised; a constant feature gets
// coefficient 0. L-BFGS solves it, OWL-QN when there is an L1 term. As in
// Spark, multinomial intercepts are centred to sum to 0, and so are each
// feature's coefficients across classes when reg_param is 0.
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
  // A binomial model.
  LogisticRegressionModel(DenseVector coefficients, double intercept);
  // A multinomial model: one row of coefficients and one intercept per class.
  LogisticRegressionModel(DenseMatrix coefficient_matrix, DenseVector intercept_vector);

  bool is_multinomial() const { return multinomial_; }
  int num_classes() const { return multinomial_ ? static_cast<int>(coefficient_matrix_.rows()) : 2; }
  int num_features() const { return static_cast<int>(coefficient_matrix_.cols()); }
  // Binomial models only (std::logic_error otherwise), as Spark's.
  DenseVector coefficients() const;
  double intercept() const;
  // Rows of coefficients and intercepts: one for a binomial model, K for a multinomial one.
  const DenseMatrix& coefficient_matrix() const { return coefficient_matrix_; }
  const DenseVector& intercept_vector() const { return intercept_vector_; }

  // Binomial: probability above which predict says 1 (Spark's 0.5).
  double threshold() const { return threshold_; }
  LogisticRegressionModel& set_threshold(double t);

  // Raw margins B x + b (one for a binomial model, K otherwise).
  DenseVector margins(const Vector& features) const;
  // Class probabilities, K of them (2 for a binomial model).
  DenseVector probabilities(const Vector& features) const;
  double predict_probability(const Vector& features) const;  // binomial: P(y = 1)
  double predict(const Vector& features) const;              // the class
  RDD<double> predict(const RDD<Vector>& features) const;
  // Binomial: (P(y = 1), label) per point, what BinaryClassificationEvaluator reads.
  RDD<std::pair<double, double>> predict_with_labels(const RDD<LabeledPoint>& points) const;
  // (predicted class, label) per point, what MulticlassClassificationEvaluator reads.
  RDD<std::pair<double, double>> prediction_and_labels(const RDD<LabeledPoint>& points) const;

  // Training summary: the objective at the start and after each iteration.
  const std::vector<double>& objective_history() const { return objective_history_; }
  int total_iterations() const { return total_iterations_; }

  // Writes a model directory (refused if `path` exists, unless overwrite).
  void save(const std::string& path, bool overwrite = false) const;
  static LogisticRegressionModel load(const std::string& path);

 private:
  friend class LogisticRegression;
  bool multinomial_ = false;
  DenseMatrix coefficient_matrix_;  // 1 x d (binomial) or K x d
  DenseVector intercept_vector_;    // 1 or K
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
  LogisticRegression& family(const std::string& v);  // "auto" (default), "binomial" or "multinomial"
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
  const std::string& family() const { return family_; }
  int aggregation_depth() const { return aggregation_depth_; }
  double max_block_size_in_mb() const { return max_block_size_in_mb_; }

  // Throws std::invalid_argument for an empty input, labels that are not
  // class indices (or above 1 for "binomial"), NaN or infinite values, or
  // points of different sizes.
  LogisticRegressionModel fit(const RDD<LabeledPoint>& data) const;

 private:
  double reg_param_ = 0;
  double elastic_net_param_ = 0;
  int max_iter_ = 100;
  double tol_ = 1e-6;
  bool fit_intercept_ = true;
  bool standardization_ = true;
  double threshold_ = 0.5;
  std::string family_ = "auto";
  int aggregation_depth_ = 2;
  double max_block_size_in_mb_ = 0;
};

}  // namespace brasa::mllib
