#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>

#include "brasa/mllib/stat/statistics.h"
#include "test_util.h"

using brasa::mllib::ChiSqTestResult;
using brasa::mllib::ColumnSummary;
using brasa::mllib::DenseMatrix;
using brasa::mllib::DenseVector;
using brasa::mllib::LabeledPoint;
using brasa::mllib::Vector;
using brasa::mllib::chi_sq_test;
using brasa::mllib::corr;
using brasa::mllib::regularized_gamma_q;
using brasa::mllib::summarize;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

DenseVector vec(std::initializer_list<double> values) {
  return Eigen::Map<const DenseVector>(values.begin(), static_cast<Eigen::Index>(values.size()));
}

// Dense, sparse, dense, sparse: 4 columns, the second all zeros, the
// fourth negative where present (and absent from the second row).
std::vector<Vector> worked_rows() {
  return {Vector::dense({1, 0, -2, -1}), Vector::sparse(4, {0, 2}, {3, 4}), Vector::dense({-1, 0, 0, -3}),
          Vector::sparse(4, {2, 3}, {6, -2})};
}

void expect_vector_near(const DenseVector& actual, const DenseVector& expected, double tol, const char* what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (Eigen::Index j = 0; j < expected.size(); ++j) {
    if (std::isnan(expected[j])) {
      EXPECT_TRUE(std::isnan(actual[j])) << what << "[" << j << "] = " << actual[j];
    } else {
      EXPECT_NEAR(actual[j], expected[j], tol * std::max(1.0, std::abs(expected[j]))) << what << "[" << j << "]";
    }
  }
}

void expect_matrix_near(const DenseMatrix& actual, const DenseMatrix& expected, double tol) {
  ASSERT_EQ(actual.rows(), expected.rows());
  ASSERT_EQ(actual.cols(), expected.cols());
  for (Eigen::Index i = 0; i < expected.rows(); ++i)
    for (Eigen::Index j = 0; j < expected.cols(); ++j) {
      if (std::isnan(expected(i, j))) {
        EXPECT_TRUE(std::isnan(actual(i, j))) << "(" << i << ", " << j << ") = " << actual(i, j);
      } else {
        EXPECT_NEAR(actual(i, j), expected(i, j), tol) << "(" << i << ", " << j << ")";
      }
    }
}

// The weighted summary by its definitions, two passes over dense rows.
ColumnSummary direct_summary(const std::vector<Vector>& rows, const std::vector<double>& weights) {
  const int d = rows[0].size();
  ColumnSummary s;
  double w_sq = 0;
  s.sum = s.num_nonzeros = s.norm_l1 = s.norm_l2 = DenseVector::Zero(d);
  s.max = DenseVector::Constant(d, -std::numeric_limits<double>::infinity());
  s.min = -s.max;
  for (size_t i = 0; i < rows.size(); ++i) {
    const double w = weights[i];
    if (w == 0) continue;
    const DenseVector x = rows[i].to_dense();
    ++s.count;
    s.weight_sum += w;
    w_sq += w * w;
    s.sum += w * x;
    s.norm_l1 += w * x.cwiseAbs();
    s.norm_l2 += w * x.cwiseProduct(x);
    s.max = s.max.cwiseMax(x);
    s.min = s.min.cwiseMin(x);
    for (int j = 0; j < d; ++j) s.num_nonzeros[j] += x[j] != 0;
  }
  s.mean = s.sum / s.weight_sum;
  s.norm_l2 = s.norm_l2.cwiseSqrt();
  DenseVector m2 = DenseVector::Zero(d);
  for (size_t i = 0; i < rows.size(); ++i)
    if (weights[i] != 0) m2 += weights[i] * (rows[i].to_dense() - s.mean).cwiseAbs2();
  s.variance = m2 / (s.weight_sum - w_sq / s.weight_sum);
  s.std_dev = s.variance.cwiseSqrt();
  return s;
}

