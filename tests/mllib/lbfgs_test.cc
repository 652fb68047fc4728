// L-BFGS and OWL-QN: minimisers checked against closed forms (quadratic,
// soft-thresholding lasso), known minima (Rosenbrock) and independent solvers
// written here (Newton for logistic loss, coordinate descent for the lasso).
#include "brasa/mllib/optim/lbfgs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include <Eigen/Dense>

namespace {

using brasa::mllib::ConvergenceReason;
using brasa::mllib::DiffFunction;
using brasa::mllib::LBFGSOptions;
using brasa::mllib::minimize_lbfgs;
using brasa::mllib::minimize_owlqn;
using brasa::mllib::OptimizationResult;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// Deterministic numbers in [-1, 1) without <random>'s implementation-defined distributions.
class Lcg {
 public:
  explicit Lcg(uint64_t seed) : state_(seed) {}
  double next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state_ >> 11) / static_cast<double>(1ULL << 52) - 1.0;
  }

 private:
  uint64_t state_;
};

// f(x) = 0.5 (x - x*)'A(x - x*) with A symmetric positive definite
// (eigenvalues >= 1). Written around x* rather than as 0.5 x'Ax - b'x so that
// f near the minimum is not a difference of large numbers: otherwise no line
// search could resolve a gradient of 1e-8.
struct Quadratic {
  MatrixXd a;
  VectorXd x_star;
  explicit Quadratic(int n) : a(n, n), x_star(n) {
    Lcg rng(7);
    MatrixXd m(n, n);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) m(i, j) = 3 * rng.next();
    a = m.transpose() * m + MatrixXd::Identity(n, n);
    for (int i = 0; i < n; ++i) x_star[i] = 5 * rng.next();
  }
  const VectorXd& minimiser() const { return x_star; }
  DiffFunction fn() const {
    return [this](const VectorXd& x, VectorXd& g) {
      const VectorXd e = x - x_star;
      g = a * e;
      return 0.5 * e.dot(g);
    };
  }
};

// Chained Rosenbrock: sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2, minimum 0 at (1, ..., 1).
double rosenbrock(const VectorXd& x, VectorXd& g) {
  double f = 0;
  g.setZero();
  for (Eigen::Index i = 0; i + 1 < x.size(); ++i) {
    const double u = x[i + 1] - x[i] * x[i];
    const double v = 1 - x[i];
    f += 100 * u * u + v * v;
    g[i] += -400 * u * x[i] - 2 * v;
    g[i + 1] += 200 * u;
  }
  return f;
}

void expect_monotone_history(const OptimizationResult& r) {
  ASSERT_EQ(r.loss_history.size(), static_cast<size_t>(r.iterations) + 1);
  for (size_t i = 1; i < r.loss_history.size(); ++i)
    EXPECT_LE(r.loss_history[i], r.loss_history[i - 1]) << "loss went up at iteration " << i;
  EXPECT_EQ(r.loss_history.back(), r.loss);
}

// ---- L-BFGS ----------------------------------------------------------------------------

TEST(LBFGS, QuadraticReachesItsMinimum) {
  const Quadratic q(6);
  LBFGSOptions options;
  options.tol = 1e-12;  // the gradient test's absolute floor (1e-8) decides
  const auto r = minimize_lbfgs(q.fn(), VectorXd::Zero(6), options);
  EXPECT_EQ(r.reason, ConvergenceReason::GradientConverged);
  // ||x - x*|| <= ||grad|| / lambda_min(A) <= 1e-8.
  EXPECT_LT((r.x - q.minimiser()).norm(), 1e-8);
  EXPECT_LT(r.loss, 1e-15);
  expect_monotone_history(r);
}

TEST(LBFGS, MemoryOneStillConverges) {
  const Quadratic q(6);
  LBFGSOptions options;
  options.memory = 1;
  options.tol = 0;  // only the gradient floor can stop it
  options.max_iterations = 1000;
  const auto r = minimize_lbfgs(q.fn(), VectorXd::Ones(6), options);
  EXPECT_EQ(r.reason, ConvergenceReason::GradientConverged);
  EXPECT_LT((r.x - q.minimiser()).norm(), 1e-8);
  expect_monotone_history(r);
}

