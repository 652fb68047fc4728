// Scaling of each vector to unit p-norm as Spark ML's Normalizer (a
// transformer: nothing to fit):
//
//   Vector u = Normalizer().p(1).transform(x);      // x / sum |x_i|
//
// The norm is (sum |x_i|^p)^(1/p), sum |x_i| for p = 1, sqrt(sum x_i^2) for
// p = 2 (the default) and max |x_i| for p = infinity. A vector of norm 0 is
// returned as it is; a sparse vector stays sparse with the same indices.
// p must be at least 1 (infinity allowed): p() throws std::invalid_argument
// otherwise.
#pragma once

#include "brasa/mllib/linalg/vector.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class Normalizer {
 public:
  Normalizer& p(double v);
  double p() const { return p_; }

  Vector transform(const Vector& x) const;
  RDD<Vector> transform(const RDD<Vector>& data) const;

  // The p-norm of x, as Spark's Vectors.norm.
  static double norm(const Vector& x, double p);

 private:
  double p_ = 2.0;
};

}  // namespace brasa::mllib