void expect_summary_near(const ColumnSummary& a, const ColumnSummary& e, double tol) {
  EXPECT_EQ(a.count, e.count);
  EXPECT_NEAR(a.weight_sum, e.weight_sum, tol * e.weight_sum);
  expect_vector_near(a.mean, e.mean, tol, "mean");
  expect_vector_near(a.sum, e.sum, tol, "sum");
  expect_vector_near(a.variance, e.variance, tol, "variance");
  expect_vector_near(a.std_dev, e.std_dev, tol, "std_dev");
  expect_vector_near(a.num_nonzeros, e.num_nonzeros, 0, "num_nonzeros");
  expect_vector_near(a.max, e.max, 0, "max");
  expect_vector_near(a.min, e.min, 0, "min");
  expect_vector_near(a.norm_l1, e.norm_l1, tol, "norm_l1");
  expect_vector_near(a.norm_l2, e.norm_l2, tol, "norm_l2");
}

// Pearson's correlation of two columns by its definition (NaN for a constant one).
double direct_pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  double c = 0, va = 0, vb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    c += (a[i] - ma) * (b[i] - mb);
    va += (a[i] - ma) * (a[i] - ma);
    vb += (b[i] - mb) * (b[i] - mb);
  }
  return va == 0 || vb == 0 ? kNaN : c / std::sqrt(va * vb);
}

// 1-based ranks, ties averaged.
std::vector<double> direct_ranks(const std::vector<double>& a) {
  std::vector<double> r(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    double less = 0, equal = 0;
    for (double b : a) {
      less += b < a[i];
      equal += b == a[i];
    }
    r[i] = less + (equal + 1) / 2;
  }
  return r;
}

std::vector<std::vector<double>> columns_of(const std::vector<Vector>& rows) {
  std::vector<std::vector<double>> cols(static_cast<size_t>(rows[0].size()));
  for (const auto& r : rows)
    for (int j = 0; j < r.size(); ++j) cols[static_cast<size_t>(j)].push_back(r[j]);
  return cols;
}

DenseMatrix direct_corr(const std::vector<Vector>& rows, bool spearman) {
  auto cols = columns_of(rows);
  if (spearman)
    for (auto& c : cols) c = direct_ranks(c);
  const auto d = static_cast<Eigen::Index>(cols.size());
  DenseMatrix m(d, d);
  for (Eigen::Index i = 0; i < d; ++i)
    for (Eigen::Index j = 0; j < d; ++j)
      m(i, j) = i == j ? 1.0 : direct_pearson(cols[static_cast<size_t>(i)], cols[static_cast<size_t>(j)]);
  return m;
}

// Q(n, x) for a whole n: e^-x sum_{i<n} x^i / i!.
double q_of_whole(int n, double x) {
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += std::exp(i * std::log(x) - x - std::lgamma(i + 1.0));
  return sum;
}

// Q(n + 1/2, x): erfc(sqrt x) + e^-x sum_{i<n} x^(i+1/2) / Γ(i + 3/2).
double q_of_half(int n, double x) {
  double sum = std::erfc(std::sqrt(x));
  for (int i = 0; i < n; ++i) sum += std::exp((i + 0.5) * std::log(x) - x - std::lgamma(i + 1.5));
  return sum;
}

}  // namespace

// Worked by hand: column 0 is 1, 3, -1, 0 (mean 0.75, squared deviations
// 8.75); column 2 is -2, 4, 0, 6 (mean 2, 40); column 3 is -1, 0, -3, -2
// (mean -1.5, 5), its 0 an absent entry.
TEST(Statistics, SummarizeWorkedExample) {
  auto ctx = brasa_test::make_context();
  for (int parts : {1, 2, 3}) {
    ColumnSummary s = summarize(ctx->parallelize(worked_rows(), parts));
    EXPECT_EQ(s.count, 4);
    EXPECT_EQ(s.weight_sum, 4);
    expect_vector_near(s.mean, vec({0.75, 0, 2, -1.5}), 1e-15, "mean");
    expect_vector_near(s.sum, vec({3, 0, 8, -6}), 1e-15, "sum");
    expect_vector_near(s.variance, vec({8.75 / 3, 0, 40.0 / 3, 5.0 / 3}), 1e-14, "variance");
    expect_vector_near(s.std_dev, vec({std::sqrt(8.75 / 3), 0, std::sqrt(40.0 / 3), std::sqrt(5.0 / 3)}), 1e-14,
                       "std_dev");
    expect_vector_near(s.num_nonzeros, vec({3, 0, 3, 3}), 0, "num_nonzeros");
    expect_vector_near(s.max, vec({3, 0, 6, 0}), 0, "max");
    expect_vector_near(s.min, vec({-1, 0, -2, -3}), 0, "min");
    expect_vector_near(s.norm_l1, vec({5, 0, 12, 6}), 1e-15, "norm_l1");
    expect_vector_near(s.norm_l2, vec({std::sqrt(11.0), 0, std::sqrt(56.0), std::sqrt(14.0)}), 1e-15, "norm_l2");
  }
}

