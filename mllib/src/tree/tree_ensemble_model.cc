#include "brasa/mllib/tree/tree_ensemble_model.h"

#include <stdexcept>

#include "brasa/util/serializer.h"
#include "util/checks.h"
#include "util/model_io.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace tree_ensemble_impl {

struct Predict {
  TreeEnsembleModel model;
  template <class Ar> void serialize(Ar& ar) { ar(model); }
  double operator()(const Vector& x) const { return model.predict(x); }
};

struct PredictionAndLabel {
  TreeEnsembleModel model;
  template <class Ar> void serialize(Ar& ar) { ar(model); }
  std::pair<double, double> operator()(const LabeledPoint& p) const { return {model.predict(p.features), p.label}; }
};

}  // namespace tree_ensemble_impl

int TreeEnsembleModel::total_num_nodes() const {
  int n = 0;
  for (const auto& tree : trees_) n += tree.num_nodes();
  return n;
}

DenseVector TreeEnsembleModel::feature_importances() const {
  DenseVector total = DenseVector::Zero(num_features_);
  for (const auto& tree : trees_) {
    std::vector<double> importances(num_features_, 0.0);
    tree.add_importances(importances);
    double norm = 0;
    for (double v : importances) norm += v;
    if (norm != 0)
      for (int j = 0; j < num_features_; ++j) total[j] += importances[j] / norm;
  }
  const double sum = total.sum();
  if (sum != 0) total /= sum;
  return total;
}

double TreeEnsembleModel::predict(const Vector& x) const {
  detail::check_features("tree model", num_features_, x);
  if (trees_.size() == 1) return trees_[0].leaf_for(x).prediction;
  if (num_classes_ == 0) {
    double sum = 0;
    for (const auto& tree : trees_) sum += tree.leaf_for(x).prediction;
    return sum / static_cast<double>(trees_.size());
  }
  const DenseVector votes = raw_votes(x);
  int best = 0;
  for (int c = 1; c < num_classes_; ++c)
    if (votes[c] > votes[best]) best = c;
  return best;
}

RDD<double> TreeEnsembleModel::predict(const RDD<Vector>& features) const {
  return features.map(tree_ensemble_impl::Predict{*this});
}

RDD<std::pair<double, double>> TreeEnsembleModel::prediction_and_labels(const RDD<LabeledPoint>& points) const {
  return points.map(tree_ensemble_impl::PredictionAndLabel{*this});
}

DenseVector TreeEnsembleModel::raw_votes(const Vector& x) const {
  detail::check_features("tree model", num_features_, x);
  DenseVector votes = DenseVector::Zero(num_classes_);
  if (trees_.size() == 1) {
    const auto& s = trees_[0].leaf_for(x).stats;
    for (int c = 0; c < num_classes_; ++c) votes[c] = s[c];
    return votes;
  }
  for (const auto& tree : trees_) {
    const auto& s = tree.leaf_for(x).stats;
    double total = 0;
    for (int c = 0; c < num_classes_; ++c) total += s[c];
    if (total != 0)
      for (int c = 0; c < num_classes_; ++c) votes[c] += s[c] / total;
  }
  return votes;
}

DenseVector TreeEnsembleModel::normalised_votes(const Vector& x) const {
  DenseVector votes = raw_votes(x);
  const double sum = votes.sum();
  if (sum != 0) votes /= sum;
  return votes;
}

std::string TreeEnsembleModel::debug_string(const std::string& title) const {
  std::string out = title + (num_classes_ > 0 ? ", numClasses=" + std::to_string(num_classes_) : "") +
                    ", numFeatures=" + std::to_string(num_features_) + "\n";
  if (trees_.size() == 1) return out + trees_[0].to_debug_string(2);
  for (size_t t = 0; t < trees_.size(); ++t)
    out += "  Tree " + std::to_string(t) + " (weight 1.0):\n" + trees_[t].to_debug_string(4);
  return out;
}

void TreeEnsembleModel::save_as(const char* model_class, const std::string& path, bool overwrite) const {
  detail::Metadata m;
  m.set("num_features", static_cast<double>(num_features_));
  m.set("num_classes", static_cast<double>(num_classes_));
  m.set("num_trees", static_cast<double>(trees_.size()));
  ByteWriter data;
  data(*this);
  detail::save_model(path, std::string("brasa.mllib.") + model_class, m, data.bytes(), overwrite);
}

void TreeEnsembleModel::load_as(const char* model_class, const std::string& path) {
  auto saved = detail::load_model(path, std::string("brasa.mllib.") + model_class);
  const std::string where = std::string(model_class) + ".load(" + path + "): ";
  try {
    ByteReader r(saved.data);
    r(*this);
  } catch (const std::exception& e) {
    throw std::runtime_error(where + "data.bin does not decode: " + e.what());
  }
  bool ok = num_features_ == saved.metadata.number("num_features") &&
            num_classes_ == saved.metadata.number("num_classes") &&
            static_cast<double>(trees_.size()) == saved.metadata.number("num_trees") && !trees_.empty();
  const size_t stats = num_classes_ > 0 ? static_cast<size_t>(num_classes_) : 3;
  for (const auto& tree : trees_) {
    const auto& nodes = tree.nodes();
    ok = ok && !nodes.empty();
    for (size_t i = 0; ok && i < nodes.size(); ++i) {
      const TreeNode& n = nodes[i];
      const auto size = static_cast<int32_t>(nodes.size());
      ok = n.stats.size() == stats && (n.is_leaf() || (n.feature < num_features_ && n.left > static_cast<int32_t>(i) &&
                                                       n.right > n.left && n.right < size));
    }
  }
  if (!ok) throw std::runtime_error(where + "data.bin does not match metadata.json");
}

}  // namespace brasa::mllib
