// Standardization of features as Spark ML's StandardScaler:
//
//   auto model = StandardScaler().with_mean(true).fit(vectors);   // RDD<Vector>
//   Vector z = model.transform(x);                                // (x - mean) / std
//
// fit computes each feature's mean and its unbiased sample standard
// deviation (sqrt of sum (x - mean)^2 / (n - 1); 0 for a single row) in one
// pass (summarize). transform then, as Spark's:
//   with_std (default true):   x_j * (1 / std_j), and 0 where std_j is 0;
//   with_mean (default false): x_j - mean_j first. The result is dense even
//     for sparse input (Spark densifies too, rather than refusing);
//   with_std only: a sparse input stays sparse, with the same indices;
//   neither: the input unchanged.
// NaN propagates. Throws std::invalid_argument for an empty input, vectors
// of different sizes, or a point whose size is not the model's.
#pragma once

#include <string>

#include "brasa/mllib/linalg/vector.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class StandardScalerModel {
 public:
  StandardScalerModel() = default;
  StandardScalerModel(DenseVector mean, DenseVector std_dev, bool with_mean = false, bool with_std = true);

  int num_features() const { return static_cast<int>(mean_.size()); }
  const DenseVector& mean() const { return mean_; }
  const DenseVector& std_dev() const { return std_dev_; }  // Spark's `std`
  bool with_mean() const { return with_mean_; }
  bool with_std() const { return with_std_; }

  Vector transform(const Vector& x) const;
  RDD<Vector> transform(const RDD<Vector>& data) const;

  void save(const std::string& path, bool overwrite = false) const;
  static StandardScalerModel load(const std::string& path);

 private:
  DenseVector mean_, std_dev_;
  bool with_mean_ = false;
  bool with_std_ = true;
};

class StandardScaler {
 public:
  StandardScaler& with_mean(bool v) {  // center on the mean; default false
    with_mean_ = v;
    return *this;
  }
  StandardScaler& with_std(bool v) {  // scale to unit standard deviation; default true
    with_std_ = v;
    return *this;
  }
  bool with_mean() const { return with_mean_; }
  bool with_std() const { return with_std_; }

  StandardScalerModel fit(const RDD<Vector>& data) const;

 private:
  bool with_mean_ = false;
  bool with_std_ = true;
};

}  // namespace brasa::mllib