// Weights 1, 2, 0, 0.5: the third row is left out altogether (count, the
// counts of non-zeros, max and min); W = 3.5, sum w^2 = 5.25, so the
// variance's denominator is 3.5 - 1.5 = 2.
TEST(Statistics, SummarizeWeighted) {
  auto ctx = brasa_test::make_context();
  const auto rows = worked_rows();
  const std::vector<double> weights{1, 2, 0, 0.5};
  std::vector<std::pair<Vector, double>> weighted;
  for (size_t i = 0; i < rows.size(); ++i) weighted.emplace_back(rows[i], weights[i]);
  ColumnSummary s = summarize(ctx->parallelize(weighted, 2));
  expect_summary_near(s, direct_summary(rows, weights), 1e-14);
  EXPECT_EQ(s.count, 3);
  // Column 0 by hand: values 1, 3, 0 with weights 1, 2, 0.5: mean 7 / 3.5 = 2,
  // sum w (x - 2)^2 = 1 + 2 + 2 = 5, variance 5 / 2.
  EXPECT_DOUBLE_EQ(s.mean[0], 2.0);
  EXPECT_DOUBLE_EQ(s.variance[0], 2.5);
  EXPECT_EQ(s.max[3], 0.0);
  EXPECT_EQ(s.min[3], -2.0);
  EXPECT_EQ(s.num_nonzeros[3], 2.0);
}

// Random dense and sparse rows around a large offset, over several
// partitions: the merged moments match a two-pass computation.
TEST(Statistics, SummarizeMatchesTwoPassOnRandomData) {
  auto ctx = brasa_test::make_context();
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<Vector> rows;
  std::vector<double> weights;
  std::vector<std::pair<Vector, double>> weighted;
  for (int i = 0; i < 500; ++i) {
    std::vector<int32_t> idx;
    std::vector<double> val;
    for (int j = 0; j < 6; ++j)
      if (u(rng) > -0.3) {
        idx.push_back(j);
        val.push_back((j == 5 ? 1e6 : 0.0) + u(rng) * (j + 1));
      }
    Vector x = Vector::sparse(6, idx, val);
    rows.push_back(i % 2 ? x : Vector::dense(x.to_dense()));
    weights.push_back(i % 7 == 0 ? 0.0 : 0.5 + (u(rng) + 1));
    weighted.emplace_back(rows.back(), weights.back());
  }
  expect_summary_near(summarize(ctx->parallelize(weighted, 5)), direct_summary(rows, weights), 1e-9);
  expect_summary_near(summarize(ctx->parallelize(rows, 4)), direct_summary(rows, std::vector<double>(rows.size(), 1.0)),
                      1e-9);
}

TEST(Statistics, SummarizeOneRowAndErrors) {
  auto ctx = brasa_test::make_context();
  ColumnSummary one = summarize(ctx->parallelize(std::vector<Vector>{Vector::dense({2, -3})}, 1));
  expect_vector_near(one.variance, vec({0, 0}), 0, "variance");  // W - sum w^2 / W = 0
  expect_vector_near(one.mean, vec({2, -3}), 0, "mean");
  EXPECT_THROW(summarize(ctx->parallelize(std::vector<Vector>{}, 2)), std::invalid_argument);
  EXPECT_THROW(summarize(ctx->parallelize(std::vector<Vector>{Vector::dense({1, 2}), Vector::dense({1, 2, 3})}, 2)),
               std::invalid_argument);
  EXPECT_THROW(summarize(ctx->parallelize(std::vector<Vector>{Vector::dense({1, 2}), Vector::dense({1, 2, 3})}, 1)),
               std::invalid_argument);
  using Weighted = std::vector<std::pair<Vector, double>>;
  EXPECT_THROW(summarize(ctx->parallelize(Weighted{{Vector::dense({1}), 1.0}, {Vector::dense({2}), -1.0}}, 1)),
               std::invalid_argument);
  EXPECT_THROW(summarize(ctx->parallelize(Weighted{{Vector::dense({1}), 0.0}}, 1)), std::invalid_argument);
}

