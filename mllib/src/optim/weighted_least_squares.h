// Spark's WeightedLeastSquares: the normal equations of
//   min 1/(2W) sum_i w_i (a_i.x + z - b_i)^2
//       + lambda/delta * ((1 - alpha)/2 sum_j (sigma_j x_j)^2 + alpha sum_j |sigma_j x_j|)
// in the space of standardized features and label, from one pass over the
// data (weighted means of a, b, ab, bb and aa^T). sigma_j is the feature's
// weighted population std when standardize_features (else 1) and delta the
// label's when standardize_label (else 1); the fit runs on a / sigma and
// b / delta and is returned on the original scale, so the L2 term ends up
// divided by delta and the L1 term not. Cholesky solves it without an L1
// term, OWL-QN on the same quadratic with one. A constant feature gets 0.
#pragma once

#include <vector>

#include "instance_block.h"
#include "regression/glm_family.h"

namespace brasa::mllib::detail {

// IRLS's view of the data: each point's label and weight replaced by a
// GLM's working response and weight (Spark's reweightFunc), or by the link
// of its starting mean.
struct Relabel {
  enum Mode { kNone, kInitialize, kStep };
  int mode = kNone;
  GlmFamily glm;
  DenseVector coefficients;  // kStep: the current model
  double intercept = 0;
  template <class Ar> void serialize(Ar& ar) { ar(mode, glm, coefficients, intercept); }
};

struct WlsOptions {
  bool fit_intercept = true;
  double reg_param = 0;
  double elastic_net_param = 0;
  bool standardize_features = true;
  bool standardize_label = true;
  int max_iter = 100;  // OWL-QN only
  double tol = 1e-6;   // OWL-QN only
  int depth = 2;
  Relabel relabel;
  const char* who = "LinearRegression";  // names the estimator in errors
};

struct WlsSolution {
  DenseVector coefficients;
  double intercept = 0;
  std::vector<double> objective_history;  // OWL-QN's; {0} after Cholesky, as Spark
  int iterations = 0;
};

WlsSolution weighted_least_squares(const Blocks& blocks, const WlsOptions& options);

}  // namespace brasa::mllib::detail
