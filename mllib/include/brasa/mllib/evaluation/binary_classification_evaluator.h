// Areas under the ROC and precision-recall curves of (score, label) pairs,
// as Spark's BinaryClassificationMetrics computes them without binning: one
// curve point per distinct score, from the highest down; labels above 0.5
// count as positive. The ROC curve runs from (0, 0) to (1, 1); the PR curve
// starts at recall 0 with the precision of the highest score, and precision
// is 1 where nothing is predicted positive. Areas are trapezoidal.
#pragma once

#include <utility>
#include <vector>

#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class BinaryClassificationEvaluator {
 public:
  using ScoreAndLabel = std::pair<double, double>;

  double area_under_roc(const RDD<ScoreAndLabel>& scores) const;
  double area_under_pr(const RDD<ScoreAndLabel>& scores) const;

  // The curves' points as (x, y): (false positive rate, true positive
  // rate) and (recall, precision).
  std::vector<std::pair<double, double>> roc(const RDD<ScoreAndLabel>& scores) const;
  std::vector<std::pair<double, double>> pr(const RDD<ScoreAndLabel>& scores) const;
};

// The trapezoidal area under a curve of points in order of x.
double area_under_curve(const std::vector<std::pair<double, double>>& points);

}  // namespace brasa::mllib