// Spark's CorrelationSuite data, whose expected values R gave; the third
// column is constant.
TEST(Statistics, PearsonAndSpearmanOfSparksExample) {
  auto ctx = brasa_test::make_context();
  std::vector<Vector> rows{Vector::dense({1, 0, 0, -2}), Vector::dense({4, 5, 0, 3}), Vector::dense({6, 7, 0, 8}),
                           Vector::sparse(4, {0, 3}, {9, 1})};
  DenseMatrix pearson(4, 4), spearman(4, 4);
  pearson << 1, 0.05564149, kNaN, 0.4004714, 0.05564149, 1, kNaN, 0.9135959, kNaN, kNaN, 1, kNaN, 0.4004714, 0.9135959,
      kNaN, 1;
  spearman << 1, 0.1054093, kNaN, 0.4, 0.1054093, 1, kNaN, 0.9486833, kNaN, kNaN, 1, kNaN, 0.4, 0.9486833, kNaN, 1;
  for (int parts : {1, 3}) {
    auto data = ctx->parallelize(rows, parts);
    expect_matrix_near(corr(data), pearson, 1e-7);
    expect_matrix_near(corr(data, "pearson"), direct_corr(rows, false), 1e-14);
    expect_matrix_near(corr(data, "spearman"), spearman, 1e-7);
    expect_matrix_near(corr(data, "spearman"), direct_corr(rows, true), 1e-14);
  }
  auto x = ctx->parallelize(std::vector<double>{1, 0, -2}, 2);
  auto y = ctx->parallelize(std::vector<double>{4, 5, 3}, 2);
  EXPECT_NEAR(corr(x, y), 0.6546537, 1e-7);
  EXPECT_NEAR(corr(x, y, "spearman"), 0.5, 1e-14);
  auto constant = ctx->parallelize(std::vector<double>{2, 2, 2}, 2);
  EXPECT_TRUE(std::isnan(corr(x, constant)));
  EXPECT_THROW(corr(ctx->parallelize(rows, 1), "kendall"), std::invalid_argument);
  EXPECT_THROW(corr(ctx->parallelize(std::vector<Vector>{Vector::dense({1, 2})}, 1)), std::invalid_argument);
  EXPECT_THROW(corr(ctx->parallelize(std::vector<Vector>{Vector::dense({1, 2}), Vector::dense({1})}, 2)),
               std::invalid_argument);
}

// Ties (small integers) in dense and sparse rows over several partitions:
// Spearman is Pearson's of the average ranks.
TEST(Statistics, SpearmanAveragesTiedRanks) {
  auto ctx = brasa_test::make_context();
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> small(0, 4);
  std::vector<Vector> rows;
  for (int i = 0; i < 200; ++i) {
    const double a = small(rng), b = small(rng);
    const double c = a + small(rng) / 2.0, d = i % 3 == 0 ? 0.0 : -b;  // correlated with a and b
    Vector x = Vector::dense({a, b, c, d});
    rows.push_back(i % 2 ? x.to_sparse() : x);
  }
  const DenseMatrix expected = direct_corr(rows, true);
  EXPECT_GT(expected(0, 2), 0.5);
  EXPECT_LT(expected(1, 3), -0.5);
  for (int parts : {1, 4, 7}) expect_matrix_near(corr(ctx->parallelize(rows, parts), "spearman"), expected, 1e-12);
  expect_matrix_near(corr(ctx->parallelize(rows, 4), "pearson"), direct_corr(rows, false), 1e-12);
}