TEST(LBFGS, Rosenbrock2DReachesOnes) {
  VectorXd x0(2);
  x0 << -1.2, 1.0;
  LBFGSOptions options;
  options.max_iterations = 1000;
  options.tol = 1e-10;
  const auto r = minimize_lbfgs(rosenbrock, x0, options);
  EXPECT_NE(r.reason, ConvergenceReason::MaxIterations);
  EXPECT_LT((r.x - VectorXd::Ones(2)).lpNorm<Eigen::Infinity>(), 1e-4);
  EXPECT_LT(r.loss, 1e-8);
  expect_monotone_history(r);
}

TEST(LBFGS, Rosenbrock10DReachesOnes) {
  VectorXd x0(10);
  for (int i = 0; i < 10; ++i) x0[i] = i % 2 == 0 ? -1.2 : 1.0;
  LBFGSOptions options;
  options.max_iterations = 2000;
  options.tol = 1e-10;
  const auto r = minimize_lbfgs(rosenbrock, x0, options);
  EXPECT_NE(r.reason, ConvergenceReason::MaxIterations);
  EXPECT_LT((r.x - VectorXd::Ones(10)).lpNorm<Eigen::Infinity>(), 1e-4);
  expect_monotone_history(r);
}

// Mean logistic loss with an L2 term (as Spark's binary LogisticRegression
// minimises it); column 0 of X is the intercept.
struct Logistic {
  MatrixXd x;
  VectorXd y;  // labels in {0, 1}
  double l2;
  Logistic() : x(16, 4), y(16), l2(0.02) {
    Lcg rng(42);
    for (int i = 0; i < 16; ++i) {
      x(i, 0) = 1;
      for (int j = 1; j < 4; ++j) x(i, j) = 2 * rng.next();
      const double margin = 0.5 + 1.5 * x(i, 1) - 2 * x(i, 2) + 0.3 * x(i, 3);
      y[i] = (margin + 1.5 * rng.next() > 0) ? 1 : 0;  // noisy, so not separable
    }
  }
  double value_and_gradient(const VectorXd& w, VectorXd& g) const {
    const double n = static_cast<double>(x.rows());
    double f = 0;
    g.setZero();
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      const double m = x.row(i).dot(w);
      f += std::log1p(std::exp(-std::abs(m))) + std::max(m, 0.0) - y[i] * m;
      g += (1 / (1 + std::exp(-m)) - y[i]) * x.row(i).transpose();
    }
    f /= n;
    g /= n;
    f += 0.5 * l2 * w.squaredNorm();
    g += l2 * w;
    return f;
  }
  DiffFunction fn() const {
    return [this](const VectorXd& w, VectorXd& g) { return value_and_gradient(w, g); };
  }
  // Independent reference: Newton's method with the exact Hessian.
  VectorXd newton() const {
    const double n = static_cast<double>(x.rows());
    VectorXd w = VectorXd::Zero(x.cols()), g(x.cols());
    for (int it = 0; it < 100; ++it) {
      value_and_gradient(w, g);
      if (g.norm() < 1e-15) break;
      MatrixXd h = l2 * MatrixXd::Identity(x.cols(), x.cols());
      for (Eigen::Index i = 0; i < x.rows(); ++i) {
        const double p = 1 / (1 + std::exp(-x.row(i).dot(w)));
        h += p * (1 - p) / n * x.row(i).transpose() * x.row(i);
      }
      w -= h.ldlt().solve(g);
    }
    return w;
  }
};

TEST(LBFGS, LogisticLossMatchesNewton) {
  const Logistic lr;
  const VectorXd w_star = lr.newton();
  VectorXd g(4);
  lr.value_and_gradient(w_star, g);
  ASSERT_LT(g.norm(), 1e-12) << "Newton reference did not converge";

  LBFGSOptions options;
  options.tol = 1e-12;
  const auto r = minimize_lbfgs(lr.fn(), VectorXd::Zero(4), options);
  EXPECT_EQ(r.reason, ConvergenceReason::GradientConverged);
  EXPECT_LT((r.x - w_star).lpNorm<Eigen::Infinity>(), 1e-6);
  expect_monotone_history(r);
}

TEST(LBFGS, SparkDefaultsStopNearTheOptimum) {
  const Logistic lr;
  const VectorXd w_star = lr.newton();
  VectorXd g(4);
  const double f_star = lr.value_and_gradient(w_star, g);
  const auto r = minimize_lbfgs(lr.fn(), VectorXd::Zero(4));  // maxIter 100, m 10, tol 1e-6
  EXPECT_NE(r.reason, ConvergenceReason::MaxIterations);
  EXPECT_NE(r.reason, ConvergenceReason::SearchFailed);
  EXPECT_LT(r.loss - f_star, 1e-6 * std::abs(f_star));
  EXPECT_LT((r.x - w_star).lpNorm<Eigen::Infinity>(), 1e-3);
}

