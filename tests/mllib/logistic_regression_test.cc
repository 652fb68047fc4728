#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "brasa/mllib/classification/logistic_regression.h"
#include "brasa/mllib/clustering/kmeans.h"
#include "brasa/mllib/evaluation/binary_classification_evaluator.h"
#include "test_util.h"

using brasa::mllib::DenseMatrix;
using brasa::mllib::DenseVector;
using brasa::mllib::LabeledPoint;
using brasa::mllib::LogisticRegression;
using brasa::mllib::LogisticRegressionModel;
using brasa::mllib::Vector;

namespace {

// Points whose features have different scales and a constant column, with
// labels drawn from a logistic model.
std::vector<LabeledPoint> logistic_data(int n, uint64_t seed, bool with_constant = true) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  const double beta[] = {1.5, -2.0, 0.0, 0.7};
  std::vector<LabeledPoint> out;
  for (int i = 0; i < n; ++i) {
    std::vector<double> x{normal(rng), 3.0 * normal(rng) + 1.0, 0.2 * normal(rng), normal(rng)};
    x[3] += 0.5 * x[0];  // correlated
    double margin = 0.3;
    for (int j = 0; j < 4; ++j) margin += beta[j] * x[j];
    double label = uniform(rng) < 1.0 / (1.0 + std::exp(-margin)) ? 1.0 : 0.0;
    if (with_constant) x.push_back(2.0);
    out.push_back({label, Vector::dense(x)});
  }
  return out;
}

struct Reference {
  DenseVector coefficients;
  double intercept;
};

// Spark's objective in the original coefficients b, intercept c:
//   (1/n) sum logloss + l2/2 sum (s_j b_j)^2 + l1 sum s_j |b_j|,
// s_j the feature's std when standardizing, else 1 (features with std 0 fixed
// at 0). Newton's method for the smooth case, proximal gradient with L1.
Reference reference_fit(const std::vector<LabeledPoint>& points, double reg, double alpha, bool standardize) {
  const int n = static_cast<int>(points.size()), d = points[0].features.size();
  DenseMatrix x(n, d + 1);
  DenseVector y(n);
  for (int i = 0; i < n; ++i) {
    x.row(i).head(d) = points[i].features.to_dense().transpose();
    x(i, d) = 1.0;
    y[i] = points[i].label;
  }
  DenseVector scale(d);
  std::vector<bool> active(d);
  for (int j = 0; j < d; ++j) {
    const double mean = x.col(j).mean();
    const double sd = std::sqrt((x.col(j).array() - mean).square().sum() / (n - 1));
    active[j] = sd > 0;
    scale[j] = standardize ? sd : 1.0;
  }
  const double l2 = reg * (1 - alpha), l1 = reg * alpha;
  auto gradient = [&](const DenseVector& w) {
    DenseVector p = (x * w).unaryExpr([](double m) { return 1.0 / (1.0 + std::exp(-m)); });
    DenseVector g = x.transpose() * (p - y) / n;
    for (int j = 0; j < d; ++j) g[j] += l2 * scale[j] * scale[j] * w[j];
    return std::make_pair(g, p);
  };
  DenseVector w = DenseVector::Zero(d + 1);
  auto clamp_inactive = [&](DenseVector& v) {
    for (int j = 0; j < d; ++j)
      if (!active[j]) v[j] = 0;
  };
  if (l1 == 0) {
    for (int it = 0; it < 100; ++it) {
      auto [g, p] = gradient(w);
      DenseMatrix h = x.transpose() * (p.array() * (1 - p.array())).matrix().asDiagonal() * x / n;
      for (int j = 0; j < d; ++j) h(j, j) += l2 * scale[j] * scale[j];
      for (int j = 0; j < d; ++j)
        if (!active[j]) {
          h.row(j).setZero();
          h.col(j).setZero();
          h(j, j) = 1;
          g[j] = 0;
        }
      w -= h.ldlt().solve(g);
    }
  } else {
    // FISTA with step 1/L, L bounding the smooth part's curvature.
    const double lipschitz =
        0.25 * (x.transpose() * x / n).eigenvalues().real().maxCoeff() + l2 * scale.maxCoeff() * scale.maxCoeff();
    DenseVector z = w, previous = w;
    double t = 1;
    for (int it = 0; it < 200000; ++it) {
      DenseVector next = z - gradient(z).first / lipschitz;
      for (int j = 0; j < d; ++j) {
        const double threshold = l1 * scale[j] / lipschitz;
        next[j] = std::copysign(std::max(std::abs(next[j]) - threshold, 0.0), next[j]);
      }
      clamp_inactive(next);
      const double t_next = (1 + std::sqrt(1 + 4 * t * t)) / 2;
      z = next + (t - 1) / t_next * (next - previous);
      previous = next;
      t = t_next;
    }
    w = previous;
  }
  return {w.head(d), w[d]};
}

}  // namespace