// A variance of at most 1e-12 counts as none (Spark's tolerance): NaN off
// the diagonal. Values around 1e9 are no trouble to the merged co-moments.
TEST(Statistics, PearsonToleranceAndLargeOffsets) {
  auto ctx = brasa_test::make_context();
  std::vector<Vector> rows{Vector::dense({1, 1e9 + 1, 1, 5}), Vector::dense({2, 1e9 + 3, 1 + 1e-7, 4}),
                           Vector::dense({3, 1e9 + 2, 1, 6}), Vector::dense({4, 1e9 + 5, 1, 7})};
  DenseMatrix r = corr(ctx->parallelize(rows, 2));
  DenseMatrix expected = direct_corr(rows, false);
  for (int i = 0; i < 4; ++i)
    if (i != 2) expected(i, 2) = expected(2, i) = kNaN;
  expect_matrix_near(r, expected, 1e-12);
  // Deviations -1.5, -0.5, 0.5, 1.5 and -1.75, 0.25, -0.75, 2.25: 5.5 / sqrt(5 * 8.75).
  EXPECT_NEAR(r(0, 1), 5.5 / std::sqrt(5 * 8.75), 1e-12);
}

TEST(Statistics, RegularizedGammaQAgainstClosedForms) {
  for (double x : {1e-3, 0.1, 0.5, 1.0, 1.5, 2.0, 5.0, 10.0, 30.0}) {
    EXPECT_NEAR(regularized_gamma_q(1, x), std::exp(-x), 1e-10 * std::exp(-x)) << x;
    EXPECT_NEAR(regularized_gamma_q(0.5, x), std::erfc(std::sqrt(x)), 1e-10 * std::erfc(std::sqrt(x))) << x;
    EXPECT_NEAR(regularized_gamma_q(1.5, x), q_of_half(1, x), 1e-10 * q_of_half(1, x)) << x;
    EXPECT_NEAR(regularized_gamma_q(2, x), std::exp(-x) * (1 + x), 1e-10 * std::exp(-x) * (1 + x)) << x;
  }
  for (int n : {3, 10, 50})
    for (double x : {0.5, 5.0, 10.0, 40.0, 50.0, 60.0, 100.0}) {
      EXPECT_NEAR(regularized_gamma_q(n, x), q_of_whole(n, x), 1e-10 * q_of_whole(n, x)) << n << " " << x;
      EXPECT_NEAR(regularized_gamma_q(n + 0.5, x), q_of_half(n, x), 1e-10 * q_of_half(n, x)) << n + 0.5 << " " << x;
    }
  // Tables' chi-squared critical values: P(X > c) for 1, 5 and 10 degrees of freedom.
  EXPECT_NEAR(regularized_gamma_q(0.5, 3.841458820694124 / 2), 0.05, 1e-12);
  EXPECT_NEAR(regularized_gamma_q(2.5, 11.070497693516351 / 2), 0.05, 1e-12);
  EXPECT_NEAR(regularized_gamma_q(5, 23.209251158954356 / 2), 0.01, 1e-12);
  EXPECT_EQ(regularized_gamma_q(3, 0), 1.0);
  EXPECT_EQ(regularized_gamma_q(3, std::numeric_limits<double>::infinity()), 0.0);
  EXPECT_TRUE(std::isnan(regularized_gamma_q(3, kNaN)));
  EXPECT_THROW(regularized_gamma_q(0, 1), std::invalid_argument);
  EXPECT_THROW(regularized_gamma_q(1, -1), std::invalid_argument);
}

