#include "tree/learner.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <deque>
#include <limits>
#include <stdexcept>
#include <string>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include "instance_block.h"

namespace brasa::mllib::detail {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace tree_learner_impl {

// Steps of uniform_at's streams: the sample for the thresholds, then one
// per tree for its bootstrap counts.
constexpr uint64_t kSampleStep = 0x7ee5;
constexpr uint64_t kBagStep = 0x7ee6;
constexpr int kMaxInferredClasses = 100;  // Spark's limit for classes read from the labels

// ---- The sample for the thresholds --------------------------------------

// Per feature, the sampled points' nonzero values with their weights (as
// Spark's findSplitsBySorting); and over all points, the total weight and
// the labels' range.
struct Sample {
  std::vector<std::vector<std::pair<double, double>>> nonzero;
  double total_weight = 0;
  double max_label = 0;
  int64_t bad_label_at = -1;  // classification: the first label that is not a class index
  double bad_label = 0;
  template <class Ar> void serialize(Ar& ar) { ar(nonzero, total_weight, max_label, bad_label_at, bad_label); }
};

struct SampleBlock {
  double fraction = 1;
  uint64_t seed = 0;
  bool classify = false;
  template <class Ar> void serialize(Ar& ar) { ar(fraction, seed, classify); }

  Sample operator()(Sample acc, const InstanceBlock& blk) const {
    if (acc.nonzero.empty()) acc.nonzero.resize(blk.cols);
    for (int32_t i = 0; i < blk.rows; ++i) {
      const double label = blk.labels[i];
      acc.total_weight += blk.weights[i];
      acc.max_label = std::max(acc.max_label, label);
      if (classify && acc.bad_label_at < 0 && !(label >= 0 && label == std::floor(label))) {
        acc.bad_label_at = blk.first + i;
        acc.bad_label = label;
      }
      if (fraction < 1 && !(uniform_at(seed, kSampleStep, blk.first + i) < fraction)) continue;
      blk.for_each_in_row(i, [&](int32_t j, double x) {
        if (x != 0) acc.nonzero[j].emplace_back(x, blk.weights[i]);
      });
    }
    return acc;
  }
};

struct MergeSamples {
  Sample operator()(Sample a, const Sample& b) const {
    if (a.nonzero.empty()) a.nonzero.resize(b.nonzero.size());
    for (size_t j = 0; j < b.nonzero.size(); ++j)
      a.nonzero[j].insert(a.nonzero[j].end(), b.nonzero[j].begin(), b.nonzero[j].end());
    a.total_weight += b.total_weight;
    a.max_label = std::max(a.max_label, b.max_label);
    if (a.bad_label_at < 0 || (b.bad_label_at >= 0 && b.bad_label_at < a.bad_label_at)) {
      if (b.bad_label_at >= 0) {
        a.bad_label_at = b.bad_label_at;
        a.bad_label = b.bad_label;
      }
    }
    return a;
  }
};

// Spark's findSplitsForContinuousFeature: zeros are counted as the
// expected sample weight the nonzero values leave, thresholds fall between
// adjacent distinct values, at most num_splits of them at the weighted
// quantiles.
std::vector<double> thresholds_of(std::vector<std::pair<double, double>> values, double sample_weight,
                                  int num_splits) {
  if (values.empty()) return {};
  const int64_t sampled = static_cast<int64_t>(values.size());
  std::stable_sort(values.begin(), values.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<double, double>> counts;  // distinct value, weight
  double nonzero_weight = 0;
  for (const auto& [value, weight] : values) {
    nonzero_weight += weight;
    if (!counts.empty() && counts.back().first == value)
      counts.back().second += weight;
    else
      counts.emplace_back(value, weight);
  }
  const double tolerance = std::numeric_limits<double>::epsilon() * static_cast<double>(sampled) * 100;
  if (sample_weight - nonzero_weight > tolerance) {
    auto at = std::lower_bound(counts.begin(), counts.end(), 0.0,
                               [](const auto& c, double v) { return c.first < v; });
    counts.insert(at, {0.0, sample_weight - nonzero_weight});
  }
  const int possible = static_cast<int>(counts.size()) - 1;
  std::vector<double> out;
  if (possible <= 0) return out;
  if (possible <= num_splits) {
    for (int i = 1; i <= possible; ++i) out.push_back((counts[i - 1].first + counts[i].first) / 2.0);
    return out;
  }
  const double stride = sample_weight / (num_splits + 1);
  double current = counts[0].second, target = stride;
  for (size_t i = 1; i < counts.size(); ++i) {
    const double previous = current;
    current += counts[i].second;
    if (std::abs(previous - target) < std::abs(current - target)) {
      out.push_back((counts[i - 1].first + counts[i].first) / 2.0);
      target += stride;
    }
  }
  return out;
}

// ---- Binned points -------------------------------------------------------

// A block of points with each feature replaced by its bin: the number of
// thresholds below the value, so bin <= s exactly when value <= threshold s.
struct BinnedBlock {
  int64_t first = 0;
  int32_t rows = 0;
  int32_t cols = 0;
  std::vector<double> labels;
  std::vector<double> weights;
  std::vector<uint16_t> bins;  // rows x cols, row-major

  size_t heap_bytes() const {
    return (labels.capacity() + weights.capacity()) * sizeof(double) + bins.capacity() * sizeof(uint16_t);
  }
  template <class Ar> void serialize(Ar& ar) { ar(first, rows, cols, labels, weights, bins); }
};

uint16_t bin_of(const std::vector<double>& thresholds, double x) {
  return static_cast<uint16_t>(std::lower_bound(thresholds.begin(), thresholds.end(), x) - thresholds.begin());
}

struct BinBlock {
  std::vector<std::vector<double>> thresholds;
  template <class Ar> void serialize(Ar& ar) { ar(thresholds); }

  BinnedBlock operator()(const InstanceBlock& blk) const {
    BinnedBlock out{blk.first, blk.rows, blk.cols, blk.labels, blk.weights, {}};
    std::vector<uint16_t> zero_bins(blk.cols);
    for (int32_t j = 0; j < blk.cols; ++j) zero_bins[j] = bin_of(thresholds[j], 0.0);
    out.bins.resize(int64_t{blk.rows} * blk.cols);
    for (int32_t i = 0; i < blk.rows; ++i) {
      uint16_t* row = out.bins.data() + int64_t{i} * blk.cols;
      std::copy(zero_bins.begin(), zero_bins.end(), row);
      blk.for_each_in_row(i, [&](int32_t j, double x) { row[j] = bin_of(thresholds[j], x); });
    }
    return out;
  }
};

// ---- One pass: the histograms of a group of nodes ------------------------

// A tree as the executors route points through it.
struct RouteNode {
  int32_t feature = -1;  // -1 until split
  int32_t split_bin = 0;
  int32_t left = -1;  // the right child follows the left
  int32_t slot = -1;  // the node's place in this pass's histograms, -1 when not in the group
  template <class Ar> void serialize(Ar& ar) { ar(feature, split_bin, left, slot); }
};

// Statistics per (node, feature, bin): Spark's layout, the class weights
// then the count (classification), or weight, weighted sum, weighted sum
// of squares and count (regression). Each node's histograms start with
// its own totals.
struct HistogramPass {
  int32_t num_classes = 0;  // 0: regression
  int32_t stat_size = 0;
  std::vector<int32_t> tree_ids;               // the trees with a node in the group
  std::vector<std::vector<RouteNode>> routes;  // parallel to tree_ids
  std::vector<int64_t> slot_offset;            // per slot, where its totals start
  std::vector<std::vector<int32_t>> slot_features;
  std::vector<std::vector<int64_t>> slot_feature_offset;  // where each feature's bins start
  int64_t size = 0;
  bool bagging = false;
  bool with_replacement = false;
  double rate = 1;
  uint64_t seed = 0;
  template <class Ar> void serialize(Ar& ar) {
    ar(num_classes, stat_size, tree_ids, routes, slot_offset, slot_features, slot_feature_offset, size, bagging,
       with_replacement, rate, seed);
  }

  // Copies of the point in the tree's sample: Poisson(rate) with
  // replacement, Bernoulli(rate) without, drawn from the point's position.
  double copies(int32_t tree, int64_t position) const {
    if (!bagging) return 1;
    const double u = uniform_at(seed, kBagStep + static_cast<uint64_t>(tree), position);
    if (!with_replacement) return u < rate ? 1 : 0;
    double p = std::exp(-rate), cumulative = p;
    int k = 0;
    while (u >= cumulative && k < 1000) {
      ++k;
      p *= rate / k;
      cumulative += p;
    }
    return k;
  }

  void add(double* s, double label, double n, double w) const {
    if (num_classes > 0) {
      s[static_cast<int>(label)] += n * w;
    } else {
      s[0] += n * w;
      s[1] += n * label * w;
      s[2] += n * label * label * w;
    }
    s[stat_size - 1] += n;
  }

  std::vector<double> operator()(std::vector<double> h, const BinnedBlock& blk) const {
    if (h.empty()) h.assign(size, 0.0);
    for (size_t t = 0; t < tree_ids.size(); ++t) {
      const RouteNode* route = routes[t].data();
      for (int32_t i = 0; i < blk.rows; ++i) {
        const uint16_t* bins = blk.bins.data() + int64_t{i} * blk.cols;
        int32_t at = 0;
        while (route[at].feature >= 0) at = bins[route[at].feature] <= route[at].split_bin ? route[at].left : route[at].left + 1;
        const int32_t slot = route[at].slot;
        if (slot < 0) continue;
        const double n = copies(tree_ids[t], blk.first + i);
        if (n == 0) continue;
        const double label = blk.labels[i], w = blk.weights[i];
        double* base = h.data() + slot_offset[slot];
        add(base, label, n, w);
        const auto& features = slot_features[slot];
        const int64_t* offsets = slot_feature_offset[slot].data();
        for (size_t k = 0; k < features.size(); ++k) add(base + offsets[k] + int64_t{bins[features[k]]} * stat_size, label, n, w);
      }
    }
    return h;
  }
};

struct AddHistograms {
  std::vector<double> operator()(std::vector<double> a, const std::vector<double>& b) const {
    if (a.empty()) return b;
    for (size_t i = 0; i < b.size(); ++i) a[i] += b[i];
    return a;
  }
};

// ---- Choosing splits on the driver ---------------------------------------

// Spark's impurity calculators over one statistics array.
struct Impurity {
  int kind = 0;  // 0 gini, 1 entropy, 2 variance
  int num_classes = 0;
  int stat_size = 0;

  double count(const double* s) const {
    if (kind == 2) return s[0];
    double total = 0;
    for (int c = 0; c < num_classes; ++c) total += s[c];
    return total;
  }
  double raw_count(const double* s) const { return s[stat_size - 1]; }
  double calculate(const double* s) const {
    const double total = count(s);
    if (total == 0) return 0;
    if (kind == 2) return (s[2] - s[1] * s[1] / total) / total;
    double impurity = kind == 0 ? 1.0 : 0.0;
    for (int c = 0; c < num_classes; ++c) {
      const double f = s[c] / total;
      if (kind == 0) {
        impurity -= f * f;
      } else if (s[c] != 0) {
        impurity -= f * (std::log(f) / std::log(2.0));
      }
    }
    return impurity;
  }
  double predict(const double* s) const {
    const double total = count(s);
    if (total == 0) return 0;
    if (kind == 2) return s[1] / total;
    int best = 0;
    for (int c = 1; c < num_classes; ++c)
      if (s[c] > s[best]) best = c;
    return best;
  }
};

// Spark's ImpurityStats: the node's statistics, impurity and best split's gain.
struct NodeStats {
  bool valid = true;
  double gain = std::numeric_limits<double>::quiet_NaN();
  double impurity = 0;
  std::vector<double> calc;
};

struct LearningNode {
  int level = 0;
  bool is_leaf = false;
  int32_t feature = -1;
  int32_t split_bin = 0;
  double threshold = 0;
  int32_t left = -1;       // the children's index in the tree; the right one follows the left
  bool has_stats = false;  // false for roots until their pass
  NodeStats stats;
};

struct Grower {
  const TreeParams& params;
  Impurity impurity;
  std::vector<std::vector<double>> thresholds = {};
  double min_weight = 0;
  std::vector<std::vector<LearningNode>> trees = {};

  // Spark's binsToBestSplit for one node, given its histograms h: settles
  // the node, and returns its two children when it splits (none otherwise).
  std::vector<LearningNode> choose_split(LearningNode& node, double* h, const std::vector<int32_t>& features,
                                         const std::vector<int64_t>& offsets) const {
    const int S = impurity.stat_size;
    std::vector<double> parent;  // the node's statistics as the first candidate (root) or its parent saw them
    double parent_impurity = 0;
    if (node.has_stats) {
      parent = node.stats.calc;
      parent_impurity = node.stats.impurity;
    }
    double best_gain = 0;
    int best_k = -1, best_split = 0;  // best_k indexes features
    std::vector<double> left(S), right(S);
    for (size_t k = 0; k < features.size(); ++k) {
      const int f = features[k];
      const int num_splits = static_cast<int>(thresholds[f].size());
      if (num_splits == 0) continue;
      double* bins = h + offsets[k];
      for (int s = 0; s < num_splits; ++s)
        for (int c = 0; c < S; ++c) bins[(s + 1) * S + c] += bins[s * S + c];
      const double* total = bins + int64_t{num_splits} * S;
      for (int s = 0; s < num_splits; ++s) {
        for (int c = 0; c < S; ++c) {
          left[c] = bins[s * S + c];
          right[c] = total[c] - left[c];
        }
        if (parent.empty()) {
          parent.resize(S);
          for (int c = 0; c < S; ++c) parent[c] = left[c] + right[c];
          parent_impurity = impurity.calculate(parent.data());
        }
        const double gain = gain_of(parent_impurity, left.data(), right.data());
        if (best_k < 0 || gain > best_gain) {
          best_gain = gain;
          best_k = static_cast<int>(k);
          best_split = s;
        }
      }
    }
    if (best_k < 0) {  // no feature can split: the node's own totals
      node.stats = {false, -DBL_MAX, impurity.calculate(h), std::vector<double>(h, h + S)};
      node.is_leaf = true;
      return {};
    }
    node.stats = {best_gain != -DBL_MAX, best_gain, parent_impurity, parent};
    node.is_leaf = best_gain <= 0 || node.level == params.max_depth;
    if (node.is_leaf) return {};
    const int best_feature = features[best_k];
    const double* bins = h + offsets[best_k];
    const double* total = bins + int64_t{static_cast<int>(thresholds[best_feature].size())} * S;
    for (int c = 0; c < S; ++c) {
      left[c] = bins[best_split * S + c];
      right[c] = total[c] - left[c];
    }
    node.feature = best_feature;
    node.split_bin = best_split;
    node.threshold = thresholds[best_feature][best_split];
    return {child_of(node, left), child_of(node, right)};
  }

  // Spark's calculateImpurityStats, the gain only: -DBL_MAX when a side
  // has too few points or too little weight, or the gain is below min_info_gain.
  double gain_of(double parent_impurity, const double* left, const double* right) const {
    if (impurity.raw_count(left) < params.min_instances_per_node ||
        impurity.raw_count(right) < params.min_instances_per_node)
      return -DBL_MAX;
    const double left_count = impurity.count(left), right_count = impurity.count(right);
    if (left_count < min_weight || right_count < min_weight) return -DBL_MAX;
    const double total = left_count + right_count;
    const double gain = parent_impurity - left_count / total * impurity.calculate(left) -
                        right_count / total * impurity.calculate(right);
    return gain < params.min_info_gain ? -DBL_MAX : gain;
  }

  LearningNode child_of(const LearningNode& node, const std::vector<double>& calc) const {
    LearningNode child;
    child.level = node.level + 1;
    child.has_stats = true;
    child.stats.calc = calc;
    child.stats.impurity = impurity.calculate(calc.data());
    child.is_leaf = child.level == params.max_depth ||
                    std::abs(child.stats.impurity) < std::numeric_limits<double>::epsilon();
    return child;
  }

  // The learned tree as a DecisionTree, pruning sibling leaves that agree.
  DecisionTree finish(const std::vector<LearningNode>& tree) const {
    std::vector<TreeNode> out;
    emit(tree, 0, out);
    return DecisionTree(std::move(out));
  }

  TreeNode leaf_of(const LearningNode& n) const {
    TreeNode t;
    t.prediction = impurity.predict(n.stats.calc.data());
    t.impurity = n.stats.valid ? n.stats.impurity : -1.0;
    t.gain = std::numeric_limits<double>::quiet_NaN();
    t.stats.assign(n.stats.calc.begin(), n.stats.calc.end() - 1);
    t.weight = impurity.count(n.stats.calc.data());
    t.count = static_cast<int64_t>(n.stats.calc.back());
    return t;
  }

  // Appends the subtree at i in preorder; returns its index in out.
  int32_t emit(const std::vector<LearningNode>& tree, int32_t i, std::vector<TreeNode>& out) const {
    const LearningNode& n = tree[i];
    const int32_t at = static_cast<int32_t>(out.size());
    out.push_back(leaf_of(n));
    if (n.left < 0) return at;
    const int32_t l = emit(tree, n.left, out);
    const int32_t r = emit(tree, n.left + 1, out);
    if (out[l].is_leaf() && out[r].is_leaf() && out[l].prediction == out[r].prediction) {
      const double prediction = out[l].prediction;
      out.resize(at + 1);
      out[at].prediction = prediction;
      out[at].impurity = n.stats.impurity;
      return at;
    }
    TreeNode& t = out[at];
    t.feature = n.feature;
    t.threshold = n.threshold;
    t.left = l;
    t.right = r;
    t.impurity = n.stats.impurity;
    t.gain = n.stats.gain;
    return at;
  }
};

int features_per_node(const std::string& strategy, int num_features, int num_trees, bool classify,
                      const char* who) {
  std::string s = strategy;
  if (s == "auto") s = num_trees == 1 ? "all" : classify ? "sqrt" : "onethird";
  const double d = num_features;
  if (s == "all") return num_features;
  if (s == "sqrt") return static_cast<int>(std::ceil(std::sqrt(d)));
  if (s == "log2") return std::max(1, static_cast<int>(std::ceil(std::log(d) / std::log(2.0))));
  if (s == "onethird") return static_cast<int>(std::ceil(d / 3.0));
  size_t used = 0;
  try {
    if (s.find_first_of(".eE") == std::string::npos) {
      const long n = std::stol(s, &used);
      if (used == s.size() && n > 0) return static_cast<int>(std::min<long>(n, num_features));
    } else {
      const double f = std::stod(s, &used);
      if (used == s.size() && f > 0 && f <= 1) return static_cast<int>(std::ceil(f * d));
    }
  } catch (const std::exception&) {
  }
  throw std::invalid_argument(fmt::format(
      "{}: feature_subset_strategy must be auto, all, sqrt, log2, onethird, an integer n > 0 or a fraction in "
      "(0, 1], got \"{}\"",
      who, strategy));
}

// Unpersists the binned points when the fit ends, thrown or not.
struct CachedBins {
  RDD<BinnedBlock> rdd;
  ~CachedBins() {
    if (rdd.node()) rdd.unpersist();
  }
};

}  // namespace tree_learner_impl
using namespace tree_learner_impl;

GrownForest grow_forest(const RDD<LabeledPoint>& points, const TreeParams& params, const char* who) {
  const bool classify = params.impurity != "variance";
  auto blocks = make_blocks(points, who);
  const int d = blocks.num_features;

  // Thresholds from a sample of max(max_bins^2, 10000) points.
  const int64_t n = blocks.count;
  const int64_t required = std::max<int64_t>(int64_t{params.max_bins} * params.max_bins, 10000);
  const double fraction = required < n ? static_cast<double>(required) / static_cast<double>(n) : 1.0;
  Sample sample = blocks.rdd.tree_aggregate(Sample{}, SampleBlock{fraction, params.seed, classify}, MergeSamples{});
  int num_classes = 0;
  if (classify) {
    if (sample.bad_label_at >= 0)
      throw std::invalid_argument(fmt::format(
          "{}: labels must be class indices 0, 1, 2, ..., but the point at position {} of the input has label {}",
          who, sample.bad_label_at, sample.bad_label));
    if (sample.max_label + 1 > kMaxInferredClasses)
      throw std::invalid_argument(fmt::format("{}: the largest label is {}, more than the {} classes a classifier "
                                              "accepts (labels are class indices 0, 1, ...)",
                                              who, sample.max_label, kMaxInferredClasses));
    num_classes = static_cast<int>(sample.max_label) + 1;
  }
  const int num_splits = static_cast<int>(std::min<int64_t>(params.max_bins, n)) - 1;
  sample.nonzero.resize(d);
  Grower grower{params, Impurity{params.impurity == "gini" ? 0 : params.impurity == "entropy" ? 1 : 2, num_classes,
                                 classify ? num_classes + 1 : 4}};
  for (int j = 0; j < d; ++j)
    grower.thresholds.push_back(thresholds_of(std::move(sample.nonzero[j]), fraction * sample.total_weight, num_splits));
  grower.min_weight = params.min_weight_fraction_per_node * sample.total_weight;
  const int per_node = features_per_node(params.feature_subset_strategy, d, params.num_trees, classify, who);

  CachedBins binned{blocks.rdd.map(BinBlock{grower.thresholds}).cache()};
  binned.rdd.count();
  blocks.rdd.unpersist();

  const int S = grower.impurity.stat_size;
  const bool subsample_features = per_node < d;
  const int64_t max_memory = int64_t{params.max_memory_in_mb} << 20;
  SeededRandom rng(params.seed);
  grower.trees.assign(params.num_trees, std::vector<LearningNode>(1));
  std::deque<std::pair<int, int32_t>> stack;  // (tree, node): Spark's order, children of the last split first
  for (int t = 0; t < params.num_trees; ++t) stack.emplace_front(t, 0);
  int passes = 0;
  while (!stack.empty()) {
    // A group of nodes whose histograms fit in max_memory_in_mb (at least one).
    HistogramPass pass;
    pass.num_classes = num_classes;
    pass.stat_size = S;
    pass.bagging = params.bootstrap || params.subsampling_rate < 1;
    pass.with_replacement = params.bootstrap;
    pass.rate = params.subsampling_rate;
    pass.seed = params.seed;
    std::vector<std::pair<int, int32_t>> group;
    int64_t memory = 0;
    while (!stack.empty()) {
      std::vector<int32_t> features(d);
      for (int j = 0; j < d; ++j) features[j] = j;
      if (subsample_features) {  // reservoir sampling, as Spark's
        features.resize(per_node);
        for (int j = per_node; j < d; ++j) {
          const int64_t r = rng.below(j + 1);
          if (r < per_node) features[r] = j;
        }
      }
      int64_t values = S;
      std::vector<int64_t> offsets;
      for (int32_t f : features) {
        offsets.push_back(values);
        values += int64_t{static_cast<int64_t>(grower.thresholds[f].size()) + 1} * S;
      }
      if (memory > 0 && memory + values * 8 > max_memory) break;
      memory += values * 8;
      group.push_back(stack.front());
      stack.pop_front();
      pass.slot_offset.push_back(pass.size);
      pass.size += values;
      pass.slot_features.push_back(std::move(features));
      pass.slot_feature_offset.push_back(std::move(offsets));
    }
    for (size_t slot = 0; slot < group.size(); ++slot) {
      const int t = group[slot].first;
      auto it = std::find(pass.tree_ids.begin(), pass.tree_ids.end(), t);
      if (it == pass.tree_ids.end()) {
        pass.tree_ids.push_back(t);
        auto& route = pass.routes.emplace_back();
        for (const auto& node : grower.trees[t])
          route.push_back({node.left >= 0 ? node.feature : -1, node.split_bin, node.left, -1});
        it = pass.tree_ids.end() - 1;
      }
      pass.routes[it - pass.tree_ids.begin()][group[slot].second].slot = static_cast<int32_t>(slot);
    }
    std::vector<double> h = binned.rdd.tree_aggregate(std::vector<double>{}, pass, AddHistograms{});
    ++passes;
    for (size_t slot = 0; slot < group.size(); ++slot) {
      auto& tree = grower.trees[group[slot].first];
      const int32_t i = group[slot].second;
      auto children = grower.choose_split(tree[i], h.data() + pass.slot_offset[slot], pass.slot_features[slot],
                                          pass.slot_feature_offset[slot]);
      if (children.empty()) continue;
      const int32_t left = static_cast<int32_t>(tree.size());
      tree[i].left = left;
      for (auto& child : children) tree.push_back(std::move(child));
      if (!tree[left].is_leaf) stack.emplace_front(group[slot].first, left);
      if (!tree[left + 1].is_leaf) stack.emplace_front(group[slot].first, left + 1);
    }
  }

  GrownForest out;
  out.num_features = d;
  out.num_classes = num_classes;
  for (const auto& tree : grower.trees) out.trees.push_back(grower.finish(tree));
  spdlog::info("{}: {} tree(s) on {} points of {} features, {} passes over the data", who, params.num_trees, n, d,
               passes);
  return out;
}

}  // namespace brasa::mllib::detail
