// One pass over training blocks: weighted count, mean and variance of every
// feature and of the label (Spark's summarizer: variance is
// sum w (x - mean)^2 / (W - sum w^2 / W)), and whether every label is 0 or 1.
#pragma once

#include <cstdint>

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
  double positives = 0;       // weight of labels equal to 1
  double negatives = 0;       // weight of labels equal to 0
  double other_label = 0;     // a label that is neither (the first seen), if any
  bool has_other_label = false;

  DenseVector variance() const;  // unbiased weighted; 0 for one point or a constant feature
  DenseVector std_dev() const;
  double label_variance() const;

  template <class Ar> void serialize(Ar& ar) {
    ar(count, weight_sum, weight_sq_sum, mean, m2, min, max, nonzeros, label_mean, label_m2, positives, negatives, other_label,
       has_other_label);
  }
};

BlockSummary summarize(const Blocks& blocks, int depth = 2);

}  // namespace brasa::mllib::detail
