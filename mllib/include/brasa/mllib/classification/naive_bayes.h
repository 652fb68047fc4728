// Naive Bayes classifiers, as Spark ML's NaiveBayes:
//
//   auto model = NaiveBayes().smoothing(1.0).model_type("multinomial").fit(train);
//   double c = model.predict(x);
//
// With the weight n_c of class c, N the total, K the classes present and
// lambda the smoothing:
//   multinomial (the default; features are counts >= 0):
//     pi_c = log(n_c + lambda) - log(N + K lambda)
//     theta_cj = log(s_cj + lambda) - log(sum_j s_cj + d lambda),  s_cj = sum of feature j in class c
//   bernoulli (features 0 or 1): theta_cj = log(s_cj + lambda) - log(n_c + 2 lambda)
//   gaussian: pi_c = log(n_c / N), theta_cj = the class's mean, sigma_cj = its
//     population variance + 1e-9 times the largest variance of any feature
//     over all the data (scikit-learn's var_smoothing).
// Classes are the distinct labels, in ascending order; predict returns the
// label (not its index) of the highest log-posterior.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "brasa/mllib/labeled_point.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class NaiveBayesModel {
 public:
  NaiveBayesModel() = default;

  const std::string& model_type() const { return model_type_; }
  const std::vector<double>& labels() const { return labels_; }  // ascending
  int num_classes() const { return static_cast<int>(labels_.size()); }
  int num_features() const { return static_cast<int>(theta_.cols()); }
  const DenseVector& pi() const { return pi_; }        // log priors, per class
  const DenseMatrix& theta() const { return theta_; }  // classes x features
  const DenseMatrix& sigma() const { return sigma_; }  // gaussian: variances; else empty

  // Log-posteriors up to a constant, per class (Spark's rawPrediction).
  DenseVector raw_prediction(const Vector& features) const;
  DenseVector probabilities(const Vector& features) const;
  double predict(const Vector& features) const;  // the label of the largest
  RDD<double> predict(const RDD<Vector>& features) const;
  // (predicted label, label) per point.
  RDD<std::pair<double, double>> prediction_and_labels(const RDD<LabeledPoint>& points) const;

  void save(const std::string& path, bool overwrite = false) const;
  static NaiveBayesModel load(const std::string& path);

 private:
  friend class NaiveBayes;
  std::string model_type_ = "multinomial";
  std::vector<double> labels_;
  DenseVector pi_;
  DenseMatrix theta_;
  DenseMatrix sigma_;
};

class NaiveBayes {
 public:
  NaiveBayes& smoothing(double v);                 // >= 0, default 1
  NaiveBayes& model_type(const std::string& v);    // "multinomial" (default), "bernoulli" or "gaussian"

  double smoothing() const { return smoothing_; }
  const std::string& model_type() const { return model_type_; }

  // Throws std::invalid_argument for an empty input, negative features
  // (multinomial), features other than 0 and 1 (bernoulli), NaN or
  // infinite values, or points of different sizes.
  NaiveBayesModel fit(const RDD<LabeledPoint>& data) const;

 private:
  double smoothing_ = 1.0;
  std::string model_type_ = "multinomial";
};

}  // namespace brasa::mllib
