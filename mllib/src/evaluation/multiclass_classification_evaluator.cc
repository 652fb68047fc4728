#include "brasa/mllib/evaluation/multiclass_classification_evaluator.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include <spdlog/fmt/fmt.h>

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace multiclass_classification_evaluator_impl {

using LabelAndPrediction = std::pair<double, double>;

struct KeyByLabelAndPrediction {
  std::pair<LabelAndPrediction, double> operator()(const std::pair<double, double>& p) const {
    return {{p.second, p.first}, 1.0};
  }
};

struct AddWeights {
  double operator()(double a, double b) const { return a + b; }
};

}  // namespace multiclass_classification_evaluator_impl
using namespace multiclass_classification_evaluator_impl;

MulticlassMetrics::MulticlassMetrics(std::map<std::pair<double, double>, double> confusions)
    : confusions_(std::move(confusions)) {
  for (const auto& [key, weight] : confusions_) {
    const auto [label, prediction] = key;
    PerLabel& l = per_label_[label];
    l.rows += weight;
    if (label == prediction) l.tp += weight;
    total_ += weight;
  }
  for (const auto& [key, weight] : confusions_) {
    const auto [label, prediction] = key;
    if (label == prediction) continue;
    auto it = per_label_.find(prediction);
    if (it != per_label_.end()) it->second.fp += weight;
  }
  for (const auto& [label, counts] : per_label_) labels_.push_back(label);
}

const MulticlassMetrics::PerLabel& MulticlassMetrics::of(double label) const {
  auto it = per_label_.find(label);
  if (it == per_label_.end())
    throw std::invalid_argument(fmt::format("MulticlassMetrics: {} is not one of the labels", label));
  return it->second;
}

DenseMatrix MulticlassMetrics::confusion_matrix() const {
  const auto n = static_cast<Eigen::Index>(labels_.size());
  DenseMatrix m = DenseMatrix::Zero(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) {
      auto it = confusions_.find({labels_[static_cast<size_t>(i)], labels_[static_cast<size_t>(j)]});
      if (it != confusions_.end()) m(i, j) = it->second;
    }
  return m;
}

double MulticlassMetrics::accuracy() const {
  double correct = 0;
  for (const auto& [label, l] : per_label_) correct += l.tp;
  return correct / total_;
}

double MulticlassMetrics::hamming_loss() const {
  double wrong = 0;
  for (const auto& [key, weight] : confusions_)
    if (key.first != key.second) wrong += weight;
  return wrong / total_;
}

double MulticlassMetrics::precision(double label) const {
  const PerLabel& l = of(label);
  return l.tp + l.fp == 0 ? 0.0 : l.tp / (l.tp + l.fp);
}

double MulticlassMetrics::recall(double label) const {
  const PerLabel& l = of(label);
  return l.tp / l.rows;
}

double MulticlassMetrics::false_positive_rate(double label) const {
  const PerLabel& l = of(label);
  return l.fp / (total_ - l.rows);
}

double MulticlassMetrics::f_measure(double label, double beta) const {
  const double p = precision(label), r = recall(label), beta2 = beta * beta;
  return p + r == 0 ? 0.0 : (1 + beta2) * p * r / (beta2 * p + r);
}

double MulticlassMetrics::weighted_precision() const {
  double s = 0;
  for (const auto& [label, l] : per_label_) s += precision(label) * l.rows / total_;
  return s;
}

double MulticlassMetrics::weighted_recall() const {
  double s = 0;
  for (const auto& [label, l] : per_label_) s += recall(label) * l.rows / total_;
  return s;
}

double MulticlassMetrics::weighted_false_positive_rate() const {
  double s = 0;
  for (const auto& [label, l] : per_label_) s += false_positive_rate(label) * l.rows / total_;
  return s;
}

double MulticlassMetrics::weighted_f_measure(double beta) const {
  double s = 0;
  for (const auto& [label, l] : per_label_) s += f_measure(label, beta) * l.rows / total_;
  return s;
}

MulticlassMetrics MulticlassClassificationEvaluator::evaluate(const RDD<PredictionAndLabel>& predictions) const {
  auto counts = predictions.map(KeyByLabelAndPrediction{}).reduce_by_key(AddWeights{}).collect();
  if (counts.empty()) throw std::invalid_argument("MulticlassClassificationEvaluator: there are no predictions");
  std::map<std::pair<double, double>, double> confusions;
  for (const auto& [key, weight] : counts) {
    if (std::isnan(key.first) || std::isnan(key.second))
      throw std::invalid_argument("MulticlassClassificationEvaluator: a prediction or label is NaN");
    confusions[key] += weight;
  }
  return MulticlassMetrics(std::move(confusions));
}

}  // namespace brasa::mllib
