#include "brasa/rdd/stat_counter.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace brasa {

void StatCounter::add(double x) {
  if (n_ == 0) min_ = max_ = x;
  ++n_;
  double delta = x - mean_;
  mean_ += delta / static_cast<double>(n_);
  m2_ += delta * (x - mean_);
  min_ = std::min(min_, x);
  max_ = std::max(max_, x);
}

void StatCounter::merge(const StatCounter& o) {
  if (o.n_ == 0) return;
  if (n_ == 0) {
    *this = o;
    return;
  }
  double delta = o.mean_ - mean_;
  int64_t n = n_ + o.n_;
  mean_ += delta * static_cast<double>(o.n_) / static_cast<double>(n);
  m2_ += o.m2_ + delta * delta * static_cast<double>(n_) * static_cast<double>(o.n_) / static_cast<double>(n);
  n_ = n;
  min_ = std::min(min_, o.min_);
  max_ = std::max(max_, o.max_);
}

double StatCounter::variance() const {
  return n_ == 0 ? std::numeric_limits<double>::quiet_NaN() : m2_ / static_cast<double>(n_);
}
double StatCounter::sample_variance() const {
  return n_ <= 1 ? std::numeric_limits<double>::quiet_NaN() : m2_ / static_cast<double>(n_ - 1);
}
double StatCounter::stdev() const { return std::sqrt(variance()); }
double StatCounter::sample_stdev() const { return std::sqrt(sample_variance()); }

std::string StatCounter::to_string() const {
  return fmt::format("(count: {}, mean: {}, stdev: {}, max: {}, min: {})", n_, mean_, stdev(), max_, min_);
}

}  // namespace brasa
