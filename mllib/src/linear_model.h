// What the linear models (logistic and linear regression, later SVM and
// GLM) share: the margin b.x + c as a shippable function, parameter checks,
// and their model directories (coefficients, intercept, training history).
#pragma once

#include <string>
#include <vector>

#include "brasa/mllib/linalg/vector.h"
#include "util/checks.h"
#include "util/model_io.h"

namespace brasa::mllib::detail {

struct LinearMargin {
  DenseVector coefficients;
  double intercept = 0;
  template <class Ar> void serialize(Ar& ar) { ar(coefficients, intercept); }
  double operator()(const Vector& x) const { return x.dot(coefficients) + intercept; }
};

struct LinearModelData {
  DenseVector coefficients;
  double intercept = 0;
  std::vector<double> objective_history;
  int total_iterations = 0;
  Metadata metadata;  // the model's own entries besides these
};

// Adds Spark's L2 term 0.5 * l2 * sum_k x_k^2 for n optimisation coordinates
// (feature k mod d of standardized coefficients) to grad and returns it;
// without standardization the term applies to the original coefficients
// x_k / std and skips features whose std is 0.
double add_l2_penalty(const double* x, double* grad, int n, double l2, bool standardize, const DenseVector& std_dev);

void save_linear_model(const std::string& path, const std::string& model_class, const LinearModelData& model,
                       bool overwrite);
LinearModelData load_linear_model(const std::string& path, const std::string& model_class);

}  // namespace brasa::mllib::detail
