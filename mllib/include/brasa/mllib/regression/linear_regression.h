// Linear regression with elastic-net regularisation, as Spark ML's
// LinearRegression (squared error):
//
//   auto model = LinearRegression().reg_param(0.1).elastic_net_param(0.5).fit(train);
//   double y = model.predict(x);
//
// It minimises 1/(2W) sum_i w_i (b.x_i + c - y_i)^2 plus reg_param times
// ((1 - alpha)/2 ||b'||^2 + alpha ||b'||_1) (alpha = elastic_net_param),
// with labels and, when standardization is on, features scaled to unit
// spread while fitting (b' = the scaled coefficients); the model is on the
// original scale, and the intercept is not regularised.
//
// solver "auto" (the default) solves the normal equations (Spark's
// WeightedLeastSquares: Cholesky, or OWL-QN on the same quadratic form when
// there is an L1 term) for up to 4096 features, and runs L-BFGS / OWL-QN
// over the data beyond that; "normal" and "l-bfgs" force one. As in Spark,
// the normal equations scale by population standard deviations and L-BFGS
// by sample ones. A constant label gives coefficients 0 and its value as
// the intercept; a constant feature gets coefficient 0.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "brasa/mllib/labeled_point.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class LinearRegressionModel {
 public:
  LinearRegressionModel() = default;
  LinearRegressionModel(DenseVector coefficients, double intercept);

  const DenseVector& coefficients() const { return coefficients_; }
  double intercept() const { return intercept_; }
  int num_features() const { return static_cast<int>(coefficients_.size()); }

  double predict(const Vector& features) const;
  RDD<double> predict(const RDD<Vector>& features) const;
  // (prediction, label) per point: what RegressionEvaluator reads.
  RDD<std::pair<double, double>> predict_with_labels(const RDD<LabeledPoint>& points) const;

  // Training summary: the objective per iteration of an iterative solver
  // ({0} after Cholesky, as Spark reports it).
  const std::vector<double>& objective_history() const { return objective_history_; }
  int total_iterations() const { return total_iterations_; }

  void save(const std::string& path, bool overwrite = false) const;
  static LinearRegressionModel load(const std::string& path);

 private:
  friend class LinearRegression;
  DenseVector coefficients_;
  double intercept_ = 0;
  std::vector<double> objective_history_;
  int total_iterations_ = 0;
};

class LinearRegression {
 public:
  // Setters check their argument (std::invalid_argument naming it).
  LinearRegression& reg_param(double v);          // >= 0, default 0
  LinearRegression& elastic_net_param(double v);  // in [0, 1], default 0 (L2)
  LinearRegression& max_iter(int v);              // >= 0, default 100
  LinearRegression& tol(double v);                // >= 0, default 1e-6
  LinearRegression& fit_intercept(bool v);        // default true
  LinearRegression& standardization(bool v);      // default true
  LinearRegression& solver(const std::string& v);  // "auto" (default), "normal" or "l-bfgs"
  LinearRegression& aggregation_depth(int v);     // >= 2, default 2
  LinearRegression& max_block_size_in_mb(double v);  // >= 0, default 0 (1 MiB)

  double reg_param() const { return reg_param_; }
  double elastic_net_param() const { return elastic_net_param_; }
  int max_iter() const { return max_iter_; }
  double tol() const { return tol_; }
  bool fit_intercept() const { return fit_intercept_; }
  bool standardization() const { return standardization_; }
  const std::string& solver() const { return solver_; }

  // Throws std::invalid_argument for an empty input, NaN or infinite
  // values, points of different sizes, or singular normal equations
  // without regularisation.
  LinearRegressionModel fit(const RDD<LabeledPoint>& data) const;

  static constexpr int kMaxNormalFeatures = 4096;
  // Whether fit solves the normal equations for data of this width (the
  // solver, or "auto" up to kMaxNormalFeatures), not L-BFGS over the data.
  bool uses_normal_equations(int num_features) const {
    return solver_ == "normal" || (solver_ == "auto" && num_features <= kMaxNormalFeatures);
  }

 private:
  double reg_param_ = 0;
  double elastic_net_param_ = 0;
  int max_iter_ = 100;
  double tol_ = 1e-6;
  bool fit_intercept_ = true;
  bool standardization_ = true;
  std::string solver_ = "auto";
  int aggregation_depth_ = 2;
  double max_block_size_in_mb_ = 0;
};

}  // namespace brasa::mllib
