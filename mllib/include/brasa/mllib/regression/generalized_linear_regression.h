// Generalized linear models, as Spark ML's GeneralizedLinearRegression:
//
//   auto model = GeneralizedLinearRegression().family("poisson").fit(counts);   // log link
//   double mean = model.predict(x);                                             // g^-1(b.x + c)
//
// Families gaussian, binomial, poisson and gamma, each with its canonical
// link by default (identity, logit, log, inverse) or any of identity, log,
// logit, inverse, sqrt and cloglog. Fitted by iteratively reweighted least
// squares: each step solves Spark's WeightedLeastSquares with L2
// regularisation reg_param on the working response; it stops when no
// coefficient (nor the intercept) moves by tol or more, or after max_iter
// steps. A step that would raise the deviance (or leave the family's
// domain, as a first step from a poor start can) is halved until it does
// not, as R's glm.fit does; Spark takes such steps and diverges. Gaussian
// with the identity link is one least-squares solve.
// Labels must suit the family: binomial in [0, 1], poisson >= 0, gamma > 0.
#pragma once

#include <string>
#include <utility>

#include "brasa/mllib/labeled_point.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class GeneralizedLinearRegressionModel {
 public:
  GeneralizedLinearRegressionModel() = default;

  const DenseVector& coefficients() const { return coefficients_; }
  double intercept() const { return intercept_; }
  int num_features() const { return static_cast<int>(coefficients_.size()); }
  const std::string& family() const { return family_; }
  const std::string& link() const { return link_; }
  int num_iterations() const { return num_iterations_; }

  double predict_link(const Vector& features) const;  // eta = b.x + c
  double predict(const Vector& features) const;       // the mean, g^-1(eta)
  RDD<double> predict(const RDD<Vector>& features) const;
  // (predicted mean, label) per point.
  RDD<std::pair<double, double>> prediction_and_labels(const RDD<LabeledPoint>& points) const;

  void save(const std::string& path, bool overwrite = false) const;
  static GeneralizedLinearRegressionModel load(const std::string& path);

 private:
  friend class GeneralizedLinearRegression;
  DenseVector coefficients_;
  double intercept_ = 0;
  std::string family_ = "gaussian";
  std::string link_ = "identity";
  int num_iterations_ = 0;
};

class GeneralizedLinearRegression {
 public:
  GeneralizedLinearRegression& family(const std::string& v);  // default "gaussian"
  GeneralizedLinearRegression& link(const std::string& v);    // default: the family's canonical link
  GeneralizedLinearRegression& reg_param(double v);           // >= 0, default 0
  GeneralizedLinearRegression& max_iter(int v);               // >= 0, default 25
  GeneralizedLinearRegression& tol(double v);                 // >= 0, default 1e-6
  GeneralizedLinearRegression& fit_intercept(bool v);         // default true
  GeneralizedLinearRegression& aggregation_depth(int v);      // >= 2, default 2

  // Throws std::invalid_argument for an empty input, labels outside the
  // family's range (naming the point), NaN or infinite values, or points
  // of different sizes.
  GeneralizedLinearRegressionModel fit(const RDD<LabeledPoint>& data) const;

 private:
  std::string family_ = "gaussian";
  std::string link_;  // empty: canonical
  double reg_param_ = 0;
  int max_iter_ = 25;
  double tol_ = 1e-6;
  bool fit_intercept_ = true;
  int aggregation_depth_ = 2;
};

}  // namespace brasa::mllib