TEST(LogisticRegression, MatchesNewtonsMethodWithL2) {
  auto ctx = brasa_test::make_context();
  auto points = logistic_data(500, 1);
  for (bool standardize : {true, false}) {
    auto model = LogisticRegression()
                     .reg_param(0.05)
                     .standardization(standardize)
                     .tol(1e-12)
                     .max_iter(500)
                     .fit(ctx->parallelize(points, 3));
    auto expected = reference_fit(points, 0.05, 0.0, standardize);
    EXPECT_EQ(model.coefficients()[4], 0.0) << "constant feature";
    EXPECT_TRUE(model.coefficients().isApprox(expected.coefficients, 1e-6))
        << "standardize " << standardize << "\n" << model.coefficients().transpose() << "\n"
        << expected.coefficients.transpose();
    EXPECT_NEAR(model.intercept(), expected.intercept, 1e-6);
    const auto& history = model.objective_history();
    ASSERT_GE(history.size(), 2u);
    for (size_t i = 1; i < history.size(); ++i) EXPECT_LE(history[i], history[i - 1] + 1e-15);
  }
}

TEST(LogisticRegression, WithoutRegularisationMatchesMaximumLikelihood) {
  auto ctx = brasa_test::make_context();
  auto points = logistic_data(400, 2, false);
  auto model = LogisticRegression().tol(1e-12).max_iter(500).fit(ctx->parallelize(points, 2));
  auto expected = reference_fit(points, 0.0, 0.0, true);
  EXPECT_TRUE(model.coefficients().isApprox(expected.coefficients, 1e-6));
  EXPECT_NEAR(model.intercept(), expected.intercept, 1e-6);
  auto no_intercept = LogisticRegression().fit_intercept(false).fit(ctx->parallelize(points, 2));
  EXPECT_EQ(no_intercept.intercept(), 0.0);
}

TEST(LogisticRegression, ElasticNetMatchesProximalGradientWithExactZeros) {
  auto ctx = brasa_test::make_context();
  auto points = logistic_data(400, 3);
  for (bool standardize : {true, false}) {
    auto model = LogisticRegression()
                     .reg_param(0.08)
                     .elastic_net_param(0.7)
                     .standardization(standardize)
                     .tol(1e-12)
                     .max_iter(1000)
                     .fit(ctx->parallelize(points, 2));
    auto expected = reference_fit(points, 0.08, 0.7, standardize);
    for (int j = 0; j < 5; ++j) {
      EXPECT_NEAR(model.coefficients()[j], expected.coefficients[j], 2e-5) << "feature " << j;
      EXPECT_EQ(model.coefficients()[j] == 0.0, expected.coefficients[j] == 0.0) << "feature " << j;
    }
    EXPECT_EQ(model.coefficients()[2], 0.0) << "the weak feature is dropped";
    EXPECT_NEAR(model.intercept(), expected.intercept, 2e-5);
  }
}

TEST(LogisticRegression, SeparableDataIsClassifiedPerfectly) {
  auto ctx = brasa_test::make_context();
  std::vector<LabeledPoint> points;
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> u(-1, 1);
  for (int i = 0; i < 300; ++i) {
    double a = u(rng), b = u(rng);
    if (std::abs(a + 2 * b) < 0.1) continue;
    points.push_back({a + 2 * b > 0 ? 1.0 : 0.0, Vector::dense({a, b})});
  }
  auto data = ctx->parallelize(points, 3);
  auto model = LogisticRegression().max_iter(50).fit(data);
  for (const auto& p : points) EXPECT_EQ(model.predict(p.features), p.label);
  auto predictions = model.predict(data.map([](const LabeledPoint& p) { return p.features; })).collect();
  for (size_t i = 0; i < points.size(); ++i) EXPECT_EQ(predictions[i], points[i].label);
  EXPECT_EQ(brasa::mllib::BinaryClassificationEvaluator().area_under_roc(model.predict_with_labels(data)), 1.0);
  EXPECT_GT(model.predict_probability(Vector::dense({1, 1})), 0.99);
}

