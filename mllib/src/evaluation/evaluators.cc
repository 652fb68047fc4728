#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "brasa/mllib/evaluation/binary_classification_evaluator.h"
#include "brasa/mllib/evaluation/regression_evaluator.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace evaluators_impl {

using Counts = std::pair<double, double>;  // (positives, negatives)

struct CountLabel {
  std::pair<double, Counts> operator()(const std::pair<double, double>& p) const {
    return {p.first, p.second > 0.5 ? Counts{1, 0} : Counts{0, 1}};
  }
};

struct AddCounts {
  Counts operator()(const Counts& a, const Counts& b) const { return {a.first + b.first, a.second + b.second}; }
};

// Label counts per distinct score, highest score first.
std::vector<std::pair<double, Counts>> counts_by_score(const RDD<std::pair<double, double>>& scores) {
  auto counts = scores.map(CountLabel{}).reduce_by_key(AddCounts{}).collect();
  for (const auto& [score, c] : counts)
    if (std::isnan(score)) throw std::invalid_argument("BinaryClassificationEvaluator: a score is NaN");
  std::sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  return counts;
}

struct ErrorSums {
  int64_t count = 0;
  double label_sum = 0, label_sq_sum = 0;
  double prediction_sum = 0, prediction_sq_sum = 0;
  double squared_error = 0, absolute_error = 0;
};

struct AddError {
  ErrorSums operator()(ErrorSums s, const std::pair<double, double>& p) const {
    const double prediction = p.first, label = p.second, e = label - prediction;
    ++s.count;
    s.label_sum += label;
    s.label_sq_sum += label * label;
    s.prediction_sum += prediction;
    s.prediction_sq_sum += prediction * prediction;
    s.squared_error += e * e;
    s.absolute_error += std::abs(e);
    return s;
  }
};

struct AddErrorSums {
  ErrorSums operator()(ErrorSums a, const ErrorSums& b) const {
    a.count += b.count;
    a.label_sum += b.label_sum;
    a.label_sq_sum += b.label_sq_sum;
    a.prediction_sum += b.prediction_sum;
    a.prediction_sq_sum += b.prediction_sq_sum;
    a.squared_error += b.squared_error;
    a.absolute_error += b.absolute_error;
    return a;
  }
};

}  // namespace evaluators_impl
using namespace evaluators_impl;

double area_under_curve(const std::vector<std::pair<double, double>>& points) {
  double area = 0;
  for (size_t i = 1; i < points.size(); ++i)
    area += (points[i].first - points[i - 1].first) * (points[i].second + points[i - 1].second) / 2.0;
  return area;
}

std::vector<std::pair<double, double>> BinaryClassificationEvaluator::roc(const RDD<ScoreAndLabel>& scores) const {
  auto counts = counts_by_score(scores);
  double positives = 0, negatives = 0;
  for (const auto& [score, c] : counts) {
    positives += c.first;
    negatives += c.second;
  }
  std::vector<std::pair<double, double>> curve{{0.0, 0.0}};
  double tp = 0, fp = 0;
  for (const auto& [score, c] : counts) {
    tp += c.first;
    fp += c.second;
    curve.emplace_back(fp / negatives, tp / positives);
  }
  curve.emplace_back(1.0, 1.0);
  return curve;
}

std::vector<std::pair<double, double>> BinaryClassificationEvaluator::pr(const RDD<ScoreAndLabel>& scores) const {
  auto counts = counts_by_score(scores);
  double positives = 0;
  for (const auto& [score, c] : counts) positives += c.first;
  std::vector<std::pair<double, double>> curve;
  double tp = 0, fp = 0;
  for (const auto& [score, c] : counts) {
    tp += c.first;
    fp += c.second;
    const double precision = tp + fp == 0 ? 1.0 : tp / (tp + fp);
    if (curve.empty()) curve.emplace_back(0.0, precision);
    curve.emplace_back(tp / positives, precision);
  }
  return curve;
}

double BinaryClassificationEvaluator::area_under_roc(const RDD<ScoreAndLabel>& scores) const {
  return area_under_curve(roc(scores));
}

double BinaryClassificationEvaluator::area_under_pr(const RDD<ScoreAndLabel>& scores) const {
  return area_under_curve(pr(scores));
}

RegressionMetrics RegressionEvaluator::evaluate(const RDD<PredictionAndLabel>& predictions) const {
  ErrorSums s = predictions.tree_aggregate(ErrorSums{}, AddError{}, AddErrorSums{});
  if (s.count == 0) throw std::invalid_argument("RegressionEvaluator: there are no predictions");
  const double n = static_cast<double>(s.count);
  const double label_mean = s.label_sum / n;
  const double ss_tot = s.label_sq_sum - n * label_mean * label_mean;
  // sum (p - mean)^2 = sum p^2 - 2 mean sum p + n mean^2
  const double ss_reg = s.prediction_sq_sum - 2 * label_mean * s.prediction_sum + n * label_mean * label_mean;
  RegressionMetrics m;
  m.count = s.count;
  m.mse = s.squared_error / n;
  m.rmse = std::sqrt(m.mse);
  m.mae = s.absolute_error / n;
  m.r2 = 1.0 - s.squared_error / ss_tot;
  m.explained_variance = ss_reg / n;
  return m;
}

}  // namespace brasa::mllib
