// Decision trees and random forests.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "brasa/mllib/classification/decision_tree_classifier.h"
#include "brasa/mllib/classification/random_forest_classifier.h"
#include "brasa/mllib/regression/decision_tree_regressor.h"
#include "brasa/mllib/regression/random_forest_regressor.h"
#include "brasa/util/serializer.h"
#include "test_util.h"
#include "util/spark_format.h"

using brasa::mllib::DecisionTree;
using brasa::mllib::DecisionTreeClassificationModel;
using brasa::mllib::DecisionTreeClassifier;
using brasa::mllib::DecisionTreeRegressionModel;
using brasa::mllib::DecisionTreeRegressor;
using brasa::mllib::LabeledPoint;
using brasa::mllib::RandomForestClassificationModel;
using brasa::mllib::RandomForestClassifier;
using brasa::mllib::RandomForestRegressionModel;
using brasa::mllib::RandomForestRegressor;
using brasa::mllib::TreeNode;
using brasa::mllib::Vector;

namespace {

// Features with few distinct values (so every midpoint is a threshold)
// and a noisy label from a few of them: 3 classes, or the class index as a
// regression target (integers, so every sum is exact).
std::vector<LabeledPoint> grid_data(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> value(0, 7), noise(0, 9);
  std::vector<LabeledPoint> out;
  for (int i = 0; i < n; ++i) {
    std::vector<double> x(4);
    for (auto& v : x) v = value(rng) * 0.5 - 1;
    int label = x[0] + x[2] > 0.5 ? 2 : x[1] > 0 ? 1 : 0;
    if (noise(rng) == 0) label = (label + 1) % 3;
    out.push_back({static_cast<double>(label), Vector::dense(x)});
  }
  return out;
}

// An exact CART written from Spark's rules, on the points themselves (no
// histograms): thresholds are the midpoints of each feature's distinct
// values, the best (feature, threshold) is the first of largest gain, a
// side with no point is not a split, a gain of 0 does not split, a pure
// child is a leaf, and sibling leaves that agree are merged.
struct ReferenceNode {
  int feature = -1;
  double threshold = 0;
  double prediction = 0;
  std::unique_ptr<ReferenceNode> left, right;
};

struct ReferenceCart {
  const std::vector<LabeledPoint>& points;
  bool classify;
  int max_depth;
  std::vector<std::vector<double>> thresholds;

  ReferenceCart(const std::vector<LabeledPoint>& p, bool c, int depth) : points(p), classify(c), max_depth(depth) {
    const int d = p[0].features.size();
    for (int j = 0; j < d; ++j) {
      std::set<double> values;
      for (const auto& q : p) values.insert(q.features[j]);
      std::vector<double> v(values.begin(), values.end()), t;
      for (size_t i = 1; i < v.size(); ++i) t.push_back((v[i - 1] + v[i]) / 2.0);
      thresholds.push_back(t);
    }
  }

  std::vector<double> stats(const std::vector<int>& at) const {
    std::vector<double> s(3, 0.0);
    for (int i : at) {
      const double y = points[i].label;
      if (classify) {
        s[static_cast<int>(y)] += 1;
      } else {
        s[0] += 1;
        s[1] += y;
        s[2] += y * y;
      }
    }
    return s;
  }
  double count(const std::vector<double>& s) const { return classify ? s[0] + s[1] + s[2] : s[0]; }
  double impurity(const std::vector<double>& s) const {
    const double n = count(s);
    if (n == 0) return 0;
    if (!classify) return (s[2] - s[1] * s[1] / n) / n;
    double g = 1;
    for (double c : s) g -= (c / n) * (c / n);
    return g;
  }
  double predict(const std::vector<double>& s) const {
    if (!classify) return s[1] / s[0];
    int best = 0;
    for (int c = 1; c < 3; ++c)
      if (s[c] > s[best]) best = c;
    return best;
  }