TEST(LogisticRegression, OneClassGivesAnInfiniteIntercept) {
  auto ctx = brasa_test::make_context();
  std::vector<LabeledPoint> ones{{1, Vector::dense({1, 2})}, {1, Vector::dense({3, 4})}};
  auto model = LogisticRegression().fit(ctx->parallelize(ones, 1));
  EXPECT_EQ(model.intercept(), INFINITY);
  EXPECT_EQ(model.coefficients(), DenseVector::Zero(2));
  EXPECT_EQ(model.predict(Vector::dense({-5, -5})), 1.0);
}

TEST(LogisticRegression, BadInputGetsAClearError) {
  auto ctx = brasa_test::make_context();
  auto message = [&](std::vector<LabeledPoint> points, std::string family = "auto") -> std::string {
    try {
      LogisticRegression().family(family).fit(ctx->parallelize(points, 2));
    } catch (const std::exception& e) {
      return e.what();
    }
    return "no error";
  };
  auto points = logistic_data(20, 5);
  auto bad_label = points;
  bad_label[7].label = 2;
  EXPECT_NE(message(bad_label, "binomial").find("labels must be 0 or 1 (binary classification), found 2"),
            std::string::npos)
      << message(bad_label, "binomial");
  bad_label[7].label = 1.5;
  EXPECT_NE(message(bad_label).find("labels must be class indices 0, 1, 2, ..., found 1.5"), std::string::npos)
      << message(bad_label);
  EXPECT_THROW(LogisticRegression().family("poisson"), std::invalid_argument);
  auto nan = points;
  nan[7].features = Vector::dense({1, std::nan(""), 0, 0, 2});
  EXPECT_NE(message(nan).find("the point at position 7 of the input has a NaN or infinite value at feature 1"),
            std::string::npos)
      << message(nan);
  auto mixed = points;
  mixed[3].features = Vector::dense({1, 2});
  EXPECT_NE(message(mixed).find("different numbers of features (2 and 5)"), std::string::npos) << message(mixed);
  EXPECT_NE(message({}).find("no points"), std::string::npos);
  EXPECT_THROW(LogisticRegression().reg_param(-1), std::invalid_argument);
  EXPECT_THROW(LogisticRegression().elastic_net_param(1.5), std::invalid_argument);
  EXPECT_THROW(LogisticRegression().max_iter(-1), std::invalid_argument);
  EXPECT_THROW(LogisticRegression().threshold(2), std::invalid_argument);
  EXPECT_THROW(LogisticRegression().aggregation_depth(1), std::invalid_argument);
  auto model = LogisticRegression().max_iter(3).fit(ctx->parallelize(points, 2));
  EXPECT_THROW(model.predict(Vector::dense({1, 2})), std::invalid_argument);
}

// Blocks of 26 points spread over several partitions: the model's bits must
// not depend on how the input was partitioned.
TEST(LogisticRegression, SameBitsForAnyPartitioning) {
  auto ctx = brasa_test::make_context();
  auto points = logistic_data(2000, 6);
  std::vector<LogisticRegressionModel> models;
  for (int partitions : {1, 3, 8})
    models.push_back(LogisticRegression()
                         .reg_param(0.01)
                         .elastic_net_param(0.3)
                         .max_block_size_in_mb(0.001)
                         .fit(ctx->parallelize(points, partitions)));
  for (size_t m = 1; m < models.size(); ++m) {
    EXPECT_EQ(models[m].coefficients(), models[0].coefficients()) << "partitioning " << m;
    EXPECT_EQ(models[m].intercept(), models[0].intercept());
    EXPECT_EQ(models[m].objective_history(), models[0].objective_history());
  }
}

