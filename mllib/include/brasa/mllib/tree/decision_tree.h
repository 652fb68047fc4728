// A trained decision tree and the parameters of the tree estimators, shared
// by DecisionTreeClassifier/Regressor and RandomForestClassifier/Regressor
// (Spark ML's ml.tree.Node and its tree params).
//
// Continuous features only. Training bins each feature as Spark does: on a
// sample of max(max_bins^2, 10000) points (all of them when there are
// fewer), up to max_bins - 1 thresholds at the weighted quantiles, each the
// midpoint between two adjacent distinct values; a point goes left when
// its value is <= the threshold. Trees grow level by level from histograms
// of those bins, choosing at each node the (feature, threshold) of largest
// information gain (the first one on ties, features in order), and stop at
// max_depth, at a pure node, or when no split keeps min_instances_per_node
// points and min_weight_fraction_per_node of the weight on each side with
// a gain of at least min_info_gain (a gain of 0 never splits). Two sibling
// leaves with the same prediction are merged into their parent, as Spark
// prunes. Results are bit-identical across partitionings and masters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "brasa/mllib/linalg/vector.h"

namespace brasa::mllib {

struct TreeNode {
  int32_t feature = -1;  // the split's feature; -1 for a leaf
  double threshold = 0;  // a point goes left when x[feature] <= threshold
  int32_t left = -1;     // children, as indices into DecisionTree::nodes()
  int32_t right = -1;
  double prediction = 0;  // class index (classification) or mean label (regression)
  // The node's impurity; -1 for a leaf whose split search found no allowed
  // split (Spark's convention).
  double impurity = 0;
  double gain = 0;  // internal nodes; NaN for leaves
  // Spark's impurity statistics of the training points at the node:
  // weight per class (classification), or weight, weighted sum and
  // weighted sum of squares of the label (regression).
  std::vector<double> stats;
  double weight = 0;  // the training points' weight at the node, bootstrap copies counted
  int64_t count = 0;  // the training points at the node, bootstrap copies counted

  bool is_leaf() const { return feature < 0; }
  bool operator==(const TreeNode&) const = default;
  template <class Archive> void serialize(Archive& ar) {
    ar(feature, threshold, left, right, prediction, impurity, gain, stats, weight, count);
  }
};

class DecisionTree {
 public:
  DecisionTree() = default;
  explicit DecisionTree(std::vector<TreeNode> nodes) : nodes_(std::move(nodes)) {}

  const std::vector<TreeNode>& nodes() const { return nodes_; }  // preorder, root first
  const TreeNode& root() const { return nodes_.front(); }
  int num_nodes() const { return static_cast<int>(nodes_.size()); }
  int depth() const;  // 0 for a tree that is one leaf

  const TreeNode& leaf_for(const Vector& features) const;
  // Adds gain times node weight per split feature (Spark's unnormalised importances).
  void add_importances(std::vector<double>& importances) const;
  // Spark's toDebugString body: "If (feature 0 <= 1.5)" / "Else ..." / "Predict: 1.0".
  std::string to_debug_string(int indent = 1) const;

  bool operator==(const DecisionTree&) const = default;
  template <class Archive> void serialize(Archive& ar) { ar(nodes_); }

 private:
  std::vector<TreeNode> nodes_;
};

// The estimators' parameters, with Spark's names and defaults.
struct TreeParams {
  int max_depth = 5;                        // 0 to 30; a depth-0 tree is one leaf
  int max_bins = 32;                        // 2 to 65536
  int min_instances_per_node = 1;           // at least 1
  double min_weight_fraction_per_node = 0;  // in [0, 0.5)
  double min_info_gain = 0;                 // at least 0
  int max_memory_in_mb = 256;               // histograms per pass over the data
  uint64_t seed = 42;
  std::string impurity;  // "gini" or "entropy" (classification), "variance" (regression)
  // Forests only.
  int num_trees = 1;
  std::string feature_subset_strategy = "all";  // auto, all, sqrt, log2, onethird, n, or a fraction in (0, 1]
  double subsampling_rate = 1.0;                // in (0, 1]
  bool bootstrap = false;                       // sample points with replacement (Poisson counts)
};

// The setters every tree estimator shares, chained as Spark's are.
template <class Self>
class TreeEstimator {
 public:
  Self& max_depth(int v);
  Self& max_bins(int v);
  Self& min_instances_per_node(int v);
  Self& min_weight_fraction_per_node(double v);
  Self& min_info_gain(double v);
  Self& max_memory_in_mb(int v);
  Self& seed(uint64_t v);

  const TreeParams& params() const { return params_; }

 protected:
  TreeParams params_;
};

// And the ones forests add.
template <class Self>
class ForestEstimator : public TreeEstimator<Self> {
 public:
  ForestEstimator() {
    this->params_.num_trees = 20;
    this->params_.feature_subset_strategy = "auto";
    this->params_.bootstrap = true;
  }
  Self& num_trees(int v);                                 // at least 1, default 20
  Self& feature_subset_strategy(const std::string& v);    // default "auto"
  Self& subsampling_rate(double v);                       // in (0, 1], default 1
  Self& bootstrap(bool v);                                // default true
};

}  // namespace brasa::mllib