  std::unique_ptr<ReferenceNode> grow(const std::vector<int>& at, int level) const {
    auto node = std::make_unique<ReferenceNode>();
    const auto s = stats(at);
    node->prediction = predict(s);
    if (level == max_depth || std::abs(impurity(s)) < std::numeric_limits<double>::epsilon()) return node;
    double best_gain = -1;
    int best_f = -1;
    double best_t = 0;
    for (size_t f = 0; f < thresholds.size(); ++f)
      for (double t : thresholds[f]) {
        std::vector<int> l, r;
        for (int i : at) (points[i].features[f] <= t ? l : r).push_back(i);
        if (l.empty() || r.empty()) continue;
        const auto ls = stats(l), rs = stats(r);
        const double total = count(ls) + count(rs);
        const double gain = impurity(s) - count(ls) / total * impurity(ls) - count(rs) / total * impurity(rs);
        if (gain >= 0 && (best_f < 0 || gain > best_gain)) {
          best_gain = gain;
          best_f = static_cast<int>(f);
          best_t = t;
        }
      }
    if (best_f < 0 || best_gain <= 0) return node;
    std::vector<int> l, r;
    for (int i : at) (points[i].features[best_f] <= best_t ? l : r).push_back(i);
    node->left = grow(l, level + 1);
    node->right = grow(r, level + 1);
    if (node->left->feature < 0 && node->right->feature < 0 && node->left->prediction == node->right->prediction) {
      node->prediction = node->left->prediction;
      node->left.reset();
      node->right.reset();
      return node;
    }
    node->feature = best_f;
    node->threshold = best_t;
    return node;
  }
};

// "If (feature 0 <= 0.5)" lines with predictions, as DecisionTree::to_debug_string writes them.
void describe(const ReferenceNode& n, int indent, std::string& out) {
  const std::string prefix(indent, ' ');
  using brasa::mllib::detail::double_text;
  if (n.feature < 0) {
    out += prefix + "Predict: " + double_text(n.prediction) + "\n";
    return;
  }
  out += prefix + "If (feature " + std::to_string(n.feature) + " <= " + double_text(n.threshold) + ")\n";
  describe(*n.left, indent + 1, out);
  out += prefix + "Else (feature " + std::to_string(n.feature) + " > " + double_text(n.threshold) + ")\n";
  describe(*n.right, indent + 1, out);
}

std::string reference_tree(const std::vector<LabeledPoint>& points, bool classify, int max_depth) {
  ReferenceCart cart(points, classify, max_depth);
  std::vector<int> all(points.size());
  std::iota(all.begin(), all.end(), 0);
  std::string out;
  describe(*cart.grow(all, 0), 1, out);
  return out;
}

template <class Model> std::string bytes_of(const Model& model) {
  brasa::ByteWriter w;
  w(static_cast<const brasa::mllib::TreeEnsembleModel&>(model));
  return w.bytes();
}

}  // namespace

TEST(DecisionTreeClassifier, GrowsTheExactCartTreeWhenEveryMidpointIsAThreshold) {
  auto ctx = brasa_test::make_context();
  auto points = grid_data(600, 1);
  for (int depth : {1, 3, 5}) {
    auto model = DecisionTreeClassifier().max_depth(depth).fit(ctx->parallelize(points, 3));
    EXPECT_EQ(model.tree().to_debug_string(), reference_tree(points, true, depth)) << "max_depth " << depth;
    EXPECT_LE(model.depth(), depth);
    if (depth == 5) {
      EXPECT_GT(model.num_nodes(), 25);
    }
    EXPECT_EQ(model.num_classes(), 3);
    EXPECT_EQ(model.num_features(), 4);
  }
}