TEST(LogisticRegression, SameBitsInEveryMode) {
  SKIP_ON_CLUSTER("starts each master itself");
  auto points = logistic_data(1500, 7);
  std::vector<LogisticRegressionModel> models;
  for (const char* master : {"local[1]", "local[2]", "local-cluster[2,1]"}) {
    auto ctx = brasa_test::make_context(master);
    models.push_back(LogisticRegression().reg_param(0.02).max_block_size_in_mb(0.002).fit(ctx->parallelize(points, 4)));
  }
  for (size_t m = 1; m < models.size(); ++m) {
    EXPECT_EQ(models[m].coefficients(), models[0].coefficients()) << "master " << m;
    EXPECT_EQ(models[m].intercept(), models[0].intercept());
  }
}

TEST(LogisticRegressionModel, SavesAndLoads) {
  auto ctx = brasa_test::make_context();
  brasa_test::TempDir dir;
  auto model = LogisticRegression().reg_param(0.1).fit(ctx->parallelize(logistic_data(200, 8), 2));
  model.set_threshold(0.3);
  auto path = (dir.path() / "lr").string();
  model.save(path);
  auto back = LogisticRegressionModel::load(path);
  EXPECT_EQ(back.coefficients(), model.coefficients());
  EXPECT_EQ(back.intercept(), model.intercept());
  EXPECT_EQ(back.threshold(), 0.3);
  EXPECT_EQ(back.objective_history(), model.objective_history());
  EXPECT_EQ(back.total_iterations(), model.total_iterations());

  EXPECT_THROW(model.save(path), std::runtime_error);  // exists
  model.save(path, /*overwrite=*/true);

  auto expect_error = [&](const std::string& p, const std::string& expected) {
    try {
      LogisticRegressionModel::load(p);
      ADD_FAILURE() << "loaded " << p;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  expect_error((dir.path() / "missing").string(), "no model directory");
  {
    std::fstream f(path + "/data.bin", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3);
    f.put('\x7f');
  }
  expect_error(path, "data.bin is corrupt");
  std::filesystem::remove(path + "/metadata.json");
  expect_error(path, "metadata.json is missing");

  auto km_path = (dir.path() / "km").string();
  brasa::mllib::KMeansModel(DenseMatrix::Zero(2, 3)).save(km_path);
  expect_error(km_path, "holds a brasa.mllib.KMeansModel");
}

namespace {

// Three well-separated classes in 3 features, with labels from a softmax model.
std::vector<LabeledPoint> softmax_data(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  DenseMatrix b(3, 3);
  b << 1.0, -1.0, 0.5, -0.5, 2.0, 0.0, 0.0, 0.3, -1.5;
  const double c[] = {0.2, -0.1, 0.4};
  std::vector<LabeledPoint> out;
  for (int i = 0; i < n; ++i) {
    DenseVector x(3);
    x << normal(rng), 2 * normal(rng) + 1, 0.5 * normal(rng);
    DenseVector p = ((b * x).array() + Eigen::Map<const Eigen::Array3d>(c)).exp();
    p /= p.sum();
    double u = uniform(rng), label = 2;
    if (u < p[0]) {
      label = 0;
    } else if (u < p[0] + p[1]) {
      label = 1;
    }
    out.push_back({label, Vector::dense(x)});
  }
  return out;
}

// Spark's multinomial objective on the original coefficients (rows of b) and
// intercepts c, computed directly: (1/n) sum (lse(m) - m_y) + l2/2 sum (s_j b_kj)^2.
double softmax_objective(const std::vector<LabeledPoint>& points, const DenseMatrix& b, const DenseVector& c,
                         double l2, const DenseVector& s) {
  double loss = 0;
  for (const auto& p : points) {
    DenseVector m = b * p.features.to_dense() + c;
    loss += std::log(m.array().exp().sum()) - m[static_cast<int>(p.label)];
  }
  return loss / points.size() + 0.5 * l2 * (b * s.asDiagonal()).squaredNorm();
}

}  // namespace

// At the fitted model, the gradient of the objective (by central finite
// differences of a direct implementation) vanishes.
TEST(LogisticRegression, MultinomialIsAStationaryPointOfTheSoftmaxObjective) {
  auto ctx = brasa_test::make_context();
  auto points = softmax_data(600, 9);
  DenseMatrix x(points.size(), 3);
  for (size_t i = 0; i < points.size(); ++i) x.row(i) = points[i].features.to_dense().transpose();
  DenseVector sd = ((x.rowwise() - x.colwise().mean()).colwise().squaredNorm() / (points.size() - 1)).cwiseSqrt();
  for (double reg : {0.0, 0.05}) {
    auto model = LogisticRegression().reg_param(reg).tol(1e-12).max_iter(1000).fit(ctx->parallelize(points, 3));
    ASSERT_TRUE(model.is_multinomial());
    EXPECT_EQ(model.num_classes(), 3);
    EXPECT_THROW(model.coefficients(), std::logic_error);
    DenseMatrix b = model.coefficient_matrix();
    DenseVector c = model.intercept_vector();
    EXPECT_NEAR(c.sum(), 0.0, 1e-12) << "intercepts are centred";
    if (reg == 0) {
      EXPECT_LT(b.colwise().sum().norm(), 1e-12) << "coefficients are centred without regularisation";
    }
    const double h = 1e-5;
    for (int k = 0; k < 3; ++k) {
      for (int j = 0; j < 3; ++j) {
        DenseMatrix up = b, down = b;
        up(k, j) += h;
        down(k, j) -= h;
        double g = (softmax_objective(points, up, c, reg, sd) - softmax_objective(points, down, c, reg, sd)) / (2 * h);
        EXPECT_NEAR(g, 0.0, 1e-6) << "reg " << reg << " coefficient " << k << "," << j;
      }
      DenseVector up = c, down = c;
      up[k] += h;
      down[k] -= h;
      double g = (softmax_objective(points, b, up, reg, sd) - softmax_objective(points, b, down, reg, sd)) / (2 * h);
      EXPECT_NEAR(g, 0.0, 1e-6) << "reg " << reg << " intercept " << k;
    }
    EXPECT_NEAR(model.objective_history().back(), softmax_objective(points, b, c, reg, sd), 1e-9);
    DenseVector p = model.probabilities(points[0].features);
    EXPECT_NEAR(p.sum(), 1.0, 1e-12);
    Eigen::Index top;
    p.maxCoeff(&top);
    EXPECT_EQ(model.predict(points[0].features), static_cast<double>(top));
  }
}

TEST(LogisticRegression, MultinomialSavesLoadsAndPredictsClasses) {
  auto ctx = brasa_test::make_context();
  brasa_test::TempDir dir;
  auto points = softmax_data(300, 10);
  auto data = ctx->parallelize(points, 2);
  auto model = LogisticRegression().reg_param(0.01).elastic_net_param(0.5).fit(data);
  auto path = (dir.path() / "softmax").string();
  model.save(path);
  auto back = LogisticRegressionModel::load(path);
  EXPECT_TRUE(back.is_multinomial());
  EXPECT_EQ(back.coefficient_matrix(), model.coefficient_matrix());
  EXPECT_EQ(back.intercept_vector(), model.intercept_vector());
  auto pairs = model.prediction_and_labels(data).collect();
  ASSERT_EQ(pairs.size(), points.size());
  int right = 0;
  for (size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_EQ(pairs[i].first, model.predict(points[i].features));
    right += pairs[i].first == pairs[i].second;
  }
  EXPECT_GT(right, 180) << "better than chance (100 of 300)";
  // A binomial family forced on two classes, and multinomial on two classes.
  auto two = logistic_data(200, 11, false);
  auto binomial = LogisticRegression().fit(ctx->parallelize(two, 2));
  auto softmax2 = LogisticRegression().family("multinomial").fit(ctx->parallelize(two, 2));
  EXPECT_FALSE(binomial.is_multinomial());
  EXPECT_TRUE(softmax2.is_multinomial());
  // Without regularisation the two parametrisations give the same model:
  // b = b_1 - b_0 and c = c_1 - c_0.
  DenseVector diff = softmax2.coefficient_matrix().row(1) - softmax2.coefficient_matrix().row(0);
  EXPECT_TRUE(diff.isApprox(binomial.coefficients(), 1e-4)) << diff.transpose() << "\n" << binomial.coefficients().transpose();
  EXPECT_NEAR(softmax2.intercept_vector()[1] - softmax2.intercept_vector()[0], binomial.intercept(), 1e-4);
}
