// Isotonic regression of a label on one feature, as Spark's
// IsotonicRegression (Spark 3.4+ semantics):
//
//   auto model = IsotonicRegression().isotonic(true).feature_index(0).fit(points);
//   double y = model.predict(2.5);          // or model.predict(point.features)
//
// fit finds the monotone (non-decreasing; non-increasing when isotonic is
// false) step function of the feature closest to the labels in weighted
// least squares. Points with equal features are first combined into one
// (weighted mean label, summed weight); then the pool adjacent violators
// algorithm runs on each partition of the data sorted by feature, and once
// more on the driver over the partitions' results.
//
// The model keeps, for each block of equal fitted values, its first and
// last feature as boundaries (one, when they are the same) with the fitted
// value as prediction: boundaries strictly increase. predict(x) is
//   x equal to a boundary:          that boundary's prediction;
//   x between two boundaries:       linear interpolation between them;
//   x below / above every boundary: the first / last prediction;
//   NaN:                            the last prediction (as Java's binary search).
// Points of weight 0 are left out; an input without points gives a model
// without boundaries, whose predict throws. Errors throw
// std::invalid_argument: a negative or non-finite weight, a non-finite
// label, a NaN feature, or feature_index beyond a point's features.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "brasa/mllib/labeled_point.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class IsotonicRegressionModel {
 public:
  IsotonicRegressionModel() = default;
  // Throws unless boundaries and predictions have the same size, the
  // boundaries do not decrease, and the predictions are monotone as
  // `isotonic` says.
  IsotonicRegressionModel(std::vector<double> boundaries, std::vector<double> predictions, bool isotonic = true,
                          int feature_index = 0);

  const std::vector<double>& boundaries() const { return boundaries_; }
  const std::vector<double>& predictions() const { return predictions_; }
  bool isotonic() const { return isotonic_; }
  int feature_index() const { return feature_index_; }

  double predict(double feature) const;
  // predict(features[feature_index]).
  double predict(const Vector& features) const;
  RDD<double> predict(const RDD<double>& features) const;
  RDD<double> predict(const RDD<Vector>& features) const;

  void save(const std::string& path, bool overwrite = false) const;
  static IsotonicRegressionModel load(const std::string& path);

 private:
  std::vector<double> boundaries_, predictions_;
  bool isotonic_ = true;
  int feature_index_ = 0;
};

class IsotonicRegression {
 public:
  IsotonicRegression& isotonic(bool v) {  // increasing (default true) or decreasing
    isotonic_ = v;
    return *this;
  }
  IsotonicRegression& feature_index(int v);  // the feature regressed on, >= 0; default 0

  bool isotonic() const { return isotonic_; }
  int feature_index() const { return feature_index_; }

  // Every point with weight 1.
  IsotonicRegressionModel fit(const RDD<LabeledPoint>& data) const;
  // (point, weight) pairs; weights must be >= 0.
  IsotonicRegressionModel fit(const RDD<std::pair<LabeledPoint, double>>& weighted) const;

 private:
  bool isotonic_ = true;
  int feature_index_ = 0;
};

}  // namespace brasa::mllib