// Spark's ChiSqTestSuite examples (R's chisq.test), the statistics worked here.
TEST(Statistics, ChiSquaredGoodnessOfFit) {
  // Uniform: expected 5 each; (1 + 1 + 0) / 5 = 0.4, df 2, p = e^-0.2.
  ChiSqTestResult uniform = chi_sq_test(vec({4, 6, 5}));
  EXPECT_DOUBLE_EQ(uniform.statistic, 0.4);
  EXPECT_EQ(uniform.degrees_of_freedom, 2);
  EXPECT_NEAR(uniform.p_value, std::exp(-0.2), 1e-12);
  EXPECT_NEAR(uniform.p_value, 0.8187, 1e-4);
  EXPECT_EQ(uniform.method, "pearson");
  EXPECT_EQ(uniform.null_hypothesis, "observed follows the same distribution as expected.");
  // Expected rescaled by 182 / 35 = 5.2.
  ChiSqTestResult fit = chi_sq_test(vec({21, 38, 43, 80}), vec({3, 5, 7, 20}));
  double statistic = 0;
  const double observed[] = {21, 38, 43, 80}, expected[] = {3, 5, 7, 20};
  for (int i = 0; i < 4; ++i) statistic += std::pow(observed[i] - 5.2 * expected[i], 2) / (5.2 * expected[i]);
  EXPECT_NEAR(fit.statistic, statistic, 1e-12);
  EXPECT_NEAR(fit.statistic, 14.1429, 1e-4);
  EXPECT_EQ(fit.degrees_of_freedom, 3);
  EXPECT_NEAR(fit.p_value, q_of_half(1, statistic / 2), 1e-14);
  EXPECT_NEAR(fit.p_value, 0.002717, 1e-6);
  // Expected 0 where something was observed: infinite statistic.
  ChiSqTestResult impossible = chi_sq_test(vec({1, 2}), vec({0, 3}));
  EXPECT_EQ(impossible.statistic, std::numeric_limits<double>::infinity());
  EXPECT_EQ(impossible.p_value, 0.0);
  EXPECT_EQ(impossible.degrees_of_freedom, 1);
  EXPECT_THROW(chi_sq_test(vec({0, 2}), vec({0, 3})), std::invalid_argument);
  EXPECT_THROW(chi_sq_test(vec({1, 2}), vec({1, 2, 3})), std::invalid_argument);
  EXPECT_THROW(chi_sq_test(vec({-1, 2})), std::invalid_argument);
  EXPECT_THROW(chi_sq_test(vec({1})), std::invalid_argument);
}

TEST(Statistics, ChiSquaredIndependenceOfAMatrix) {
  DenseMatrix counts(3, 4);
  counts << 40, 56, 31, 30, 24, 32, 10, 15, 29, 42, 0, 12;
  ChiSqTestResult r = chi_sq_test(counts);
  const DenseVector rows = counts.rowwise().sum(), cols = counts.colwise().sum().transpose();
  double statistic = 0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) {
      const double e = rows[i] * cols[j] / counts.sum();
      statistic += (counts(i, j) - e) * (counts(i, j) - e) / e;
    }
  EXPECT_NEAR(r.statistic, statistic, 1e-12);
  EXPECT_NEAR(r.statistic, 21.9958, 1e-4);
  EXPECT_EQ(r.degrees_of_freedom, 6);
  EXPECT_NEAR(r.p_value, q_of_whole(3, statistic / 2), 1e-14);
  EXPECT_NEAR(r.p_value, 0.001213, 1e-6);
  EXPECT_EQ(r.null_hypothesis, "the occurrence of the outcomes is statistically independent.");
  DenseMatrix zero_row(2, 2);
  zero_row << 1, 2, 0, 0;
  EXPECT_THROW(chi_sq_test(zero_row), std::invalid_argument);
}

