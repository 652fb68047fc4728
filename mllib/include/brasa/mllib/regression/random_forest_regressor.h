// Random forest regression, as Spark ML's RandomForestRegressor: the mean
// of the trees' predictions. Trees learn from bootstrap samples and random
// feature subsets ("auto": a third of the features when there are several
// trees), seeded per point as RandomForestClassifier's.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "brasa/mllib/labeled_point.h"
#include "brasa/mllib/tree/tree_ensemble_model.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class RandomForestRegressionModel : public TreeEnsembleModel {
 public:
  std::string to_debug_string() const;

  void save(const std::string& path, bool overwrite = false) const;
  static RandomForestRegressionModel load(const std::string& path);

 private:
  friend class RandomForestRegressor;
};

class RandomForestRegressor : public ForestEstimator<RandomForestRegressor> {
 public:
  static constexpr const char* kName = "RandomForestRegressor";
  RandomForestRegressor() { params_.impurity = "variance"; }
  RandomForestRegressor& impurity(const std::string& v);  // "variance", the only one

  RandomForestRegressionModel fit(const RDD<LabeledPoint>& data) const;
};

}  // namespace brasa::mllib
