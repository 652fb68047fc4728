#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <cmath>
#include <random>

#include "brasa/mllib/feature/pca.h"
#include "brasa/mllib/linalg/row_matrix.h"
#include "test_util.h"

using brasa::mllib::DenseMatrix;
using brasa::mllib::DenseVector;
using brasa::mllib::PCA;
using brasa::mllib::PCAModel;
using brasa::mllib::RowMatrix;
using brasa::mllib::Vector;

namespace row_matrix_test {

// Spark's RowMatrixSuite matrix (4 x 3), dense and sparse.
std::vector<Vector> dense_rows() {
  return {Vector::dense({0, 1, 2}), Vector::dense({3, 4, 5}), Vector::dense({6, 7, 8}), Vector::dense({9, 0, 1})};
}
std::vector<Vector> sparse_rows() {
  return {Vector::sparse(3, {1, 2}, {1, 2}), Vector::sparse(3, {0, 1, 2}, {3, 4, 5}),
          Vector::sparse(3, {0, 1, 2}, {6, 7, 8}), Vector::sparse(3, {0, 2}, {9, 1})};
}

DenseMatrix to_matrix(const std::vector<Vector>& rows) {
  DenseMatrix a(static_cast<Eigen::Index>(rows.size()), rows.empty() ? 0 : rows[0].size());
  for (size_t i = 0; i < rows.size(); ++i) a.row(static_cast<Eigen::Index>(i)) = rows[i].to_dense().transpose();
  return a;
}

DenseMatrix covariance_of(const DenseMatrix& a) {
  DenseMatrix centered = a.rowwise() - a.colwise().mean();
  return centered.transpose() * centered / static_cast<double>(a.rows() - 1);
}

void expect_matrix_near(const DenseMatrix& actual, const DenseMatrix& expected, double tol) {
  ASSERT_EQ(actual.rows(), expected.rows());
  ASSERT_EQ(actual.cols(), expected.cols());
  for (Eigen::Index i = 0; i < expected.rows(); ++i)
    for (Eigen::Index j = 0; j < expected.cols(); ++j)
      EXPECT_NEAR(actual(i, j), expected(i, j), tol) << "(" << i << ", " << j << ")";
}

// Columns equal up to their signs.
void expect_columns_near_up_to_sign(const DenseMatrix& actual, const DenseMatrix& expected, double tol) {
  ASSERT_EQ(actual.rows(), expected.rows());
  ASSERT_EQ(actual.cols(), expected.cols());
  for (Eigen::Index j = 0; j < expected.cols(); ++j) {
    const double sign = actual.col(j).dot(expected.col(j)) < 0 ? -1.0 : 1.0;
    for (Eigen::Index i = 0; i < expected.rows(); ++i)
      EXPECT_NEAR(sign * actual(i, j), expected(i, j), tol) << "(" << i << ", " << j << ")";
  }
}

void expect_vector_near(const DenseVector& actual, const DenseVector& expected, double tol) {
  ASSERT_EQ(actual.size(), expected.size());
  for (Eigen::Index i = 0; i < expected.size(); ++i) EXPECT_NEAR(actual[i], expected[i], tol) << "[" << i << "]";
}

// m rows of n columns with well separated variances (scales n, n-1, ...),
// column offsets, and every third row sparse with some zeros.
std::vector<Vector> random_rows(int m, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0, 1);
  std::vector<Vector> rows;
  for (int i = 0; i < m; ++i) {
    std::vector<double> x(static_cast<size_t>(n));
    for (int j = 0; j < n; ++j) x[static_cast<size_t>(j)] = (n - j) * normal(rng) + 0.5 * j;
    if (i % 3 == 0) {
      std::vector<int32_t> idx;
      std::vector<double> val;
      for (int j = 0; j < n; ++j)
        if (j % 2 == 0 || i % 2 == 0) {
          idx.push_back(j);
          val.push_back(x[static_cast<size_t>(j)]);
        }
      rows.push_back(Vector::sparse(n, idx, val));
    } else {
      rows.push_back(Vector::dense(x));
    }
  }
  return rows;
}

