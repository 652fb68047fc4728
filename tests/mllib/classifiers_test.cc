// LinearSVC and NaiveBayes.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <random>

#include "brasa/mllib/classification/linear_svc.h"
#include "brasa/mllib/classification/naive_bayes.h"
#include "test_util.h"

using brasa::mllib::DenseMatrix;
using brasa::mllib::DenseVector;
using brasa::mllib::LabeledPoint;
using brasa::mllib::LinearSVC;
using brasa::mllib::LinearSVCModel;
using brasa::mllib::NaiveBayes;
using brasa::mllib::NaiveBayesModel;
using brasa::mllib::Vector;

namespace {

std::vector<LabeledPoint> noisy_halfplane(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<LabeledPoint> out;
  for (int i = 0; i < n; ++i) {
    double a = normal(rng), b = 2 * normal(rng);
    double label = a - 0.5 * b + 0.3 * normal(rng) > 0 ? 1.0 : 0.0;
    out.push_back({label, Vector::dense({a, b})});
  }
  return out;
}

// (1/n) sum max(0, 1 - y w.x) + reg/2 |w|^2 through the origin, solved
// exactly by dual coordinate descent (Hsieh et al. 2008) with C = 1/(n reg).
DenseVector svm_dual(const std::vector<LabeledPoint>& points, double reg) {
  const int n = static_cast<int>(points.size());
  const double c = 1.0 / (n * reg);
  DenseVector w = DenseVector::Zero(points[0].features.size()), alpha = DenseVector::Zero(n);
  for (int sweep = 0; sweep < 5000; ++sweep)
    for (int i = 0; i < n; ++i) {
      DenseVector x = points[i].features.to_dense();
      const double y = 2 * points[i].label - 1;
      const double g = y * w.dot(x) - 1;
      const double next = std::clamp(alpha[i] - g / x.squaredNorm(), 0.0, c);
      w += (next - alpha[i]) * y * x;
      alpha[i] = next;
    }
  return w;
}

double svm_objective(const std::vector<LabeledPoint>& points, const DenseVector& w, double reg) {
  double loss = 0;
  for (const auto& p : points) loss += std::max(0.0, 1 - (2 * p.label - 1) * w.dot(p.features.to_dense()));
  return loss / points.size() + 0.5 * reg * w.squaredNorm();
}

}  // namespace

TEST(LinearSVC, ReachesTheHingeLossOptimum) {
  auto ctx = brasa_test::make_context();
  auto points = noisy_halfplane(300, 1);
  const double reg = 0.05;
  auto model = LinearSVC()
                   .reg_param(reg)
                   .fit_intercept(false)
                   .standardization(false)
                   .max_iter(500)
                   .tol(1e-10)
                   .fit(ctx->parallelize(points, 3));
  DenseVector best = svm_dual(points, reg);
  const double optimum = svm_objective(points, best, reg);
  EXPECT_LT(svm_objective(points, model.coefficients(), reg), optimum * (1 + 1e-3));
  EXPECT_LT((model.coefficients() - best).norm(), 0.05 * best.norm())
      << model.coefficients().transpose() << " vs " << best.transpose();
  EXPECT_EQ(model.intercept(), 0.0);
}

TEST(LinearSVC, ClassifiesSeparableDataAndRoundTrips) {
  auto ctx = brasa_test::make_context();
  std::vector<LabeledPoint> points;
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> u(-1, 1);
  while (points.size() < 200) {
    double a = u(rng), b = u(rng);
    if (std::abs(2 * a + b - 0.3) < 0.1) continue;
    points.push_back({2 * a + b - 0.3 > 0 ? 1.0 : 0.0, Vector::dense({a, b})});
  }
  auto data = ctx->parallelize(points, 2);
  auto model = LinearSVC().fit(data);
  for (const auto& p : points) EXPECT_EQ(model.predict(p.features), p.label);
  for (const auto& [prediction, label] : model.prediction_and_labels(data).collect()) EXPECT_EQ(prediction, label);
  brasa_test::TempDir dir;
  auto path = (dir.path() / "svc").string();
  model.set_threshold(0.25).save(path);
  auto back = LinearSVCModel::load(path);
  EXPECT_EQ(back.coefficients(), model.coefficients());
  EXPECT_EQ(back.intercept(), model.intercept());
  EXPECT_EQ(back.threshold(), 0.25);
  std::vector<LabeledPoint> one_class{{1, Vector::dense({1})}, {1, Vector::dense({2})}};
  EXPECT_THROW(LinearSVC().fit(ctx->parallelize(one_class, 1)), std::invalid_argument);
  std::vector<LabeledPoint> three{{0, Vector::dense({1})}, {2, Vector::dense({2})}};
  EXPECT_THROW(LinearSVC().fit(ctx->parallelize(three, 1)), std::invalid_argument);
}

