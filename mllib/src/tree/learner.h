// Growing decision trees on the data (Spark's RandomForest.run): binning,
// then level after level a pass that builds the histograms of the nodes
// being split, and the choice of their splits on the driver.
#pragma once

#include <vector>

#include "brasa/mllib/labeled_point.h"
#include "brasa/mllib/tree/decision_tree.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib::detail {

struct GrownForest {
  std::vector<DecisionTree> trees;
  int num_features = 0;
  int num_classes = 0;  // 0 for regression
};

// params.num_trees trees; a classification when params.impurity is gini
// or entropy. `who` names the estimator in errors.
GrownForest grow_forest(const RDD<LabeledPoint>& points, const TreeParams& params, const char* who);

}  // namespace brasa::mllib::detail
