// Non-negative least squares: the answer of an exhaustive search over which
// coordinates are zero, and the optimality (KKT) conditions.
#include "brasa/mllib/optim/nnls.h"

#include <gtest/gtest.h>

#include <Eigen/Cholesky>
#include <limits>
#include <random>
#include <stdexcept>

namespace {

using brasa::mllib::DenseMatrix;
using brasa::mllib::DenseVector;
using brasa::mllib::nonnegative_least_squares;

double objective(const DenseMatrix& a, const DenseVector& b, const DenseVector& x) {
  return 0.5 * x.dot(a * x) - b.dot(x);
}

// The best feasible point among the unconstrained minima of every face.
DenseVector exhaustive(const DenseMatrix& a, const DenseVector& b) {
  const int n = static_cast<int>(b.size());
  DenseVector best = DenseVector::Zero(n);
  for (int mask = 1; mask < (1 << n); ++mask) {
    std::vector<int> free;
    for (int j = 0; j < n; ++j)
      if (mask & (1 << j)) free.push_back(j);
    const int k = static_cast<int>(free.size());
    DenseMatrix af(k, k);
    DenseVector bf(k);
    for (int r = 0; r < k; ++r) {
      bf[r] = b[free[r]];
      for (int c = 0; c < k; ++c) af(r, c) = a(free[r], free[c]);
    }
    const DenseVector z = af.llt().solve(bf);
    if (z.minCoeff() < 0) continue;
    DenseVector x = DenseVector::Zero(n);
    for (int r = 0; r < k; ++r) x[free[r]] = z[r];
    if (objective(a, b, x) < objective(a, b, best)) best = x;
  }
  return best;
}

TEST(NonnegativeLeastSquares, MatchesExhaustiveSearchAndKkt) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> gauss(0, 1);
  for (int trial = 0; trial < 200; ++trial) {
    const int n = 1 + trial % 7;
    DenseMatrix y(n + 3, n);
    for (int i = 0; i < y.size(); ++i) y.data()[i] = gauss(rng);
    DenseMatrix a = y.transpose() * y;
    a.diagonal().array() += 0.01;
    DenseVector b(n);
    for (int j = 0; j < n; ++j) b[j] = gauss(rng);
    SCOPED_TRACE("trial " + std::to_string(trial));

    const DenseVector x = nonnegative_least_squares(a, b);
    ASSERT_EQ(x.size(), n);
    const DenseVector expected = exhaustive(a, b);
    for (int j = 0; j < n; ++j) EXPECT_NEAR(x[j], expected[j], 1e-9 * (1 + std::abs(expected[j])));
    // KKT: x >= 0, gradient Ax - b >= 0, zero where x > 0.
    const DenseVector g = a * x - b;
    for (int j = 0; j < n; ++j) {
      EXPECT_GE(x[j], 0.0);
      if (x[j] > 0) {
        EXPECT_NEAR(g[j], 0.0, 1e-9);
      } else {
        EXPECT_GE(g[j], -1e-9);
      }
    }
  }
}

TEST(NonnegativeLeastSquares, PositiveUnconstrainedSolutionIsKept) {
  DenseMatrix a(2, 2);
  a << 2, 1, 1, 3;
  DenseVector want(2);
  want << 0.5, 2.0;
  const DenseVector x = nonnegative_least_squares(a, a * want);
  EXPECT_NEAR(x[0], 0.5, 1e-12);
  EXPECT_NEAR(x[1], 2.0, 1e-12);
  EXPECT_EQ(nonnegative_least_squares(a, -a * want), DenseVector::Zero(2));
}

TEST(NonnegativeLeastSquares, MismatchedSizesAreAClearError) {
  try {
    nonnegative_least_squares(DenseMatrix::Identity(3, 3), DenseVector::Ones(2));
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("3 x 3"), std::string::npos) << e.what();
  }
}

}  // namespace
