// Disk mode of brasa-logreg and brasa-linreg: the objectives of MLlib's
// LogisticRegression and LinearRegression (their L-BFGS path, on
// standardized features) evaluated by jobs that re-read and re-parse the
// LIBSVM input and read the coefficients from a file the driver wrote for
// them, as a chain of MapReduce jobs would.
#pragma once

#include <Eigen/Core>
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

// The training points of the LIBSVM input, parsed again on every read():
// all of them, or with a test fraction the first part of
// random_split({1 - test_fraction, test_fraction}, seed), which is the part
// memory mode trains on (the split depends on the seed and the partitions
// of the text, the same in both modes).
struct TrainingInput {
  const CommonFlags& flags;
  int32_t num_features;
  double test_fraction = 0;
  uint64_t seed = 42;

  RDD<mllib::LabeledPoint> read(Context& ctx) const;
};

// One pass: count, label sums, per-feature sums and sums of squares, and
// with class labels the count of each class.
struct Moments {
  double n = 0, label_sum = 0, label_sum_sq = 0;
  std::vector<double> sum, sum_sq;
  std::vector<double> class_count;  // class labels: index = label
  template <class Ar>
  void serialize(Ar& ar) {
    ar(n, label_sum, label_sum_sq, sum, sum_sq, class_count);
  }

  double mean(size_t i) const { return sum[i] / n; }
  // Unbiased, as Spark's summarizer (0 for one point).
  double std_dev(size_t i) const;
  double label_mean() const { return label_sum / n; }
  double label_std() const;
};
// With class_labels, throws std::invalid_argument naming a label that is
// not a class index 0, 1, 2, ...
Moments moments(Context& ctx, const TrainingInput& input, bool class_labels);

enum class Loss {
  // One row of coefficients: log(1 + e^m) - y m, residual sigmoid(m) - y.
  // K rows (softmax): log sum_k e^{m_k} - m_y, residuals p_k - [k = y].
  kLogistic,
  kSquared,  // (m - y label_scale)^2 / 2, residual m - y label_scale
};

// Sums over the points, per row k of coefficients, of the residuals (the
// intercepts' gradient) and of residual * x (the gradient, rows x d
// row-major), and of the loss; margins m_k = w_k.x + b_k on raw features.
struct LossSum {
  double loss = 0;
  std::vector<double> residual_sum;
  std::vector<double> gradient;
  template <class Ar>
  void serialize(Ar& ar) {
    ar(loss, residual_sum, gradient);
  }
};

// One job over the re-read input; `file` receives w (rows x d) and b first.
LossSum evaluate_loss(Context& ctx, const TrainingInput& input, Loss loss, const Eigen::MatrixXd& w,
                      const Eigen::VectorXd& b, double label_scale, const std::string& file);

}  // namespace brasa::apps
