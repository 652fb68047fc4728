// Random forest classification, as Spark ML's RandomForestClassifier:
//
//   auto model = RandomForestClassifier().num_trees(20).seed(1).fit(train);
//
// Each tree learns from a bootstrap sample (Poisson(subsampling_rate)
// copies of each point) and considers a random subset of the features at
// each node ("auto": sqrt of the features when there are several trees).
// Trees vote with their leaves' class distributions. Sampling is seeded
// per point, so the model does not depend on the partitioning or master;
// it does not reproduce Spark's random draws.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "brasa/mllib/labeled_point.h"
#include "brasa/mllib/tree/tree_ensemble_model.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class RandomForestClassificationModel : public TreeEnsembleModel {
 public:
  int num_classes() const { return num_classes_; }

  // Per class, the sum over trees of the leaf's class weights normalised to sum 1.
  DenseVector raw_prediction(const Vector& features) const { return raw_votes(features); }
  DenseVector probability(const Vector& features) const { return normalised_votes(features); }
  std::string to_debug_string() const;

  void save(const std::string& path, bool overwrite = false) const;
  static RandomForestClassificationModel load(const std::string& path);

 private:
  friend class RandomForestClassifier;
};

class RandomForestClassifier : public ForestEstimator<RandomForestClassifier> {
 public:
  static constexpr const char* kName = "RandomForestClassifier";
  RandomForestClassifier() { params_.impurity = "gini"; }
  RandomForestClassifier& impurity(const std::string& v);  // "gini" (default) or "entropy"

  RandomForestClassificationModel fit(const RDD<LabeledPoint>& data) const;
};

}  // namespace brasa::mllib
