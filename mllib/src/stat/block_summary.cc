#include "stat/block_summary.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <spdlog/fmt/fmt.h>

namespace brasa::mllib::detail {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace block_summary_impl {

// Labels beyond this are not taken for classes (a regression's labels).
constexpr double kMaxClasses = 1 << 16;

// Merges b into a (Chan et al.'s parallel update of mean and M2).
void merge(BlockSummary& a, const BlockSummary& b) {
  if (b.weight_sum == 0) return;
  if (a.weight_sum == 0) {
    a = b;
    return;
  }
  const double total = a.weight_sum + b.weight_sum;
  const double fa = a.weight_sum / total, fb = b.weight_sum / total;
  DenseVector delta = b.mean - a.mean;
  a.m2 += b.m2 + (delta.array().square() * (a.weight_sum * fb)).matrix();
  a.mean += delta * fb;
  a.min = a.min.cwiseMin(b.min);
  a.max = a.max.cwiseMax(b.max);
  a.nonzeros += b.nonzeros;
  const double label_delta = b.label_mean - a.label_mean;
  a.label_m2 += b.label_m2 + label_delta * label_delta * a.weight_sum * fb;
  a.label_mean = a.label_mean * fa + b.label_mean * fb;
  a.count += b.count;
  a.weight_sum = total;
  a.weight_sq_sum += b.weight_sq_sum;
  if (a.class_weights.size() < b.class_weights.size()) a.class_weights.resize(b.class_weights.size(), 0.0);
  for (size_t c = 0; c < b.class_weights.size(); ++c) a.class_weights[c] += b.class_weights[c];
  if (!a.has_invalid_class && b.has_invalid_class) {
    a.has_invalid_class = true;
    a.invalid_class = b.invalid_class;
  }
}

BlockSummary summarize_block(const InstanceBlock& blk) {
  BlockSummary s;
  s.count = blk.rows;
  s.mean = DenseVector::Zero(blk.cols);
  s.m2 = DenseVector::Zero(blk.cols);
  s.min = DenseVector::Constant(blk.cols, std::numeric_limits<double>::infinity());
  s.max = -s.min;
  s.nonzeros = DenseVector::Zero(blk.cols);
  for (int32_t i = 0; i < blk.rows; ++i) {
    const double w = blk.weights[i], y = blk.labels[i];
    s.weight_sum += w;
    s.weight_sq_sum += w * w;
    s.label_mean += w * y;
    if (y >= 0 && y < kMaxClasses && y == std::floor(y)) {
      const size_t c = static_cast<size_t>(y);
      if (s.class_weights.size() <= c) s.class_weights.resize(c + 1, 0.0);
      s.class_weights[c] += w;
    } else if (!s.has_invalid_class) {
      s.has_invalid_class = true;
      s.invalid_class = y;
    }
    blk.for_each_in_row(i, [&](int32_t j, double x) {
      s.mean[j] += w * x;
      s.min[j] = std::min(s.min[j], x);
      s.max[j] = std::max(s.max[j], x);
      if (x != 0.0) s.nonzeros[j] += 1;
    });
  }
  if (s.weight_sum == 0) return s;
  s.mean /= s.weight_sum;
  s.label_mean /= s.weight_sum;
  // Second pass over the block (in cache): squared deviations; a sparse
  // row's absent entries deviate by -mean.
  DenseVector absent_weight = DenseVector::Constant(blk.cols, s.weight_sum);
  for (int32_t i = 0; i < blk.rows; ++i) {
    const double w = blk.weights[i];
    const double dy = blk.labels[i] - s.label_mean;
    s.label_m2 += w * dy * dy;
    blk.for_each_in_row(i, [&](int32_t j, double x) {
      const double d = x - s.mean[j];
      s.m2[j] += w * d * d;
      absent_weight[j] -= w;
    });
  }
  if (blk.sparse()) {
    s.m2 += (absent_weight.array() * s.mean.array().square()).matrix();
    for (int32_t j = 0; j < blk.cols; ++j)
      if (absent_weight[j] > 0 || s.nonzeros[j] < blk.rows) {  // the row has a 0 there
        s.min[j] = std::min(s.min[j], 0.0);
        s.max[j] = std::max(s.max[j], 0.0);
      }
  }
  return s;
}

struct SummarizeBlocks {
  BlockSummary operator()(BlockSummary acc, const InstanceBlock& blk) const {
    if (acc.mean.size() == 0) {
      acc.mean = DenseVector::Zero(blk.cols);
      acc.m2 = DenseVector::Zero(blk.cols);
      acc.min = DenseVector::Constant(blk.cols, std::numeric_limits<double>::infinity());
      acc.max = -acc.min;
      acc.nonzeros = DenseVector::Zero(blk.cols);
    }
    merge(acc, summarize_block(blk));
    return acc;
  }
};

struct MergeSummaries {
  BlockSummary operator()(BlockSummary a, const BlockSummary& b) const {
    if (a.mean.size() == 0) return b;
    merge(a, b);
    return a;
  }
};

}  // namespace block_summary_impl
using namespace block_summary_impl;

void BlockSummary::check_class_labels(const char* who, int max_classes) const {
  if (has_invalid_class)
    throw std::invalid_argument(fmt::format("{}: labels must be class indices 0, 1, 2, ..., found {}", who,
                                            invalid_class));
  if (num_classes() > max_classes)
    throw std::invalid_argument(fmt::format("{}: labels must be {} found {}", who,
                                            max_classes == 2 ? "0 or 1 (binary classification)," :
                                                               fmt::format("below {},", max_classes),
                                            num_classes() - 1));
}

DenseVector BlockSummary::variance() const {
  const double denominator = weight_sum - weight_sq_sum / weight_sum;
  if (!(denominator > 0)) return DenseVector::Zero(mean.size());
  DenseVector v = (m2 / denominator).cwiseMax(0.0);
  for (Eigen::Index j = 0; j < v.size(); ++j)
    if (min[j] == max[j]) v[j] = 0;  // rounding in the mean leaves a tiny M2 on a constant
  return v;
}

DenseVector BlockSummary::std_dev() const { return variance().cwiseSqrt(); }

double BlockSummary::label_variance() const {
  const double denominator = weight_sum - weight_sq_sum / weight_sum;
  return denominator > 0 ? std::max(label_m2 / denominator, 0.0) : 0.0;
}

BlockSummary summarize(const Blocks& blocks, int depth) {
  BlockSummary s = blocks.rdd.tree_aggregate(BlockSummary{}, SummarizeBlocks{}, MergeSummaries{}, depth);
  if (s.mean.size() == 0) {
    s.mean = DenseVector::Zero(blocks.num_features);
    s.m2 = DenseVector::Zero(blocks.num_features);
    s.min = s.max = s.nonzeros = DenseVector::Zero(blocks.num_features);
  }
  return s;
}

}  // namespace brasa::mllib::detail
