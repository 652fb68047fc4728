// Decision tree regression, as Spark ML's DecisionTreeRegressor:
//
//   auto model = DecisionTreeRegressor().max_depth(5).fit(train);
//
// Splits minimise the weighted variance of the label; a leaf predicts the
// mean label of its points. Binning, growth and pruning: see
// brasa/mllib/tree/decision_tree.h.
#pragma once

#include <string>
#include <utility>

#include "brasa/mllib/labeled_point.h"
#include "brasa/mllib/tree/tree_ensemble_model.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class DecisionTreeRegressionModel : public TreeEnsembleModel {
 public:
  const DecisionTree& tree() const { return trees_.front(); }
  int depth() const { return tree().depth(); }
  int num_nodes() const { return tree().num_nodes(); }
  std::string to_debug_string() const;

  void save(const std::string& path, bool overwrite = false) const;
  static DecisionTreeRegressionModel load(const std::string& path);

 private:
  friend class DecisionTreeRegressor;
};

class DecisionTreeRegressor : public TreeEstimator<DecisionTreeRegressor> {
 public:
  static constexpr const char* kName = "DecisionTreeRegressor";
  DecisionTreeRegressor() { params_.impurity = "variance"; }
  DecisionTreeRegressor& impurity(const std::string& v);  // "variance", the only one

  DecisionTreeRegressionModel fit(const RDD<LabeledPoint>& data) const;
};

}  // namespace brasa::mllib
