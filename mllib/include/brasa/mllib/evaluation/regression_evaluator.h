// Regression metrics of (prediction, label) pairs, as Spark's
// RegressionMetrics: MSE, RMSE, MAE, R^2 = 1 - SSerr / SStot, and explained
// variance = sum (prediction - mean label)^2 / n.
#pragma once

#include <cstdint>
#include <utility>

#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

struct RegressionMetrics {
  int64_t count = 0;
  double mse = 0;
  double rmse = 0;
  double mae = 0;
  double r2 = 0;
  double explained_variance = 0;
};

class RegressionEvaluator {
 public:
  using PredictionAndLabel = std::pair<double, double>;
  // Throws std::invalid_argument for an empty input.
  RegressionMetrics evaluate(const RDD<PredictionAndLabel>& predictions) const;
};

}  // namespace brasa::mllib
