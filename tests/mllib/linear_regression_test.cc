#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <random>

#include "brasa/mllib/evaluation/regression_evaluator.h"
#include "brasa/mllib/regression/linear_regression.h"
#include "test_util.h"

using brasa::mllib::DenseMatrix;
using brasa::mllib::DenseVector;
using brasa::mllib::LabeledPoint;
using brasa::mllib::LinearRegression;
using brasa::mllib::LinearRegressionModel;
using brasa::mllib::Vector;

namespace {

// y = 2 + x.beta + noise, features of different scales, one of them constant.
std::vector<LabeledPoint> linear_data(int n, uint64_t seed, double noise = 0.5, bool with_constant = true) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  const double beta[] = {1.0, -0.3, 0.02, 4.0};
  std::vector<LabeledPoint> out;
  for (int i = 0; i < n; ++i) {
    std::vector<double> x{normal(rng), 10 * normal(rng) + 3, 0.5 * normal(rng), 0.1 * normal(rng)};
    x[2] += 0.3 * x[0];
    double y = 2.0;
    for (int j = 0; j < 4; ++j) y += beta[j] * x[j];
    y += noise * normal(rng);
    if (with_constant) x.push_back(-1.5);
    out.push_back({y, Vector::dense(x)});
  }
  return out;
}

struct Problem {
  DenseMatrix xc;  // centred features
  DenseVector yc, x_mean;
  double y_mean;
  DenseVector sd;  // feature spreads
  double y_sd;
};

// Population (ddof 0) or sample (ddof 1) spreads, as each solver uses.
Problem centre(const std::vector<LabeledPoint>& points, int ddof) {
  const int n = static_cast<int>(points.size()), d = points[0].features.size();
  Problem p;
  DenseMatrix x(n, d);
  DenseVector y(n);
  for (int i = 0; i < n; ++i) {
    x.row(i) = points[i].features.to_dense().transpose();
    y[i] = points[i].label;
  }
  p.x_mean = x.colwise().mean().transpose();
  p.y_mean = y.mean();
  p.xc = x.rowwise() - p.x_mean.transpose();
  p.yc = y.array() - p.y_mean;
  p.sd = (p.xc.colwise().squaredNorm().transpose() / (n - ddof)).cwiseSqrt();
  for (int j = 0; j < d; ++j)
    if (p.sd[j] < 1e-12) p.sd[j] = 0;
  p.y_sd = std::sqrt(p.yc.squaredNorm() / (n - ddof));
  return p;
}

// Minimises 1/(2n) |y - c - X b|^2 + l2/2 sum (s_j b_j)^2 + l1 sum |s_j b_j| by
// coordinate descent on centred data (exact for l1 = 0 after enough sweeps).
std::pair<DenseVector, double> reference(const Problem& p, double l2, double l1, bool standardize) {
  const int n = static_cast<int>(p.xc.rows()), d = static_cast<int>(p.xc.cols());
  DenseVector s = standardize ? p.sd : DenseVector(DenseVector::Ones(d));
  DenseVector b = DenseVector::Zero(d);
  DenseVector r = p.yc;
  for (int sweep = 0; sweep < 20000; ++sweep)
    for (int j = 0; j < d; ++j) {
      if (p.sd[j] == 0) continue;
      const double norm = p.xc.col(j).squaredNorm() / n;
      const double rho = p.xc.col(j).dot(r) / n + norm * b[j];
      const double t = l1 * s[j];
      const double next = std::copysign(std::max(std::abs(rho) - t, 0.0), rho) / (norm + l2 * s[j] * s[j]);
      r -= (next - b[j]) * p.xc.col(j);
      b[j] = next;
    }
  return {b, p.y_mean - p.x_mean.dot(b)};
}

}  // namespace

TEST(LinearRegression, NormalEquationsGiveOrdinaryLeastSquares) {
  auto ctx = brasa_test::make_context();
  auto points = linear_data(300, 1, 0.5, false);
  auto model = LinearRegression().fit(ctx->parallelize(points, 3));
  DenseMatrix x(points.size(), 5);
  DenseVector y(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    x.row(i).head(4) = points[i].features.to_dense().transpose();
    x(i, 4) = 1;
    y[i] = points[i].label;
  }
  DenseVector ols = x.colPivHouseholderQr().solve(y);
  EXPECT_TRUE(model.coefficients().isApprox(ols.head(4), 1e-9)) << model.coefficients().transpose();
  EXPECT_NEAR(model.intercept(), ols[4], 1e-9);
  auto lbfgs = LinearRegression().solver("l-bfgs").tol(1e-12).max_iter(500).fit(ctx->parallelize(points, 3));
  EXPECT_TRUE(lbfgs.coefficients().isApprox(ols.head(4), 1e-6)) << lbfgs.coefficients().transpose();
  EXPECT_NEAR(lbfgs.intercept(), ols[4], 1e-6);
}

// Spark's normal equations: population spreads; the L2 term divided by the
// label's spread, the L1 term not.
TEST(LinearRegression, RegularisedNormalEquationsFollowWeightedLeastSquares) {
  auto ctx = brasa_test::make_context();
  auto points = linear_data(400, 2);
  auto p = centre(points, 0);
  const double reg = 0.3;
  for (double alpha : {0.0, 0.6, 1.0})
    for (bool standardize : {true, false}) {
      auto model = LinearRegression()
                       .reg_param(reg)
                       .elastic_net_param(alpha)
                       .standardization(standardize)
                       .tol(1e-14)
                       .max_iter(2000)
                       .fit(ctx->parallelize(points, 2));
      auto [b, c] = reference(p, reg * (1 - alpha) / p.y_sd, reg * alpha, standardize);
      for (int j = 0; j < 5; ++j) {
        EXPECT_NEAR(model.coefficients()[j], b[j], 1e-6) << "alpha " << alpha << " std " << standardize << " j " << j;
        EXPECT_EQ(model.coefficients()[j] == 0.0, b[j] == 0.0) << "alpha " << alpha << " j " << j;
      }
      EXPECT_NEAR(model.intercept(), c, 1e-6);
    }
}