// Spark's example: feature 0 takes 0.5 (labels 0), 1.5 (0, 1), 3.5 (0, 0, 1):
// statistic 1/6 + 1/3 + 1/12 + 1/6 + 0 + 0 = 0.75 with df 2; feature 1 takes
// 10 (0), 20 (0), 30 (1, 0), 40 (0, 1): statistic 1.5 with df 3.
TEST(Statistics, ChiSquaredTestOfEachFeature) {
  auto ctx = brasa_test::make_context();
  std::vector<LabeledPoint> points{{0, Vector::dense({0.5, 10})}, {0, Vector::dense({1.5, 20})},
                                   {1, Vector::dense({1.5, 30})}, {0, Vector::dense({3.5, 30})},
                                   {0, Vector::dense({3.5, 40})}, {1, Vector::dense({3.5, 40})}};
  for (int parts : {1, 2, 4}) {
    auto results = chi_sq_test(ctx->parallelize(points, parts));
    ASSERT_EQ(results.size(), 2u);
    EXPECT_NEAR(results[0].statistic, 0.75, 1e-14);
    EXPECT_EQ(results[0].degrees_of_freedom, 2);
    EXPECT_NEAR(results[0].p_value, std::exp(-0.375), 1e-14);
    EXPECT_NEAR(results[1].statistic, 1.5, 1e-14);
    EXPECT_EQ(results[1].degrees_of_freedom, 3);
    EXPECT_NEAR(results[1].p_value, q_of_half(1, 0.75), 1e-14);
    EXPECT_NEAR(results[1].p_value, 0.6823, 1e-4);
  }
  // Sparse rows with zeros (absent or explicit) give the same tables as dense ones.
  std::vector<LabeledPoint> dense, sparse;
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> category(0, 2);
  for (int i = 0; i < 300; ++i) {
    const double label = category(rng);
    const double a = category(rng), b = label == 2 ? 0.0 : category(rng);
    const DenseVector x = vec({a, b, 0.0});
    dense.push_back({label, Vector::dense(x)});
    sparse.push_back({label, i % 3 ? Vector::dense(x).to_sparse() : Vector::dense(x)});
  }
  auto a = chi_sq_test(ctx->parallelize(dense, 3));
  auto b = chi_sq_test(ctx->parallelize(sparse, 2));
  ASSERT_EQ(b.size(), 3u);
  for (int j = 0; j < 3; ++j) {
    EXPECT_NEAR(a[j].statistic, b[j].statistic, 1e-9);
    EXPECT_EQ(a[j].degrees_of_freedom, b[j].degrees_of_freedom);
  }
  EXPECT_EQ(b[0].degrees_of_freedom, 4);
  EXPECT_GT(b[1].statistic, 50);  // feature 1 is 0 whenever the label is 2
  // A feature that is 0 everywhere: one value, so df 0, p 1, statistic 0.
  EXPECT_EQ(b[2].degrees_of_freedom, 0);
  EXPECT_EQ(b[2].statistic, 0.0);
  EXPECT_EQ(b[2].p_value, 1.0);
  // Spark's check on the number of features (its SPARK-3087 case).
  auto wide = chi_sq_test(ctx->parallelize(
      std::vector<LabeledPoint>{{0, Vector::sparse(1001, {100}, {2})}, {0.1, Vector::sparse(1001, {200}, {1})}}, 2));
  ASSERT_EQ(wide.size(), 1001u);
  EXPECT_EQ(wide[1000].degrees_of_freedom, 0);
  EXPECT_EQ(wide[100].degrees_of_freedom, 1);
  EXPECT_NEAR(wide[100].statistic, 2.0, 1e-14);  // a 2 x 2 diagonal table of ones
}

TEST(Statistics, ChiSquaredRejectsContinuousData) {
  auto ctx = brasa_test::make_context();
  std::vector<LabeledPoint> continuous_label, continuous_feature;
  for (int i = 0; i < 10001; ++i) {
    continuous_label.push_back({i / 10001.0, Vector::dense({static_cast<double>(i % 2)})});
    continuous_feature.push_back({static_cast<double>(i % 2), Vector::dense({1.0 + i / 10001.0})});
  }
  EXPECT_THROW(chi_sq_test(ctx->parallelize(continuous_label, 2)), std::invalid_argument);
  EXPECT_THROW(chi_sq_test(ctx->parallelize(continuous_feature, 2)), std::invalid_argument);
  EXPECT_THROW(chi_sq_test(ctx->parallelize(std::vector<LabeledPoint>{}, 2)), std::invalid_argument);
  EXPECT_THROW(chi_sq_test(ctx->parallelize(
                   std::vector<LabeledPoint>{{0, Vector::dense({1, 2})}, {1, Vector::dense({1})}}, 2)),
               std::invalid_argument);
  // Exactly 10000 distinct values is allowed.
  continuous_feature.pop_back();
  EXPECT_EQ(chi_sq_test(ctx->parallelize(continuous_feature, 2))[0].degrees_of_freedom, 9999);
}
