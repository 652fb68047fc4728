// Disk mode of brasa-logreg and brasa-linreg: the objectives of MLlib's
// LogisticRegression and LinearRegression (their L-BFGS path, on
// standardized features) evaluated by jobs that re-read and re-parse the
// LIBSVM input and read the coefficients from a file the driver wrote for
// them, as a chain of MapReduce jobs would.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "brasa/mllib/mllib.h"
#include "common/app.h"

namespace brasa::apps {

// The parameters brasa-logreg and brasa-linreg share, with Spark's defaults,
// and their flags.
struct LinearOptions {
  int max_iter = 100;
  double reg = 0;          // regParam
  double elastic_net = 0;  // elasticNetParam
  double tol = 1e-6;
};
void add_linear_options(CLI::App& cli, LinearOptions& o);

// The points of the LIBSVM input, parsed again on every use.
RDD<mllib::LabeledPoint> read_libsvm(Context& ctx, const CommonFlags& flags, int32_t num_features);

// One pass: count, label sums, and per-feature sums and sums of squares.
struct Moments {
  double n = 0, label_sum = 0, label_sum_sq = 0;
  std::vector<double> sum, sum_sq;
  template <class Ar>
  void serialize(Ar& ar) {
    ar(n, label_sum, label_sum_sq, sum, sum_sq);
  }

  double mean(size_t i) const { return sum[i] / n; }
  // Unbiased, as Spark's summarizer (0 for one point).
  double std_dev(size_t i) const;
  double label_mean() const { return label_sum / n; }
  double label_std() const;
};
// Throws std::invalid_argument naming the label when binary_labels and a
// label is not 0 or 1.
Moments moments(Context& ctx, const CommonFlags& flags, int32_t num_features, bool binary_labels);

enum class Loss {
  kLogistic,  // log(1 + e^m) - y m, residual sigmoid(m) - y
  kSquared,   // (m - y label_scale)^2 / 2, residual m - y label_scale
};

// Sums over the points of the loss at margin m = w.x + b (raw features), of
// residual * x (gradient) and of the residuals.
struct LossSum {
  double loss = 0;
  double residual_sum = 0;
  std::vector<double> gradient;
  template <class Ar>
  void serialize(Ar& ar) {
    ar(loss, residual_sum, gradient);
  }
};

// One job over the re-read input; `file` receives w and b first.
LossSum evaluate_loss(Context& ctx, const CommonFlags& flags, Loss loss, const std::vector<double>& w, double b,
                      double label_scale, const std::string& file);

}  // namespace brasa::apps
