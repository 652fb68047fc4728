// Running count, mean, variance, min and max of numbers (Welford's method,
// mergeable across partitions), as returned by RDD::stats().
#pragma once

#include <cstdint>
#include <string>

namespace brasa {

class StatCounter {
 public:
  void add(double x);
  void merge(const StatCounter& o);

  int64_t count() const { return n_; }
  double mean() const { return mean_; }
  double sum() const { return mean_ * static_cast<double>(n_); }
  double min() const { return min_; }
  double max() const { return max_; }
  double variance() const;         // population variance, like Spark's
  double sample_variance() const;  // divides by n-1
  double stdev() const;
  double sample_stdev() const;
  std::string to_string() const;

 private:
  int64_t n_ = 0;
  double mean_ = 0;
  double m2_ = 0;  // sum of squared deviations from the mean
  double min_ = 0;
  double max_ = 0;
};

}  // namespace brasa