// Spark's L-BFGS path: sample spreads, both terms divided by the label's spread.
TEST(LinearRegression, LbfgsSolverFollowsSparksScaling) {
  auto ctx = brasa_test::make_context();
  auto points = linear_data(400, 3);
  auto p = centre(points, 1);
  const double reg = 0.2;
  for (double alpha : {0.0, 0.5})
    for (bool standardize : {true, false}) {
      auto model = LinearRegression()
                       .solver("l-bfgs")
                       .reg_param(reg)
                       .elastic_net_param(alpha)
                       .standardization(standardize)
                       .tol(1e-14)
                       .max_iter(2000)
                       .fit(ctx->parallelize(points, 2));
      auto [b, c] = reference(p, reg * (1 - alpha) / p.y_sd, reg * alpha, standardize);
      EXPECT_TRUE(model.coefficients().isApprox(b, 1e-5))
          << "alpha " << alpha << " std " << standardize << "\n" << model.coefficients().transpose() << "\n" << b.transpose();
      EXPECT_NEAR(model.intercept(), c, 1e-5);
    }
}

TEST(LinearRegression, ConstantLabelAndNoInterceptEdgeCases) {
  auto ctx = brasa_test::make_context();
  std::vector<LabeledPoint> flat{{3, Vector::dense({1, 2})}, {3, Vector::dense({2, 0})}, {3, Vector::dense({5, 1})}};
  for (const char* solver : {"normal", "l-bfgs"}) {
    auto model = LinearRegression().solver(solver).reg_param(0.1).fit(ctx->parallelize(flat, 2));
    EXPECT_EQ(model.coefficients(), DenseVector::Zero(2)) << solver;
    EXPECT_EQ(model.intercept(), 3.0) << solver;
  }
  // Through the origin: y = 2 x exactly.
  std::vector<LabeledPoint> line{{2, Vector::dense({1})}, {4, Vector::dense({2})}, {7, Vector::dense({3.5})}};
  auto origin = LinearRegression().fit_intercept(false).fit(ctx->parallelize(line, 2));
  EXPECT_NEAR(origin.coefficients()[0], 2.0, 1e-12);
  EXPECT_EQ(origin.intercept(), 0.0);
  // Two identical columns: singular without regularisation.
  std::vector<LabeledPoint> twins;
  for (int i = 0; i < 10; ++i) twins.push_back({double(i % 3), Vector::dense({double(i), double(i)})});
  EXPECT_THROW(LinearRegression().fit(ctx->parallelize(twins, 2)), std::invalid_argument);
  EXPECT_NO_THROW(LinearRegression().reg_param(0.1).fit(ctx->parallelize(twins, 2)));
  EXPECT_THROW(LinearRegression().solver("qr"), std::invalid_argument);
}

TEST(LinearRegression, NoiselessDataIsFitExactly) {
  auto ctx = brasa_test::make_context();
  auto points = linear_data(200, 4, 0.0);
  auto data = ctx->parallelize(points, 4);
  auto model = LinearRegression().fit(data);
  auto metrics = brasa::mllib::RegressionEvaluator().evaluate(model.predict_with_labels(data));
  EXPECT_LT(metrics.rmse, 1e-9);
  EXPECT_NEAR(metrics.r2, 1.0, 1e-12);
  EXPECT_NEAR(model.predict(points[7].features), points[7].label, 1e-9);
}

TEST(LinearRegression, SameBitsForAnyPartitioningAndMode) {
  auto points = linear_data(3000, 5);
  std::vector<LinearRegressionModel> models;
  auto fit_all = [&](brasa::Context& ctx, int partitions) {
    for (const char* solver : {"normal", "l-bfgs"})
      models.push_back(LinearRegression()
                           .solver(solver)
                           .reg_param(0.05)
                           .elastic_net_param(0.5)
                           .max_block_size_in_mb(0.001)
                           .fit(ctx.parallelize(points, partitions)));
  };
  {
    auto ctx = brasa_test::make_context();
    for (int partitions : {1, 3, 8}) fit_all(*ctx, partitions);
  }
  if (!brasa_test::on_cluster()) {
    auto ctx = brasa_test::make_context("local-cluster[2,1]");
    fit_all(*ctx, 4);
  }
  for (size_t m = 2; m < models.size(); ++m) {
    EXPECT_EQ(models[m].coefficients(), models[m % 2].coefficients()) << "run " << m;
    EXPECT_EQ(models[m].intercept(), models[m % 2].intercept()) << "run " << m;
  }
}

TEST(LinearRegressionModel, SavesAndLoads) {
  auto ctx = brasa_test::make_context();
  brasa_test::TempDir dir;
  auto model = LinearRegression().solver("l-bfgs").fit(ctx->parallelize(linear_data(100, 6), 2));
  auto path = (dir.path() / "linear").string();
  model.save(path);
  auto back = LinearRegressionModel::load(path);
  EXPECT_EQ(back.coefficients(), model.coefficients());
  EXPECT_EQ(back.intercept(), model.intercept());
  EXPECT_EQ(back.objective_history(), model.objective_history());
  EXPECT_THROW(brasa::mllib::LinearRegressionModel::load((dir.path() / "none").string()), std::runtime_error);
}
