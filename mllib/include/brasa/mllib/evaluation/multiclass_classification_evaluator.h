// Metrics of a multiclass classifier's (prediction, label) pairs, as Spark's
// MulticlassMetrics: one job counts the pairs by (label, prediction); every
// metric is then read from those counts on the driver.
//
//   auto m = MulticlassClassificationEvaluator().evaluate(predictions);
//   m.accuracy(); m.weighted_f_measure(); m.precision(2.0); m.confusion_matrix();
//
// The labels are the distinct true labels, ascending; a prediction that is
// no label counts against the label it was made for but has no row or
// column of its own. Per label: precision = tp / (tp + fp), 0 for a label
// never predicted; recall = tp / (rows with the label); F = (1 + b^2) p r /
// (b^2 p + r), 0 when p + r = 0; false positive rate = fp / (rows with
// another label). Weighted metrics average the per-label ones weighted by
// each label's share of the rows. Asking about a label that is not among
// labels() throws std::invalid_argument.
#pragma once

#include <map>
#include <utility>
#include <vector>

#include "brasa/mllib/linalg/vector.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class MulticlassMetrics {
 public:
  // The number (or weight) of rows of each (label, prediction).
  explicit MulticlassMetrics(std::map<std::pair<double, double>, double> confusions);

  const std::vector<double>& labels() const { return labels_; }
  // Row i: rows whose label is labels()[i]; column j: predicted labels()[j].
  DenseMatrix confusion_matrix() const;

  double count() const { return total_; }
  double accuracy() const;      // correct rows / rows
  double hamming_loss() const;  // wrong rows / rows

  double precision(double label) const;
  double recall(double label) const;
  double true_positive_rate(double label) const { return recall(label); }
  double false_positive_rate(double label) const;
  double f_measure(double label, double beta = 1.0) const;

  double weighted_precision() const;
  double weighted_recall() const;
  double weighted_true_positive_rate() const { return weighted_recall(); }
  double weighted_false_positive_rate() const;
  double weighted_f_measure(double beta = 1.0) const;

 private:
  struct PerLabel {
    double rows = 0;  // with this label
    double tp = 0;
    double fp = 0;    // predicted this label for another one
  };
  const PerLabel& of(double label) const;

  std::map<std::pair<double, double>, double> confusions_;
  std::map<double, PerLabel> per_label_;  // the labels' counts
  std::vector<double> labels_;
  double total_ = 0;
};

class MulticlassClassificationEvaluator {
 public:
  using PredictionAndLabel = std::pair<double, double>;
  // Throws std::invalid_argument for an empty input or a NaN prediction or label.
  MulticlassMetrics evaluate(const RDD<PredictionAndLabel>& predictions) const;
};

}  // namespace brasa::mllib
