#include "brasa/mllib/tree/decision_tree.h"

#include <algorithm>
#include <stdexcept>

#include "brasa/mllib/classification/decision_tree_classifier.h"
#include "brasa/mllib/classification/random_forest_classifier.h"
#include "brasa/mllib/regression/decision_tree_regressor.h"
#include "brasa/mllib/regression/random_forest_regressor.h"
#include "util/checks.h"
#include "util/spark_format.h"

namespace brasa::mllib {

namespace {

int depth_below(const std::vector<TreeNode>& nodes, int32_t i) {
  const TreeNode& n = nodes[i];
  return n.is_leaf() ? 0 : 1 + std::max(depth_below(nodes, n.left), depth_below(nodes, n.right));
}

void describe(const std::vector<TreeNode>& nodes, int32_t i, int indent, std::string& out) {
  const TreeNode& n = nodes[i];
  const std::string prefix(indent, ' ');
  if (n.is_leaf()) {
    out += prefix + "Predict: " + detail::double_text(n.prediction) + "\n";
    return;
  }
  const std::string feature = "feature " + std::to_string(n.feature);
  out += prefix + "If (" + feature + " <= " + detail::double_text(n.threshold) + ")\n";
  describe(nodes, n.left, indent + 1, out);
  out += prefix + "Else (" + feature + " > " + detail::double_text(n.threshold) + ")\n";
  describe(nodes, n.right, indent + 1, out);
}

}  // namespace

int DecisionTree::depth() const { return nodes_.empty() ? 0 : depth_below(nodes_, 0); }

const TreeNode& DecisionTree::leaf_for(const Vector& features) const {
  int32_t i = 0;
  while (!nodes_[i].is_leaf()) i = features[nodes_[i].feature] <= nodes_[i].threshold ? nodes_[i].left : nodes_[i].right;
  return nodes_[i];
}

void DecisionTree::add_importances(std::vector<double>& importances) const {
  for (const TreeNode& n : nodes_) {
    if (n.is_leaf()) continue;
    importances[n.feature] += n.gain * n.weight;
  }
}

std::string DecisionTree::to_debug_string(int indent) const {
  std::string out;
  if (!nodes_.empty()) describe(nodes_, 0, indent, out);
  return out;
}

// ---- The estimators' setters ---------------------------------------------

template <class Self> Self& TreeEstimator<Self>::max_depth(int v) {
  detail::check_param(v >= 0 && v <= 30, Self::kName, "max_depth", "in [0, 30]", v);
  params_.max_depth = v;
  return static_cast<Self&>(*this);
}
template <class Self> Self& TreeEstimator<Self>::max_bins(int v) {
  detail::check_param(v >= 2 && v <= 65536, Self::kName, "max_bins", "in [2, 65536]", v);
  params_.max_bins = v;
  return static_cast<Self&>(*this);
}
template <class Self> Self& TreeEstimator<Self>::min_instances_per_node(int v) {
  detail::check_param(v >= 1, Self::kName, "min_instances_per_node", "at least 1", v);
  params_.min_instances_per_node = v;
  return static_cast<Self&>(*this);
}
template <class Self> Self& TreeEstimator<Self>::min_weight_fraction_per_node(double v) {
  detail::check_param(v >= 0 && v < 0.5, Self::kName, "min_weight_fraction_per_node", "in [0, 0.5)", v);
  params_.min_weight_fraction_per_node = v;
  return static_cast<Self&>(*this);
}
template <class Self> Self& TreeEstimator<Self>::min_info_gain(double v) {
  detail::check_param(v >= 0, Self::kName, "min_info_gain", "at least 0", v);
  params_.min_info_gain = v;
  return static_cast<Self&>(*this);
}
template <class Self> Self& TreeEstimator<Self>::max_memory_in_mb(int v) {
  detail::check_param(v >= 1, Self::kName, "max_memory_in_mb", "at least 1", v);
  params_.max_memory_in_mb = v;
  return static_cast<Self&>(*this);
}
template <class Self> Self& TreeEstimator<Self>::seed(uint64_t v) {
  params_.seed = v;
  return static_cast<Self&>(*this);
}

template <class Self> Self& ForestEstimator<Self>::num_trees(int v) {
  detail::check_param(v >= 1, Self::kName, "num_trees", "at least 1", v);
  this->params_.num_trees = v;
  return static_cast<Self&>(*this);
}
template <class Self> Self& ForestEstimator<Self>::feature_subset_strategy(const std::string& v) {
  this->params_.feature_subset_strategy = v;  // checked by fit, which knows the number of features
  return static_cast<Self&>(*this);
}
template <class Self> Self& ForestEstimator<Self>::subsampling_rate(double v) {
  detail::check_param(v > 0 && v <= 1, Self::kName, "subsampling_rate", "in (0, 1]", v);
  this->params_.subsampling_rate = v;
  return static_cast<Self&>(*this);
}
template <class Self> Self& ForestEstimator<Self>::bootstrap(bool v) {
  this->params_.bootstrap = v;
  return static_cast<Self&>(*this);
}

template class TreeEstimator<DecisionTreeClassifier>;
template class TreeEstimator<DecisionTreeRegressor>;
template class TreeEstimator<RandomForestClassifier>;
template class TreeEstimator<RandomForestRegressor>;
template class ForestEstimator<RandomForestClassifier>;
template class ForestEstimator<RandomForestRegressor>;

}  // namespace brasa::mllib
