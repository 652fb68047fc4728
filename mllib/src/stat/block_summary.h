// One pass over training blocks: weighted count, mean and variance of every
// feature and of the label (Spark's summarizer: variance is
// sum w (x - mean)^2 / (W - sum w^2 / W)), and the weight of each class
// label (labels that are whole numbers 0, 1, 2, ...), for classifiers.
#pragma once

#include <cstdint>
#include <vector>

#include "instance_block.h"

namespace brasa::mllib::detail {

struct BlockSummary {
  int64_t count = 0;
  double weight_sum = 0;
  double weight_sq_sum = 0;
  DenseVector mean;  // of each feature
  DenseVector m2;    // sum of w (x - mean)^2 of each feature
  DenseVector min, max;
  DenseVector nonzeros;  // rows with a non-zero value, per feature
  double label_mean = 0;
  double label_m2 = 0;
  std::vector<double> class_weights;  // weight of the labels equal to 0, 1, 2, ...
  double invalid_class = 0;           // the first label that is not a class index, if any
  bool has_invalid_class = false;

  int num_classes() const { return static_cast<int>(class_weights.size()); }
  double class_weight(int c) const { return c < num_classes() ? class_weights[c] : 0.0; }
  // Throws std::invalid_argument naming `who` if a label is not 0, 1, ...,
  // max_classes - 1.
  void check_class_labels(const char* who, int max_classes) const;

  DenseVector variance() const;  // unbiased weighted; 0 for one point or a constant feature
  DenseVector std_dev() const;
  double label_variance() const;

  template <class Ar> void serialize(Ar& ar) {
    ar(count, weight_sum, weight_sq_sum, mean, m2, min, max, nonzeros, label_mean, label_m2, class_weights, invalid_class,
       has_invalid_class);
  }
};

BlockSummary summarize(const Blocks& blocks, int depth = 2);

}  // namespace brasa::mllib::detail
