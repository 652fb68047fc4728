#include "brasa/mllib/optim/nnls.h"

#include <Eigen/Cholesky>
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace brasa::mllib {

DenseVector nonnegative_least_squares(const DenseMatrix& a, const DenseVector& b) {
  const int n = static_cast<int>(b.size());
  if (a.rows() != n || a.cols() != n)
    throw std::invalid_argument("nonnegative_least_squares: A is " + std::to_string(a.rows()) + " x " +
                                std::to_string(a.cols()) + " but b has " + std::to_string(n) + " entries");
  DenseVector x = DenseVector::Zero(n);
  std::vector<bool> passive(n, false);
  const double tol = 1e-12 * std::max(1.0, b.cwiseAbs().maxCoeff());
  for (int outer = 0; outer < 3 * n; ++outer) {
    DenseVector w = b - a * x;  // minus the gradient
    int best = -1;
    for (int j = 0; j < n; ++j)
      if (!passive[j] && w[j] > tol && (best < 0 || w[j] > w[best])) best = j;
    if (best < 0) break;
    passive[best] = true;
    while (true) {
      std::vector<int> p;
      for (int j = 0; j < n; ++j)
        if (passive[j]) p.push_back(j);
      DenseMatrix app(p.size(), p.size());
      DenseVector bp(p.size());
      for (size_t r = 0; r < p.size(); ++r) {
        bp[r] = b[p[r]];
        for (size_t c = 0; c < p.size(); ++c) app(r, c) = a(p[r], p[c]);
      }
      DenseVector z = app.ldlt().solve(bp);
      if (z.minCoeff() > 0) {
        x.setZero();
        for (size_t r = 0; r < p.size(); ++r) x[p[r]] = z[r];
        break;
      }
      double step = 1.0;
      for (size_t r = 0; r < p.size(); ++r)
        if (z[r] <= 0) step = std::min(step, x[p[r]] / (x[p[r]] - z[r]));
      for (size_t r = 0; r < p.size(); ++r) x[p[r]] += step * (z[r] - x[p[r]]);
      for (size_t r = 0; r < p.size(); ++r)
        if (x[p[r]] <= 1e-15) {
          x[p[r]] = 0;
          passive[p[r]] = false;
        }
    }
  }
  return x;
}

}  // namespace brasa::mllib