DenseVector vec(std::initializer_list<double> values) {
  return Eigen::Map<const DenseVector>(values.begin(), static_cast<Eigen::Index>(values.size()));
}

}  // namespace row_matrix_test
using namespace row_matrix_test;

TEST(RowMatrix, SizesComeFromTheDataOrTheConstructor) {
  auto ctx = brasa_test::make_context();
  RowMatrix a(ctx->parallelize(dense_rows(), 2));
  EXPECT_EQ(a.num_rows(), 4);
  EXPECT_EQ(a.num_cols(), 3);
  RowMatrix given(ctx->parallelize(dense_rows(), 2), 10, 7);
  EXPECT_EQ(given.num_rows(), 10);
  EXPECT_EQ(given.num_cols(), 7);
  RowMatrix empty(ctx->parallelize(std::vector<Vector>{}, 2));
  EXPECT_THROW(empty.num_rows(), std::invalid_argument);
  EXPECT_THROW(empty.num_cols(), std::invalid_argument);
  auto s = a.compute_column_summary_statistics();
  expect_vector_near(s.mean, vec({4.5, 3, 4}), 1e-12);
}

TEST(RowMatrix, GramMatrixOfSparksExample) {
  auto ctx = brasa_test::make_context();
  DenseMatrix expected(3, 3);
  expected << 126, 54, 72, 54, 66, 78, 72, 78, 94;
  for (const auto& rows : {dense_rows(), sparse_rows()})
    for (int parts : {1, 3}) {
      SCOPED_TRACE(parts);
      expect_matrix_near(RowMatrix(ctx->parallelize(rows, parts)).compute_gram_matrix(), expected, 1e-12);
    }
}

TEST(RowMatrix, GramAndCovarianceMatchEigenOnRandomData) {
  auto ctx = brasa_test::make_context();
  auto rows = random_rows(700, 6, 11);  // more rows per partition than one rank update takes
  DenseMatrix a = to_matrix(rows);
  RowMatrix m(ctx->parallelize(rows, 3));
  expect_matrix_near(m.compute_gram_matrix(), a.transpose() * a, 1e-8);
  expect_matrix_near(m.compute_covariance(), covariance_of(a), 1e-10);
}

TEST(RowMatrix, CovarianceOfMostlyZeroRowsMatchesEigen) {
  auto ctx = brasa_test::make_context();
  // Every row at least half zeros: Spark's sparse formula, the same covariance.
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(-2, 2);
  std::vector<Vector> rows;
  for (int i = 0; i < 300; ++i) {
    int a = i % 6, b = (i + 2) % 6;
    if (a > b) std::swap(a, b);
    rows.push_back(Vector::sparse(6, {a, b}, {u(rng), u(rng)}));
  }
  RowMatrix m(ctx->parallelize(rows, 4));
  expect_matrix_near(m.compute_covariance(), covariance_of(to_matrix(rows)), 1e-10);
  // Spark's example: the same covariance dense or sparse.
  DenseMatrix expected(3, 3);
  expected << 15, 0, 0, 0, 10, 10, 0, 10, 10;
  expect_matrix_near(RowMatrix(ctx->parallelize(dense_rows(), 2)).compute_covariance(), expected, 1e-12);
  expect_matrix_near(RowMatrix(ctx->parallelize(sparse_rows(), 2)).compute_covariance(), expected, 1e-12);
}

TEST(RowMatrix, PrincipalComponentsOfSparksExample) {
  auto ctx = brasa_test::make_context();
  DenseMatrix expected(3, 3);
  const double h = std::sqrt(2.0) / 2;
  expected << 0, 1, 0, h, 0, h, h, 0, -h;
  for (const auto& rows : {dense_rows(), sparse_rows()}) {
    RowMatrix m(ctx->parallelize(rows, 2));
    auto pca = m.compute_pca(3);
    expect_columns_near_up_to_sign(pca.pc, expected, 1e-9);
    expect_vector_near(pca.explained_variance, vec({4.0 / 7, 3.0 / 7, 0}), 1e-12);
    auto top = m.compute_pca(2);
    expect_columns_near_up_to_sign(top.pc, expected.leftCols(2), 1e-9);
    expect_vector_near(top.explained_variance, vec({4.0 / 7, 3.0 / 7}), 1e-12);  // shares of all 3
    expect_columns_near_up_to_sign(m.compute_principal_components(1), expected.leftCols(1), 1e-9);
  }
}

