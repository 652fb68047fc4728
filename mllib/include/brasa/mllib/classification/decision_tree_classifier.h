// Decision tree classification, as Spark ML's DecisionTreeClassifier:
//
//   auto model = DecisionTreeClassifier().max_depth(5).impurity("entropy").fit(train);
//   double c = model.predict(x);
//
// Labels are class indices 0, 1, ..., at most 100 classes (the largest
// label + 1). Binning, growth and pruning: see brasa/mllib/tree/decision_tree.h.
#pragma once

#include <string>
#include <utility>

#include "brasa/mllib/labeled_point.h"
#include "brasa/mllib/tree/tree_ensemble_model.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class DecisionTreeClassificationModel : public TreeEnsembleModel {
 public:
  const DecisionTree& tree() const { return trees_.front(); }
  int num_classes() const { return num_classes_; }
  int depth() const { return tree().depth(); }
  int num_nodes() const { return tree().num_nodes(); }

  DenseVector raw_prediction(const Vector& features) const { return raw_votes(features); }  // the leaf's class weights
  DenseVector probability(const Vector& features) const { return normalised_votes(features); }
  std::string to_debug_string() const;

  void save(const std::string& path, bool overwrite = false) const;
  static DecisionTreeClassificationModel load(const std::string& path);

 private:
  friend class DecisionTreeClassifier;
};

class DecisionTreeClassifier : public TreeEstimator<DecisionTreeClassifier> {
 public:
  static constexpr const char* kName = "DecisionTreeClassifier";
  DecisionTreeClassifier() { params_.impurity = "gini"; }
  DecisionTreeClassifier& impurity(const std::string& v);  // "gini" (default) or "entropy"

  // Throws std::invalid_argument for an empty input, labels that are not
  // class indices, NaN or infinite values, or points of different sizes.
  DecisionTreeClassificationModel fit(const RDD<LabeledPoint>& data) const;
};

}  // namespace brasa::mllib