TEST(DecisionTreeRegressor, GrowsTheExactCartTreeWhenEveryMidpointIsAThreshold) {
  auto ctx = brasa_test::make_context();
  auto points = grid_data(600, 2);
  auto model = DecisionTreeRegressor().max_depth(4).fit(ctx->parallelize(points, 3));
  EXPECT_EQ(model.tree().to_debug_string(), reference_tree(points, false, 4));
  // A leaf predicts the mean label of its points.
  std::map<const TreeNode*, std::pair<double, int>> sums;
  for (const auto& p : points) {
    auto& s = sums[&model.tree().leaf_for(p.features)];
    s.first += p.label;
    s.second += 1;
  }
  for (const auto& [leaf, s] : sums) {
    EXPECT_DOUBLE_EQ(leaf->prediction, s.first / s.second);
    EXPECT_EQ(leaf->count, s.second);
  }
}

TEST(DecisionTreeClassifier, OneSplitHasSparksThresholdImpurityAndImportances) {
  auto ctx = brasa_test::make_context();
  std::vector<LabeledPoint> points;
  for (int i = 0; i < 40; ++i) points.push_back({i % 4 == 0 ? 1.0 : 0.0, Vector::dense({i % 4 == 0 ? 2.0 : 1.0, i * 0.1})});
  auto model = DecisionTreeClassifier().fit(ctx->parallelize(points, 2));
  const auto& root = model.tree().root();
  ASSERT_FALSE(root.is_leaf());
  EXPECT_EQ(root.feature, 0);
  EXPECT_EQ(root.threshold, 1.5);
  EXPECT_DOUBLE_EQ(root.impurity, 1 - 0.25 * 0.25 - 0.75 * 0.75);
  EXPECT_DOUBLE_EQ(root.gain, root.impurity);
  EXPECT_EQ(root.stats, (std::vector<double>{30, 10}));
  EXPECT_EQ(model.depth(), 1);
  EXPECT_EQ(model.predict(Vector::dense({2.0, 0.0})), 1.0);
  EXPECT_EQ(model.raw_prediction(Vector::dense({1.0, 0.0})), (brasa::mllib::DenseVector(2) << 30, 0).finished());
  EXPECT_EQ(model.probability(Vector::dense({2.0, 0.0}))[1], 1.0);
  EXPECT_EQ(model.feature_importances(), (brasa::mllib::DenseVector(2) << 1, 0).finished());
  EXPECT_EQ(model.to_debug_string(),
            "DecisionTreeClassificationModel: depth=1, numNodes=3, numClasses=2, numFeatures=2\n"
            "  If (feature 0 <= 1.5)\n   Predict: 0.0\n  Else (feature 0 > 1.5)\n   Predict: 1.0\n");
  auto predicted = model.predict(ctx->parallelize(std::vector<Vector>{Vector::dense({2.0, 0.0}), Vector::dense({0.0, 9.0})}, 2)).collect();
  EXPECT_EQ(predicted, (std::vector<double>{1.0, 0.0}));
}

TEST(DecisionTreeClassifier, MergesSiblingLeavesThatPredictTheSameClass) {
  auto ctx = brasa_test::make_context();
  // Splitting on x separates a pure half from a mixed one (gain > 0), but
  // both halves predict class 0: Spark prunes the split away.
  std::vector<LabeledPoint> points;
  for (int i = 0; i < 10; ++i) points.push_back({0.0, Vector::dense({0.0})});
  for (int i = 0; i < 10; ++i) points.push_back({i < 4 ? 1.0 : 0.0, Vector::dense({1.0})});
  auto model = DecisionTreeClassifier().fit(ctx->parallelize(points, 2));
  EXPECT_EQ(model.num_nodes(), 1);
  EXPECT_EQ(model.depth(), 0);
  EXPECT_EQ(model.tree().root().prediction, 0.0);
  EXPECT_EQ(model.tree().root().stats, (std::vector<double>{16, 4}));
  EXPECT_DOUBLE_EQ(model.tree().root().impurity, 1 - 0.8 * 0.8 - 0.2 * 0.2);
}