TEST(RowMatrix, PrincipalComponentsMatchEigenOnRandomData) {
  auto ctx = brasa_test::make_context();
  auto rows = random_rows(400, 5, 3);
  DenseMatrix cov = covariance_of(to_matrix(rows));
  Eigen::SelfAdjointEigenSolver<DenseMatrix> solver(cov);
  // Eigen's are ascending: reverse.
  DenseMatrix expected = solver.eigenvectors().rowwise().reverse().leftCols(3);
  DenseVector values = solver.eigenvalues().reverse();
  auto pca = RowMatrix(ctx->parallelize(rows, 3)).compute_pca(3);
  expect_columns_near_up_to_sign(pca.pc, expected, 1e-8);
  expect_vector_near(pca.explained_variance, values.head(3) / values.sum(), 1e-12);
}

TEST(RowMatrix, SvdMatchesEigensSvd) {
  auto ctx = brasa_test::make_context();
  auto rows = random_rows(300, 5, 7);
  DenseMatrix a = to_matrix(rows);
  Eigen::JacobiSVD<DenseMatrix> svd(a, Eigen::ComputeThinU | Eigen::ComputeThinV);
  RowMatrix m(ctx->parallelize(rows, 3));
  for (int k : {2, 5}) {
    SCOPED_TRACE(k);
    auto result = m.compute_svd(k, true);
    expect_vector_near(result.s, svd.singularValues().head(k), 1e-8 * svd.singularValues()[0]);
    expect_columns_near_up_to_sign(result.v, svd.matrixV().leftCols(k), 1e-8);
    ASSERT_TRUE(result.u.has_value());
    EXPECT_EQ(result.u->num_cols(), k);
    DenseMatrix u = to_matrix(result.u->rows().collect());
    ASSERT_EQ(u.rows(), a.rows());
    expect_columns_near_up_to_sign(u, svd.matrixU().leftCols(k), 1e-8);
    expect_matrix_near(u.transpose() * u, DenseMatrix::Identity(k, k), 1e-8);
  }
  EXPECT_FALSE(m.compute_svd(2).u.has_value());
}

TEST(RowMatrix, SvdDropsSingularValuesBelowRCond) {
  auto ctx = brasa_test::make_context();
  // Spark's "svd of a low-rank matrix": rank 1.
  RowMatrix m(ctx->parallelize(std::vector<Vector>(4, Vector::dense({1, 1, 1})), 2), 4, 3);
  auto svd = m.compute_svd(2, true, 1e-6);
  ASSERT_EQ(svd.s.size(), 1);
  EXPECT_NEAR(svd.s[0], std::sqrt(12.0), 1e-12);
  expect_columns_near_up_to_sign(svd.v, DenseMatrix::Constant(3, 1, 1 / std::sqrt(3.0)), 1e-12);
  ASSERT_TRUE(svd.u.has_value());
  EXPECT_EQ(svd.u->num_cols(), 1);
  EXPECT_EQ(svd.u->num_rows(), 4);
  expect_columns_near_up_to_sign(to_matrix(svd.u->rows().collect()), DenseMatrix::Constant(4, 1, 0.5), 1e-12);
  // Two independent columns, a third their sum: k = 3 keeps 2.
  std::vector<Vector> rows;
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal;
  for (int i = 0; i < 50; ++i) {
    double x = normal(rng), y = normal(rng);
    rows.push_back(Vector::dense({x, y, x + y}));
  }
  EXPECT_EQ(RowMatrix(ctx->parallelize(rows, 2)).compute_svd(3).s.size(), 2);
}

TEST(RowMatrix, MultiplyByALocalMatrix) {
  auto ctx = brasa_test::make_context();
  auto rows = random_rows(90, 4, 9);
  DenseMatrix b(4, 2);
  b << 1, 0, -2, 1, 0.5, 3, 0, -1;
  RowMatrix product = RowMatrix(ctx->parallelize(rows, 3)).multiply(b);
  EXPECT_EQ(product.num_cols(), 2);
  EXPECT_EQ(product.rows().num_partitions(), 3);
  expect_matrix_near(to_matrix(product.rows().collect()), to_matrix(rows) * b, 1e-12);
}

