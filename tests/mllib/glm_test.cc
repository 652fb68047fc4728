#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <random>

#include "brasa/mllib/classification/logistic_regression.h"
#include "brasa/mllib/regression/generalized_linear_regression.h"
#include "test_util.h"

using brasa::mllib::DenseMatrix;
using brasa::mllib::DenseVector;
using brasa::mllib::GeneralizedLinearRegression;
using brasa::mllib::GeneralizedLinearRegressionModel;
using brasa::mllib::LabeledPoint;
using brasa::mllib::Vector;

namespace {

// Labels drawn from the family with mean g^-1(0.5 + 0.3 x1 - 0.2 x2) (gamma:
// inverse link, mean 1 / (2 + 0.3 x1 - 0.2 x2)).
std::vector<LabeledPoint> glm_data(const std::string& family, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  std::vector<LabeledPoint> out;
  for (int i = 0; i < n; ++i) {
    const double a = normal(rng), b = normal(rng);
    double y;
    if (family == "poisson") {
      y = std::poisson_distribution<int>(std::exp(0.5 + 0.3 * a - 0.2 * b))(rng);
    } else if (family == "binomial") {
      y = uniform(rng) < 1 / (1 + std::exp(-(0.5 + 0.3 * a - 0.2 * b))) ? 1 : 0;
    } else {
      const double mean = 1 / (2 + 0.3 * std::tanh(a) - 0.2 * std::tanh(b));
      y = std::gamma_distribution<double>(2.0, mean / 2.0)(rng);
      out.push_back({y, Vector::dense({std::tanh(a), std::tanh(b)})});
      continue;
    }
    out.push_back({y, Vector::dense({a, b})});
  }
  return out;
}

// The score equations of the maximum likelihood fit: sum (y - mu) /
// (V(mu) g'(mu)) [x, 1], computed directly; zero at the optimum.
DenseVector score(const std::vector<LabeledPoint>& points, const GeneralizedLinearRegressionModel& m) {
  DenseVector u = DenseVector::Zero(3);
  for (const auto& p : points) {
    const double eta = m.predict_link(p.features), mu = m.predict(p.features);
    double v = 1, g = 1;
    if (m.family() == "poisson") v = mu, g = 1 / mu;
    if (m.family() == "binomial") v = mu * (1 - mu), g = 1 / (mu * (1 - mu));
    if (m.family() == "gamma") v = mu * mu, g = -1 / (mu * mu);
    (void)eta;
    const double r = (p.label - mu) / (v * g);
    u[0] += r * p.features[0];
    u[1] += r * p.features[1];
    u[2] += r;
  }
  return u / points.size();
}

}  // namespace

TEST(GeneralizedLinearRegression, CanonicalLinksSolveTheScoreEquations) {
  auto ctx = brasa_test::make_context();
  for (const char* family : {"poisson", "binomial", "gamma"}) {
    auto points = glm_data(family, 800, 1);
    auto model = GeneralizedLinearRegression().family(family).tol(1e-12).max_iter(100).fit(
        ctx->parallelize(points, 3));
    EXPECT_LT(score(points, model).norm(), 1e-9) << family;
    EXPECT_GT(model.num_iterations(), 1) << family;
    EXPECT_LT(model.num_iterations(), 100) << family;
  }
}

TEST(GeneralizedLinearRegression, AgreesWithLogisticAndLeastSquares) {
  auto ctx = brasa_test::make_context();
  auto points = glm_data("binomial", 600, 2);
  auto data = ctx->parallelize(points, 2);
  auto glm = GeneralizedLinearRegression().family("binomial").tol(1e-12).fit(data);
  EXPECT_EQ(glm.link(), "logit");
  auto lr = brasa::mllib::LogisticRegression().tol(1e-12).max_iter(500).fit(data);
  EXPECT_TRUE(glm.coefficients().isApprox(lr.coefficients(), 1e-6));
  EXPECT_NEAR(glm.intercept(), lr.intercept(), 1e-6);
  EXPECT_NEAR(glm.predict(points[0].features), lr.predict_probability(points[0].features), 1e-6);

  // Gaussian with the identity link is ordinary least squares.
  std::vector<LabeledPoint> line;
  for (int i = 0; i < 50; ++i) line.push_back({3.0 + 2.0 * i - 0.5 * (i % 7), Vector::dense({double(i), double(i % 7)})});
  auto ols = GeneralizedLinearRegression().fit(ctx->parallelize(line, 2));
  EXPECT_NEAR(ols.coefficients()[0], 2.0, 1e-9);
  EXPECT_NEAR(ols.coefficients()[1], -0.5, 1e-9);
  EXPECT_NEAR(ols.intercept(), 3.0, 1e-9);
  EXPECT_EQ(ols.num_iterations(), 0);
}

TEST(GeneralizedLinearRegression, OtherLinksAndBadLabels) {
  auto ctx = brasa_test::make_context();
  auto counts = glm_data("poisson", 500, 3);
  auto identity = GeneralizedLinearRegression().family("poisson").link("sqrt").tol(1e-12).max_iter(100).fit(
      ctx->parallelize(counts, 2));
  EXPECT_EQ(identity.link(), "sqrt");
  for (const auto& p : counts) EXPECT_GE(identity.predict(p.features), 0.0);
  auto bad = counts;
  bad[4].label = -1;
  try {
    GeneralizedLinearRegression().family("poisson").fit(ctx->parallelize(bad, 2));
    ADD_FAILURE() << "no error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("labels must be at least 0 for the poisson family, but the point at "
                                         "position 4 has -1"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(GeneralizedLinearRegression().family("tweedie"), std::invalid_argument);
  EXPECT_THROW(GeneralizedLinearRegression().link("probit"), std::invalid_argument);

  brasa_test::TempDir dir;
  auto path = (dir.path() / "glm").string();
  identity.save(path);
  auto back = GeneralizedLinearRegressionModel::load(path);
  EXPECT_EQ(back.family(), "poisson");
  EXPECT_EQ(back.link(), "sqrt");
  EXPECT_EQ(back.coefficients(), identity.coefficients());
  EXPECT_EQ(back.predict(counts[0].features), identity.predict(counts[0].features));
}
