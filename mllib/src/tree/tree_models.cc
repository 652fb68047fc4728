// The four tree estimators and what their models add to TreeEnsembleModel.
#include <stdexcept>

#include "brasa/mllib/classification/decision_tree_classifier.h"
#include "brasa/mllib/classification/random_forest_classifier.h"
#include "brasa/mllib/regression/decision_tree_regressor.h"
#include "brasa/mllib/regression/random_forest_regressor.h"
#include "tree/learner.h"

namespace brasa::mllib {

namespace {

void check_impurity(const char* who, const std::string& v, bool classify) {
  if (classify ? (v != "gini" && v != "entropy") : v != "variance")
    throw std::invalid_argument(std::string(who) + ": impurity must be " +
                                (classify ? "\"gini\" or \"entropy\"" : "\"variance\"") + ", got \"" + v + "\"");
}

}  // namespace

#define BRASA_TREE_MODEL(Model, Estimator, classify, title)                                              \
  Estimator& Estimator::impurity(const std::string& v) {                                                 \
    check_impurity(kName, v, classify);                                                                  \
    params_.impurity = v;                                                                                \
    return *this;                                                                                        \
  }                                                                                                      \
  Model Estimator::fit(const RDD<LabeledPoint>& data) const {                                            \
    auto grown = detail::grow_forest(data, params_, kName);                                              \
    Model model;                                                                                         \
    model.trees_ = std::move(grown.trees);                                                               \
    model.num_features_ = grown.num_features;                                                            \
    model.num_classes_ = grown.num_classes;                                                              \
    return model;                                                                                        \
  }                                                                                                      \
  std::string Model::to_debug_string() const { return debug_string(title); }                             \
  void Model::save(const std::string& path, bool overwrite) const { save_as(#Model, path, overwrite); } \
  Model Model::load(const std::string& path) {                                                           \
    Model model;                                                                                         \
    model.load_as(#Model, path);                                                                         \
    return model;                                                                                        \
  }

BRASA_TREE_MODEL(DecisionTreeClassificationModel, DecisionTreeClassifier, true,
                 "DecisionTreeClassificationModel: depth=" + std::to_string(depth()) +
                     ", numNodes=" + std::to_string(num_nodes()))
BRASA_TREE_MODEL(DecisionTreeRegressionModel, DecisionTreeRegressor, false,
                 "DecisionTreeRegressionModel: depth=" + std::to_string(depth()) +
                     ", numNodes=" + std::to_string(num_nodes()))
BRASA_TREE_MODEL(RandomForestClassificationModel, RandomForestClassifier, true,
                 "RandomForestClassificationModel: numTrees=" + std::to_string(num_trees()))
BRASA_TREE_MODEL(RandomForestRegressionModel, RandomForestRegressor, false,
                 "RandomForestRegressionModel: numTrees=" + std::to_string(num_trees()))

}  // namespace brasa::mllib