TEST(LBFGS, LossHistoryStartsAtInitialLoss) {
  const Quadratic q(6);
  const VectorXd x0 = VectorXd::LinSpaced(6, -2, 3);
  VectorXd g(6);
  const double f0 = q.fn()(x0, g);
  const auto r = minimize_lbfgs(q.fn(), x0);
  ASSERT_FALSE(r.loss_history.empty());
  EXPECT_EQ(r.loss_history.front(), f0);
  expect_monotone_history(r);
}

TEST(LBFGS, MaxIterationsRespected) {
  VectorXd x0(2);
  x0 << -1.2, 1.0;
  LBFGSOptions options;
  options.max_iterations = 5;
  int calls = 0;
  const DiffFunction counted = [&calls](const VectorXd& x, VectorXd& g) {
    ++calls;
    return rosenbrock(x, g);
  };
  const auto r = minimize_lbfgs(counted, x0, options);
  EXPECT_EQ(r.iterations, 5);
  EXPECT_EQ(r.reason, ConvergenceReason::MaxIterations);
  EXPECT_EQ(r.loss_history.size(), 6u);
  EXPECT_GE(calls, 6);
  expect_monotone_history(r);
}

TEST(LBFGS, ZeroMaxIterationsReturnsStart) {
  VectorXd x0(2);
  x0 << -1.2, 1.0;
  LBFGSOptions options;
  options.max_iterations = 0;
  int calls = 0;
  const DiffFunction counted = [&calls](const VectorXd& x, VectorXd& g) {
    ++calls;
    return rosenbrock(x, g);
  };
  const auto r = minimize_lbfgs(counted, x0, options);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(r.iterations, 0);
  EXPECT_EQ(r.x, x0);
  EXPECT_EQ(r.reason, ConvergenceReason::MaxIterations);
  ASSERT_EQ(r.loss_history.size(), 1u);
  EXPECT_DOUBLE_EQ(r.loss, 24.2);
}

TEST(LBFGS, StartAtMinimumConvergesImmediately) {
  const Quadratic q(4);
  const auto r = minimize_lbfgs(q.fn(), q.minimiser());
  EXPECT_EQ(r.iterations, 0);
  EXPECT_EQ(r.reason, ConvergenceReason::GradientConverged);
}

// f = sum x_i - log x_i is +inf for x_i <= 0: the line search must back off
// from such steps rather than accept them.
TEST(LBFGS, BacksOffFromInfiniteValues) {
  const DiffFunction f = [](const VectorXd& x, VectorXd& g) {
    double v = 0;
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      if (x[i] <= 0) return std::numeric_limits<double>::infinity();
      v += x[i] - std::log(x[i]);
      g[i] = 1 - 1 / x[i];
    }
    return v;
  };
  VectorXd x0(3);
  x0 << 0.05, 4.0, 30.0;
  LBFGSOptions options;
  options.tol = 1e-12;
  const auto r = minimize_lbfgs(f, x0, options);
  EXPECT_LT((r.x - VectorXd::Ones(3)).norm(), 1e-6);
  EXPECT_NEAR(r.loss, 3.0, 1e-12);
  expect_monotone_history(r);
}

TEST(LBFGS, InvalidOptionsThrow) {
  const Quadratic q(3);
  auto expect_invalid = [&](const LBFGSOptions& o, const std::string& names) {
    try {
      minimize_lbfgs(q.fn(), VectorXd::Zero(3), o);
      ADD_FAILURE() << "no exception for bad " << names;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(names), std::string::npos) << e.what();
    }
  };
  LBFGSOptions o;
  o.max_iterations = -1;
  expect_invalid(o, "max_iterations");
  o = {};
  o.memory = 0;
  expect_invalid(o, "memory");
  o = {};
  o.tol = -1e-3;
  expect_invalid(o, "tol");
  o = {};
  o.tol = std::numeric_limits<double>::quiet_NaN();
  expect_invalid(o, "tol");
  EXPECT_THROW(minimize_lbfgs(DiffFunction{}, VectorXd::Zero(3)), std::invalid_argument);
}

