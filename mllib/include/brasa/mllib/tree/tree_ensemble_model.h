// What every tree model is (Spark's TreeEnsembleModel): trees over a
// number of features that predict together. One tree predicts its leaf's
// value. Several vote: a classification forest predicts the class with the
// largest sum of the trees' normalised leaf class weights, a regression
// forest the mean of the trees' predictions.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "brasa/mllib/labeled_point.h"
#include "brasa/mllib/tree/decision_tree.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class TreeEnsembleModel {
 public:
  const std::vector<DecisionTree>& trees() const { return trees_; }
  int num_trees() const { return static_cast<int>(trees_.size()); }
  int num_features() const { return num_features_; }
  int total_num_nodes() const;
  // Per tree, gain times node weight summed per feature and normalised to
  // sum 1; then the trees' sum, normalised again.
  DenseVector feature_importances() const;

  double predict(const Vector& features) const;
  RDD<double> predict(const RDD<Vector>& features) const;
  // (prediction, label) per point.
  RDD<std::pair<double, double>> prediction_and_labels(const RDD<LabeledPoint>& points) const;

  template <class Archive> void serialize(Archive& ar) { ar(trees_, num_features_, num_classes_); }

 protected:
  // Classification: the one tree's leaf class weights, or the trees' votes.
  DenseVector raw_votes(const Vector& features) const;
  DenseVector normalised_votes(const Vector& features) const;
  // Spark's toDebugString under `title`.
  std::string debug_string(const std::string& title) const;
  void save_as(const char* model_class, const std::string& path, bool overwrite) const;
  // Checks sizes against metadata.json and every node's children and feature.
  void load_as(const char* model_class, const std::string& path);

  std::vector<DecisionTree> trees_;
  int32_t num_features_ = 0;
  int32_t num_classes_ = 0;  // 0 for regression
};

}  // namespace brasa::mllib