// Hand-worked: two classes of word counts.
TEST(NaiveBayes, MultinomialMatchesTheFormulas) {
  auto ctx = brasa_test::make_context();
  std::vector<LabeledPoint> points{{0, Vector::dense({2, 0, 1})},
                                   {0, Vector::dense({1, 1, 0})},
                                   {1, Vector::sparse(3, {2}, {3})},
                                   {1, Vector::dense({0, 1, 2})},
                                   {1, Vector::dense({0, 0, 1})}};
  auto model = NaiveBayes().smoothing(1.0).fit(ctx->parallelize(points, 2));
  ASSERT_EQ(model.labels(), (std::vector<double>{0, 1}));
  // pi: log(n_c + 1) - log(5 + 2); theta: log(s + 1) - log(sum s + 3)
  EXPECT_NEAR(model.pi()[0], std::log(3.0 / 7), 1e-12);
  EXPECT_NEAR(model.pi()[1], std::log(4.0 / 7), 1e-12);
  const double s0[] = {3, 1, 1}, s1[] = {0, 1, 6};
  for (int j = 0; j < 3; ++j) {
    EXPECT_NEAR(model.theta()(0, j), std::log((s0[j] + 1) / (5 + 3)), 1e-12);
    EXPECT_NEAR(model.theta()(1, j), std::log((s1[j] + 1) / (7 + 3)), 1e-12);
  }
  EXPECT_EQ(model.predict(Vector::dense({3, 0, 0})), 0.0);
  EXPECT_EQ(model.predict(Vector::dense({0, 0, 4})), 1.0);
  DenseVector p = model.probabilities(Vector::dense({1, 1, 1}));
  EXPECT_NEAR(p.sum(), 1.0, 1e-12);
  EXPECT_THROW(model.predict(Vector::dense({-1, 0, 0})), std::invalid_argument);
}

TEST(NaiveBayes, BernoulliMatchesTheFormulas) {
  auto ctx = brasa_test::make_context();
  std::vector<LabeledPoint> points{{2, Vector::dense({1, 0})}, {2, Vector::dense({1, 1})}, {5, Vector::dense({0, 1})}};
  auto model = NaiveBayes().model_type("bernoulli").smoothing(0.5).fit(ctx->parallelize(points, 2));
  ASSERT_EQ(model.labels(), (std::vector<double>{2, 5}));
  EXPECT_NEAR(model.theta()(0, 0), std::log(2.5 / 3.0), 1e-12);  // (2 + .5) / (2 + 1)
  EXPECT_NEAR(model.theta()(0, 1), std::log(1.5 / 3.0), 1e-12);
  EXPECT_NEAR(model.theta()(1, 0), std::log(0.5 / 2.0), 1e-12);
  // raw(x) = pi + sum_j x_j theta + (1 - x_j) log(1 - e^theta)
  DenseVector raw = model.raw_prediction(Vector::dense({0, 1}));
  const double expected = model.pi()[1] + std::log1p(-std::exp(model.theta()(1, 0))) + model.theta()(1, 1);
  EXPECT_NEAR(raw[1], expected, 1e-12);
  EXPECT_EQ(model.predict(Vector::dense({0, 1})), 5.0);
  EXPECT_EQ(model.predict(Vector::dense({1, 0})), 2.0);
  std::vector<LabeledPoint> bad{{0, Vector::dense({1, 0})}, {1, Vector::dense({0.5, 1})}};
  try {
    NaiveBayes().model_type("bernoulli").fit(ctx->parallelize(bad, 1));
    ADD_FAILURE() << "no error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("requires 0 or 1 feature values, but the point at position 1 has 0.5"),
              std::string::npos)
        << e.what();
  }
}

TEST(NaiveBayes, GaussianMatchesTheFormulasAndRoundTrips) {
  auto ctx = brasa_test::make_context();
  std::vector<LabeledPoint> points{{0, Vector::dense({1, 10})}, {0, Vector::dense({3, 14})},
                                   {1, Vector::dense({-2, 0})}, {1, Vector::dense({-4, 2})},
                                   {1, Vector::dense({-3, 1})}};
  auto model = NaiveBayes().model_type("gaussian").fit(ctx->parallelize(points, 2));
  // Largest population variance over all the data: feature 1 (values 10, 14, 0, 2, 1).
  const double mean1 = 27.0 / 5, var1 = (100 + 196 + 0 + 4 + 1) / 5.0 - mean1 * mean1;
  const double epsilon = 1e-9 * var1;
  EXPECT_NEAR(model.pi()[0], std::log(2.0 / 5), 1e-12);
  EXPECT_NEAR(model.theta()(0, 0), 2.0, 1e-12);
  EXPECT_NEAR(model.sigma()(0, 0), 1.0 + epsilon, 1e-12);   // population variance of 1, 3
  EXPECT_NEAR(model.sigma()(1, 1), 2.0 / 3 + epsilon, 1e-12);  // of 0, 2, 1
  EXPECT_EQ(model.predict(Vector::dense({2, 12})), 0.0);
  EXPECT_EQ(model.predict(Vector::dense({-3, 1})), 1.0);
  brasa_test::TempDir dir;
  auto path = (dir.path() / "nb").string();
  model.save(path);
  auto back = NaiveBayesModel::load(path);
  EXPECT_EQ(back.model_type(), "gaussian");
  EXPECT_EQ(back.sigma(), model.sigma());
  EXPECT_EQ(back.theta(), model.theta());
  EXPECT_EQ(back.predict(ctx->parallelize(std::vector<Vector>{Vector::dense({2, 12})}, 1)).collect(),
            std::vector<double>{0.0});
  EXPECT_THROW(NaiveBayes().model_type("complement!"), std::invalid_argument);
}
