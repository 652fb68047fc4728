// Principal component analysis as Spark ML's PCA:
//
//   auto model = PCA().k(3).fit(vectors);       // RDD<Vector> of n features
//   Vector y = model.transform(x);              // pc^T x: k values
//
// fit takes the k leading eigenvectors of the columns' sample covariance
// (RowMatrix::compute_pca): pc is n x k, one component per column, and
// explained_variance the share of the total variance each explains. As in
// Spark, transform projects x as it is: it does not subtract the mean (centre
// the data first, e.g. with StandardScaler().with_mean(true), to get the
// usual scores). The result is dense. k must be set (>= 1) and at most the
// number of features; errors throw std::invalid_argument.
#pragma once

#include <string>

#include "brasa/mllib/linalg/vector.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class PCAModel {
 public:
  PCAModel() = default;
  // Throws unless explained_variance has one entry per column of pc.
  PCAModel(DenseMatrix pc, DenseVector explained_variance);

  int k() const { return static_cast<int>(pc_.cols()); }
  int num_features() const { return static_cast<int>(pc_.rows()); }
  const DenseMatrix& pc() const { return pc_; }
  const DenseVector& explained_variance() const { return explained_variance_; }

  Vector transform(const Vector& x) const;
  RDD<Vector> transform(const RDD<Vector>& data) const;

  void save(const std::string& path, bool overwrite = false) const;
  static PCAModel load(const std::string& path);

 private:
  DenseMatrix pc_;
  DenseVector explained_variance_;
};

class PCA {
 public:
  PCA& k(int v);  // the number of components, >= 1; no default
  int k() const { return k_; }

  PCAModel fit(const RDD<Vector>& data) const;

 private:
  int k_ = 0;  // unset
};

}  // namespace brasa::mllib