TEST(LBFGS, NonFiniteStartThrows) {
  const DiffFunction nan_f = [](const VectorXd&, VectorXd&) { return std::numeric_limits<double>::quiet_NaN(); };
  const DiffFunction inf_f = [](const VectorXd&, VectorXd&) { return std::numeric_limits<double>::infinity(); };
  EXPECT_THROW(minimize_lbfgs(nan_f, VectorXd::Zero(2)), std::runtime_error);
  EXPECT_THROW(minimize_lbfgs(inf_f, VectorXd::Zero(2)), std::runtime_error);
  EXPECT_THROW(minimize_owlqn(nan_f, VectorXd::Zero(2), VectorXd::Ones(2)), std::runtime_error);
}

// ---- OWL-QN ----------------------------------------------------------------------------

// 0.5 ||y - X b||^2 with orthogonal columns of squared norms d_j: it equals
// 0.5 sum_j d_j (b_j - z_j)^2 + const with z = X'y / d, so the lasso solution
// is soft-thresholding, b_j = sign(z_j) max(|z_j| - l1_j / d_j, 0), exactly.
struct OrthogonalLasso {
  MatrixXd x;
  VectorXd y;
  OrthogonalLasso() : x(8, 4), y(8) {
    // Columns 1..4 of the 8x8 Sylvester-Hadamard matrix, scaled; column 7 is the residual.
    auto h = [](int i, int j) { return (__builtin_popcount(i & j) % 2) ? -1.0 : 1.0; };
    const double scale[4] = {1, 2, 0.5, 3};  // d = 8 * scale^2 = (8, 32, 2, 72)
    const double z[4] = {1.5, -0.2, 0.7, -0.9};
    for (int i = 0; i < 8; ++i) {
      y[i] = 0.25 * h(i, 7);
      for (int j = 0; j < 4; ++j) {
        x(i, j) = scale[j] * h(i, j + 1);
        y[i] += x(i, j) * z[j];
      }
    }
  }
  DiffFunction fn() const {
    return [this](const VectorXd& b, VectorXd& g) {
      const VectorXd r = x * b - y;
      g = x.transpose() * r;
      return 0.5 * r.squaredNorm();
    };
  }
};

TEST(OWLQN, OrthogonalLassoIsSoftThresholding) {
  const OrthogonalLasso p;
  VectorXd l1(4);
  l1 << 0, 8, 4, 36;  // coordinate 0 unpenalised
  // z = (1.5, -0.2, 0.7, -0.9), l1 / d = (0, 0.25, 2, 0.5).
  VectorXd expected(4);
  expected << 1.5, 0, 0, -0.4;
  VectorXd x0(4);
  x0 << -2, 0.5, -0.5, 1;  // every coordinate starts on the wrong side or off zero
  LBFGSOptions options;
  options.tol = 1e-12;
  const auto r = minimize_owlqn(p.fn(), x0, l1, options);
  EXPECT_NE(r.reason, ConvergenceReason::MaxIterations);
  EXPECT_NEAR(r.x[0], expected[0], 1e-8);
  EXPECT_EQ(r.x[1], 0.0);  // exact zeros, not small numbers
  EXPECT_EQ(r.x[2], 0.0);
  EXPECT_NEAR(r.x[3], expected[3], 1e-8);
  // The loss includes the L1 term.
  VectorXd g(4);
  const double smooth = p.fn()(expected, g);
  EXPECT_NEAR(r.loss, smooth + 36 * 0.4, 1e-10);
  expect_monotone_history(r);
}

TEST(OWLQN, LossHistoryStartsAtPenalisedInitialLoss) {
  const OrthogonalLasso p;
  VectorXd l1(4);
  l1 << 0, 8, 4, 36;
  VectorXd x0(4);
  x0 << -2, 0.5, -0.5, 1;
  VectorXd g(4);
  const double f0 = p.fn()(x0, g) + 8 * 0.5 + 4 * 0.5 + 36 * 1;
  const auto r = minimize_owlqn(p.fn(), x0, l1);
  ASSERT_FALSE(r.loss_history.empty());
  EXPECT_DOUBLE_EQ(r.loss_history.front(), f0);
  expect_monotone_history(r);
}

