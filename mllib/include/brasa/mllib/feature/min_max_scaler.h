// Rescaling of each feature to [min, max] as Spark ML's MinMaxScaler:
//
//   auto model = MinMaxScaler().fit(vectors);         // to [0, 1]
//   Vector y = model.transform(x);
//
// fit finds each feature's smallest and largest value E_min, E_max (NaN
// left out). transform maps
//   e -> (e - E_min) / (E_max - E_min) * (max - min) + min,
// a constant feature (E_max == E_min) to 0.5 * (max + min), and leaves NaN
// as NaN. Values outside [E_min, E_max] are not clipped. As in Spark, the
// result is dense, or sparse when that is smaller (Vector::compressed).
// min (default 0) must be below max (default 1); fit and transform throw
// std::invalid_argument otherwise, as for an empty input, vectors of
// different sizes, or a point whose size is not the model's.
#pragma once

#include <string>

#include "brasa/mllib/linalg/vector.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class MinMaxScalerModel {
 public:
  MinMaxScalerModel() = default;
  MinMaxScalerModel(DenseVector original_min, DenseVector original_max, double min = 0.0, double max = 1.0);

  int num_features() const { return static_cast<int>(original_min_.size()); }
  const DenseVector& original_min() const { return original_min_; }  // E_min per feature
  const DenseVector& original_max() const { return original_max_; }  // E_max per feature
  double min() const { return min_; }
  double max() const { return max_; }
  // The output range can be changed after fitting, as in Spark.
  MinMaxScalerModel& min(double v) {
    min_ = v;
    return *this;
  }
  MinMaxScalerModel& max(double v) {
    max_ = v;
    return *this;
  }

  Vector transform(const Vector& x) const;
  RDD<Vector> transform(const RDD<Vector>& data) const;

  void save(const std::string& path, bool overwrite = false) const;
  static MinMaxScalerModel load(const std::string& path);

 private:
  DenseVector original_min_, original_max_;
  double min_ = 0.0;
  double max_ = 1.0;
};

class MinMaxScaler {
 public:
  MinMaxScaler& min(double v) {  // lower bound of the output range; default 0
    min_ = v;
    return *this;
  }
  MinMaxScaler& max(double v) {  // upper bound of the output range; default 1
    max_ = v;
    return *this;
  }
  double min() const { return min_; }
  double max() const { return max_; }

  MinMaxScalerModel fit(const RDD<Vector>& data) const;

 private:
  double min_ = 0.0;
  double max_ = 1.0;
};

}  // namespace brasa::mllib
