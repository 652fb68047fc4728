#include "brasa/mllib/feature/normalizer.h"

#include <cmath>
#include <limits>

#include "util/checks.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace normalizer_impl {

struct Normalize {
  double p = 2;
  Vector operator()(const Vector& x) const {
    const double norm = Normalizer::norm(x, p);
    if (norm == 0.0) return x;
    std::vector<double> values(x.values().begin(), x.values().end());
    for (double& v : values) v /= norm;
    if (!x.is_sparse()) return Vector::dense(std::move(values));
    return Vector::sparse(x.size(), std::vector<int32_t>(x.indices().begin(), x.indices().end()), std::move(values));
  }
};

}  // namespace normalizer_impl
using namespace normalizer_impl;

Normalizer& Normalizer::p(double v) {
  detail::check_param(v >= 1.0, "Normalizer", "p", "at least 1", v);
  p_ = v;
  return *this;
}

double Normalizer::norm(const Vector& x, double p) {
  detail::check_param(p >= 1.0, "Normalizer", "p", "at least 1", p);
  auto values = x.values();
  double sum = 0;
  if (p == 1) {
    for (double v : values) sum += std::abs(v);
    return sum;
  }
  if (p == 2) {
    for (double v : values) sum += v * v;
    return std::sqrt(sum);
  }
  if (p == std::numeric_limits<double>::infinity()) {
    double max = 0;
    for (double v : values)
      if (std::abs(v) > max) max = std::abs(v);
    return max;
  }
  for (double v : values) sum += std::pow(std::abs(v), p);
  return std::pow(sum, 1.0 / p);
}

Vector Normalizer::transform(const Vector& x) const { return Normalize{p_}(x); }

RDD<Vector> Normalizer::transform(const RDD<Vector>& data) const { return data.map(Normalize{p_}); }

}  // namespace brasa::mllib