TEST(DecisionTreeRegressor, BinsAFeatureAtItsQuantilesAsSparkDoes) {
  auto ctx = brasa_test::make_context();
  // x = 1..100 with max_bins 5: thresholds 20.5, 40.5, 60.5 and 80.5. The
  // label steps at 30; of the thresholds available 40.5 explains most.
  std::vector<LabeledPoint> points;
  for (int x = 1; x <= 100; ++x) points.push_back({x > 30 ? 1.0 : 0.0, Vector::dense({static_cast<double>(x)})});
  auto model = DecisionTreeRegressor().max_bins(5).max_depth(1).fit(ctx->parallelize(points, 4));
  EXPECT_EQ(model.tree().root().threshold, 40.5);
  auto exact = DecisionTreeRegressor().max_depth(1).max_bins(100).fit(ctx->parallelize(points, 4));
  EXPECT_EQ(exact.tree().root().threshold, 30.5);
  EXPECT_EQ(exact.predict(Vector::dense({30.0})), 0.0);
  EXPECT_EQ(exact.predict(Vector::dense({31.0})), 1.0);
}

TEST(DecisionTreeClassifier, StopsAtMinInstancesAndMinInfoGain) {
  auto ctx = brasa_test::make_context();
  auto points = grid_data(300, 3);
  auto data = ctx->parallelize(points, 3);
  auto full = DecisionTreeClassifier().max_depth(6).fit(data);
  auto sparse = DecisionTreeClassifier().max_depth(6).min_instances_per_node(40).fit(data);
  for (const auto& node : sparse.tree().nodes()) EXPECT_GE(node.count, 40);
  EXPECT_LT(sparse.num_nodes(), full.num_nodes());
  auto greedy = DecisionTreeClassifier().max_depth(6).min_info_gain(0.05).fit(data);
  for (const auto& node : greedy.tree().nodes()) {
    if (!node.is_leaf()) {
      EXPECT_GE(node.gain, 0.05);
    }
  }
  auto stump = DecisionTreeClassifier().max_depth(0).fit(data);
  EXPECT_EQ(stump.num_nodes(), 1);
}

TEST(DecisionTreeClassifier, EntropyAndSparseInputs) {
  auto ctx = brasa_test::make_context();
  auto points = grid_data(400, 4);
  std::vector<LabeledPoint> sparse = points;
  for (auto& p : sparse) p.features = p.features.to_sparse();
  auto dense_model = DecisionTreeClassifier().impurity("entropy").fit(ctx->parallelize(points, 3));
  auto sparse_model = DecisionTreeClassifier().impurity("entropy").fit(ctx->parallelize(sparse, 3));
  EXPECT_EQ(bytes_of(dense_model), bytes_of(sparse_model));
  const auto& root = dense_model.tree().root();
  double h = 0;
  for (double c : root.stats) h -= c / 400 * std::log2(c / 400);
  EXPECT_NEAR(root.impurity, h, 1e-12);
}

TEST(DecisionTrees, AreBitIdenticalAcrossPartitionings) {
  auto ctx = brasa_test::make_context();
  // 12,000 points of 3 continuous features: more than the 10,000 that bin
  // from every point, so the thresholds come from a seeded sample.
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal;
  std::vector<LabeledPoint> points;
  for (int i = 0; i < 12000; ++i) {
    const double a = normal(rng), b = normal(rng), c = normal(rng);
    points.push_back({a * b + 0.3 * c > 0 ? 1.0 : 0.0, Vector::dense({a, b, c})});
  }
  std::string tree, forest, regression;
  for (int parts : {1, 3, 8}) {
    auto data = ctx->parallelize(points, parts);
    auto t = DecisionTreeClassifier().max_depth(6).fit(data);
    auto f = RandomForestClassifier().num_trees(5).max_depth(4).seed(7).fit(data);
    auto r = RandomForestRegressor().num_trees(4).max_depth(4).seed(7).fit(data);
    for (const auto& node : t.tree().nodes()) {
      if (!node.is_leaf()) {
        EXPECT_EQ(std::count(node.stats.begin(), node.stats.end(), 0.0), 0);
      }
    }
    if (parts == 1) {
      tree = bytes_of(t), forest = bytes_of(f), regression = bytes_of(r);
      EXPECT_GT(t.num_nodes(), 20);
      continue;
    }
    EXPECT_EQ(bytes_of(t), tree) << parts << " partitions";
    EXPECT_EQ(bytes_of(f), forest) << parts << " partitions";
    EXPECT_EQ(bytes_of(r), regression) << parts << " partitions";
  }
}