TEST(RowMatrix, BadArgumentsThrow) {
  auto ctx = brasa_test::make_context();
  RowMatrix m(ctx->parallelize(dense_rows(), 2));
  EXPECT_THROW(m.compute_svd(0), std::invalid_argument);
  EXPECT_THROW(m.compute_svd(4), std::invalid_argument);
  EXPECT_THROW(m.compute_pca(0), std::invalid_argument);
  EXPECT_THROW(m.compute_pca(4), std::invalid_argument);
  EXPECT_THROW(m.multiply(DenseMatrix::Zero(2, 2)), std::invalid_argument);
  EXPECT_THROW(RowMatrix(ctx->parallelize(std::vector<Vector>{Vector::dense({1, 2})}, 1)).compute_covariance(),
               std::invalid_argument);
  RowMatrix ragged(ctx->parallelize(std::vector<Vector>{Vector::dense({1, 2}), Vector::dense({1, 2, 3})}, 1));
  try {
    ragged.compute_gram_matrix();
    ADD_FAILURE() << "no error for rows of different sizes";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(brasa_test::contains(e.what(), "a row has 3 entries, the matrix 2 columns")) << e.what();
  }
  EXPECT_THROW(ragged.compute_covariance(), std::invalid_argument);
}

TEST(PCA, FitsTheTopComponentsAndProjectsWithoutCentring) {
  auto ctx = brasa_test::make_context();
  auto rows = random_rows(200, 4, 21);
  auto data = ctx->parallelize(rows, 3);
  PCAModel model = PCA().k(2).fit(data);
  EXPECT_EQ(model.k(), 2);
  EXPECT_EQ(model.num_features(), 4);
  auto expected = RowMatrix(data).compute_pca(2);
  expect_matrix_near(model.pc(), expected.pc, 1e-12);
  expect_vector_near(model.explained_variance(), expected.explained_variance, 1e-12);
  // pc^T x, not pc^T (x - mean): the columns have non-zero means.
  Vector x = Vector::dense({1, 2, 3, 4});
  DenseVector projected = model.transform(x).to_dense();
  expect_vector_near(projected, model.pc().transpose() * x.to_dense(), 1e-12);
  expect_vector_near(model.transform(Vector::sparse(4, {1, 3}, {2, 4})).to_dense(),
                     model.pc().transpose() * vec({0, 2, 0, 4}), 1e-12);
  auto all = model.transform(data).collect();
  ASSERT_EQ(all.size(), rows.size());
  expect_vector_near(all[5].to_dense(), model.pc().transpose() * rows[5].to_dense(), 1e-12);
  EXPECT_THROW(model.transform(Vector::dense({1, 2})), std::invalid_argument);
}

TEST(PCA, SavesAndLoads) {
  auto ctx = brasa_test::make_context();
  PCAModel model = PCA().k(3).fit(ctx->parallelize(random_rows(60, 5, 2), 2));
  brasa_test::TempDir dir;
  model.save(dir.sub("pca"));
  PCAModel loaded = PCAModel::load(dir.sub("pca"));
  EXPECT_EQ(loaded.pc(), model.pc());
  EXPECT_EQ(loaded.explained_variance(), model.explained_variance());
  EXPECT_THROW(model.save(dir.sub("pca")), std::runtime_error);
  model.save(dir.sub("pca"), true);
}

TEST(PCA, ChecksK) {
  auto ctx = brasa_test::make_context();
  auto data = ctx->parallelize(dense_rows(), 2);
  EXPECT_THROW(PCA().k(0), std::invalid_argument);
  EXPECT_THROW(PCA().fit(data), std::invalid_argument);  // k not set
  EXPECT_THROW(PCA().k(4).fit(data), std::invalid_argument);
  EXPECT_THROW(PCA().k(1).fit(ctx->parallelize(std::vector<Vector>{}, 1)), std::invalid_argument);
  EXPECT_THROW(PCAModel(DenseMatrix::Zero(3, 2), DenseVector::Zero(3)), std::invalid_argument);
}