// Correlated design, intercept unpenalised, against cyclic coordinate descent.
TEST(OWLQN, CorrelatedLassoMatchesCoordinateDescent) {
  const int n = 30, p = 6;
  MatrixXd x(n, p);
  VectorXd y(n);
  Lcg rng(2024);
  for (int i = 0; i < n; ++i) {
    x(i, 0) = 1;
    const double common = rng.next();
    for (int j = 1; j < p; ++j) x(i, j) = common + 0.7 * rng.next();
    y[i] = 0.3 + 2 * x(i, 1) - 1.5 * x(i, 3) + 0.2 * rng.next();
  }
  const double lambda = 0.05;
  VectorXd l1 = VectorXd::Constant(p, lambda);
  l1[0] = 0;
  const DiffFunction f = [&](const VectorXd& b, VectorXd& g) {
    const VectorXd r = x * b - y;
    g = x.transpose() * r / n;
    return 0.5 * r.squaredNorm() / n;
  };

  // Coordinate descent: exact minimisation in one coordinate at a time.
  VectorXd b = VectorXd::Zero(p), r = -y;  // r = X b - y
  for (int sweep = 0; sweep < 100000; ++sweep) {
    double change = 0;
    for (int j = 0; j < p; ++j) {
      const double d = x.col(j).squaredNorm() / n;
      const double rho = -(x.col(j).dot(r) / n) + d * b[j];
      const double bj = std::copysign(std::max(std::abs(rho) - l1[j], 0.0), rho) / d;
      r += (bj - b[j]) * x.col(j);
      change = std::max(change, std::abs(bj - b[j]));
      b[j] = bj;
    }
    if (change < 1e-15) break;
  }
  int zeros = 0;
  for (int j = 1; j < p; ++j) zeros += b[j] == 0;
  ASSERT_GE(zeros, 1) << "the reference solution should be sparse for this test to mean anything";

  LBFGSOptions options;
  options.tol = 1e-12;
  options.max_iterations = 1000;
  const auto res = minimize_owlqn(f, VectorXd::Zero(p), l1, options);
  EXPECT_NE(res.reason, ConvergenceReason::MaxIterations);
  for (int j = 0; j < p; ++j) {
    if (b[j] == 0)
      EXPECT_EQ(res.x[j], 0.0) << "coordinate " << j;
    else
      EXPECT_NEAR(res.x[j], b[j], 1e-6) << "coordinate " << j;
  }
  expect_monotone_history(res);
}

TEST(OWLQN, ZeroPenaltyMinimisesTheSmoothObjective) {
  const Quadratic q(5);
  LBFGSOptions options;
  options.tol = 1e-12;
  options.max_iterations = 500;
  const auto r = minimize_owlqn(q.fn(), VectorXd::Zero(5), VectorXd::Zero(5), options);
  EXPECT_LT((r.x - q.minimiser()).norm(), 1e-7);
  expect_monotone_history(r);
}

TEST(OWLQN, MaxIterationsRespected) {
  const OrthogonalLasso p;
  LBFGSOptions options;
  options.max_iterations = 2;
  options.tol = 0;
  const auto r = minimize_owlqn(p.fn(), VectorXd::Zero(4), VectorXd::Constant(4, 1e-3), options);
  EXPECT_EQ(r.iterations, 2);
  EXPECT_EQ(r.reason, ConvergenceReason::MaxIterations);
  EXPECT_EQ(r.loss_history.size(), 3u);
}

TEST(OWLQN, InvalidArgumentsThrow) {
  const OrthogonalLasso p;
  auto expect_invalid = [&](const VectorXd& l1, const LBFGSOptions& o, const std::string& names) {
    try {
      minimize_owlqn(p.fn(), VectorXd::Zero(4), l1, o);
      ADD_FAILURE() << "no exception for bad " << names;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(names), std::string::npos) << e.what();
    }
  };
  expect_invalid(VectorXd::Ones(3), {}, "l1");
  VectorXd negative = VectorXd::Ones(4);
  negative[2] = -0.1;
  expect_invalid(negative, {}, "l1[2]");
  VectorXd nan = VectorXd::Ones(4);
  nan[1] = std::numeric_limits<double>::quiet_NaN();
  expect_invalid(nan, {}, "l1[1]");
  LBFGSOptions o;
  o.max_iterations = -3;
  expect_invalid(VectorXd::Ones(4), o, "max_iterations");
  o = {};
  o.memory = -1;
  expect_invalid(VectorXd::Ones(4), o, "memory");
  o = {};
  o.tol = -1;
  expect_invalid(VectorXd::Ones(4), o, "tol");
}

}  // namespace