TEST(RandomForestClassifier, OneTreeWithoutSamplingIsTheDecisionTree) {
  auto ctx = brasa_test::make_context();
  auto data = ctx->parallelize(grid_data(500, 6), 3);
  auto tree = DecisionTreeClassifier().max_depth(4).fit(data);
  auto forest = RandomForestClassifier().num_trees(1).bootstrap(false).max_depth(4).fit(data);
  ASSERT_EQ(forest.num_trees(), 1);
  EXPECT_EQ(forest.trees()[0].to_debug_string(), tree.tree().to_debug_string());
  EXPECT_EQ(bytes_of(forest), bytes_of(tree));
}

TEST(RandomForestClassifier, VotesWithTheTreesLeafDistributions) {
  auto ctx = brasa_test::make_context();
  auto points = grid_data(800, 7);
  auto model = RandomForestClassifier().num_trees(12).max_depth(5).seed(3).fit(ctx->parallelize(points, 4));
  EXPECT_EQ(model.num_trees(), 12);
  // Bootstrap samples and feature subsets (2 of 4 features) make the trees differ.
  std::set<std::string> distinct;
  for (const auto& t : model.trees()) distinct.insert(t.to_debug_string());
  EXPECT_GT(distinct.size(), 6u);
  int right = 0;
  for (const auto& p : points) {
    brasa::mllib::DenseVector votes = brasa::mllib::DenseVector::Zero(3);
    for (const auto& t : model.trees()) {
      const auto& s = t.leaf_for(p.features).stats;
      const double total = s[0] + s[1] + s[2];
      for (int c = 0; c < 3; ++c) votes[c] += s[c] / total;
    }
    EXPECT_TRUE(model.raw_prediction(p.features).isApprox(votes, 1e-12));
    EXPECT_NEAR(model.probability(p.features).sum(), 1.0, 1e-12);
    Eigen::Index best;
    votes.maxCoeff(&best);
    EXPECT_EQ(model.predict(p.features), static_cast<double>(best));
    right += model.predict(p.features) == p.label;
  }
  EXPECT_GT(right, 0.85 * points.size());  // the labels carry 10% noise
  const auto importances = model.feature_importances();
  EXPECT_NEAR(importances.sum(), 1.0, 1e-12);
  EXPECT_LT(importances[3], importances[0]);  // feature 3 does not decide the label
}

TEST(RandomForestRegressor, PredictsTheMeanOfItsTrees) {
  auto ctx = brasa_test::make_context();
  auto points = grid_data(500, 8);
  auto model = RandomForestRegressor().num_trees(6).seed(11).fit(ctx->parallelize(points, 3));
  auto predictions = model.prediction_and_labels(ctx->parallelize(points, 3)).collect();
  ASSERT_EQ(predictions.size(), points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    double sum = 0;
    for (const auto& t : model.trees()) sum += t.leaf_for(points[i].features).prediction;
    EXPECT_DOUBLE_EQ(predictions[i].first, sum / 6);
    EXPECT_EQ(predictions[i].second, points[i].label);
  }
}

TEST(TreeModels, SaveAndLoadRoundTripsAndCorruptionIsNamed) {
  auto ctx = brasa_test::make_context();
  brasa_test::TempDir dir;
  auto data = ctx->parallelize(grid_data(300, 9), 2);
  auto tree = DecisionTreeClassifier().fit(data);
  auto forest = RandomForestRegressor().num_trees(3).fit(data);
  const auto tree_path = (dir.path() / "tree").string(), forest_path = (dir.path() / "forest").string();
  tree.save(tree_path);
  forest.save(forest_path);
  EXPECT_EQ(bytes_of(DecisionTreeClassificationModel::load(tree_path)), bytes_of(tree));
  EXPECT_EQ(bytes_of(RandomForestRegressionModel::load(forest_path)), bytes_of(forest));
  EXPECT_EQ(DecisionTreeClassificationModel::load(tree_path).to_debug_string(), tree.to_debug_string());
  try {
    DecisionTreeRegressionModel::load(tree_path);
    ADD_FAILURE() << "loaded a classification tree as a regression tree";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("DecisionTreeClassificationModel"), std::string::npos) << e.what();
  }
  {
    std::fstream f(forest_path + "/data.bin", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(5);
    f.put('\x7f');
  }
  EXPECT_THROW(RandomForestRegressionModel::load(forest_path), std::runtime_error);
}

TEST(TreeModels, BadInputAndParametersAreNamed) {
  auto ctx = brasa_test::make_context();
  auto expect_invalid = [](const std::function<void()>& f, const std::string& expected) {
    try {
      f();
      ADD_FAILURE() << "no error; expected " << expected;
    } catch (const std::exception& e) {  // bad points fail the job that reads them
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  std::vector<LabeledPoint> points = {{0, Vector::dense({1.0})}, {0.5, Vector::dense({2.0})}};
  expect_invalid([&] { DecisionTreeClassifier().fit(ctx->parallelize(points, 2)); }, "position 1");
  points[1].label = 150;
  expect_invalid([&] { RandomForestClassifier().fit(ctx->parallelize(points, 2)); }, "150");
  points[1].features = Vector::dense({std::nan("")});
  points[1].label = 1;
  expect_invalid([&] { DecisionTreeRegressor().fit(ctx->parallelize(points, 2)); }, "NaN");
  points[1].features = Vector::dense({1.0, 2.0});
  expect_invalid([&] { DecisionTreeRegressor().fit(ctx->parallelize(points, 2)); }, "different numbers of features");
  expect_invalid([] { DecisionTreeClassifier().impurity("variance"); }, "impurity");
  expect_invalid([] { DecisionTreeRegressor().impurity("gini"); }, "impurity");
  expect_invalid([] { DecisionTreeClassifier().max_depth(31); }, "max_depth");
  expect_invalid([] { RandomForestRegressor().max_bins(1); }, "max_bins");
  expect_invalid([] { RandomForestClassifier().num_trees(0); }, "num_trees");
  expect_invalid([] { RandomForestClassifier().subsampling_rate(0); }, "subsampling_rate");
  points[1].features = Vector::dense({2.0});
  expect_invalid([&] { RandomForestClassifier().feature_subset_strategy("most").fit(ctx->parallelize(points, 2)); },
                 "feature_subset_strategy");
  auto model = DecisionTreeRegressor().fit(ctx->parallelize(points, 2));
  expect_invalid([&] { model.predict(Vector::dense({1.0, 2.0})); }, "features");
}

TEST(TreeModels, SameBitsInEveryMode) {
  SKIP_ON_CLUSTER("starts each master itself");
  std::mt19937_64 rng(12);
  std::normal_distribution<double> normal;
  std::vector<LabeledPoint> points;
  for (int i = 0; i < 3000; ++i) {
    const double a = normal(rng), b = normal(rng), c = normal(rng);
    points.push_back({a + 0.5 * b * c + 0.2 * normal(rng), Vector::dense({a, b, c})});
  }
  std::vector<std::string> forests, trees;
  for (const char* master : {"local[1]", "local[2]", "local-cluster[2,1]"}) {
    auto ctx = brasa_test::make_context(master);
    auto data = ctx->parallelize(points, 4);
    forests.push_back(bytes_of(RandomForestRegressor().num_trees(5).max_depth(4).seed(2).fit(data)));
    trees.push_back(bytes_of(DecisionTreeRegressor().max_depth(6).fit(data)));
  }
  for (size_t m = 1; m < forests.size(); ++m) {
    EXPECT_EQ(forests[m], forests[0]) << "master " << m;
    EXPECT_EQ(trees[m], trees[0]) << "master " << m;
  }
}
