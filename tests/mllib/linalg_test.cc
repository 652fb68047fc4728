#include <gtest/gtest.h>

#include <Eigen/Dense>

#include "brasa/mllib/linalg/blas.h"
#include "brasa/mllib/linalg/vector.h"
#include "brasa/util/serializer.h"
#include "test_util.h"

using brasa::mllib::DenseMatrix;
using brasa::mllib::DenseVector;
using brasa::mllib::Vector;
namespace blas = brasa::mllib::blas;

TEST(Vector, DenseAndSparseAreEqualByValue) {
  auto d = Vector::dense({1.0, 0.0, 3.0});
  auto s = Vector::sparse(3, {0, 2}, {1.0, 3.0});
  EXPECT_EQ(d, s);
  EXPECT_NE(d, Vector::sparse(3, {0, 2}, {1.0, 4.0}));
  EXPECT_EQ(s.size(), 3);
  EXPECT_EQ(s.num_actives(), 2);
  EXPECT_EQ(d.num_nonzeros(), 2);
  EXPECT_EQ(s[1], 0.0);
  EXPECT_EQ(s[2], 3.0);
  EXPECT_THROW(s[3], std::out_of_range);
  EXPECT_EQ(s.to_dense(), d.to_dense());
}

TEST(Vector, SparseRejectsBadIndices) {
  EXPECT_THROW(Vector::sparse(3, {2, 1}, {1.0, 2.0}), std::invalid_argument);
  EXPECT_THROW(Vector::sparse(3, {1, 1}, {1.0, 2.0}), std::invalid_argument);
  EXPECT_THROW(Vector::sparse(3, {3}, {1.0}), std::invalid_argument);
  EXPECT_THROW(Vector::sparse(3, {-1}, {1.0}), std::invalid_argument);
  EXPECT_THROW(Vector::sparse(3, {0, 1}, {1.0}), std::invalid_argument);
}

TEST(Vector, PrintsAsSparkDoes) {
  EXPECT_EQ(Vector::dense({1.0, 2.5}).to_string(), "[1.0,2.5]");
  EXPECT_EQ(Vector::sparse(3, {0, 2}, {1.0, -3.0}).to_string(), "(3,[0,2],[1.0,-3.0])");
}

TEST(Vector, CompressedPicksTheSmallerForm) {
  auto mostly_zero = Vector::dense({0, 0, 0, 0, 0, 0, 0, 1.0});
  EXPECT_TRUE(mostly_zero.compressed().is_sparse());
  EXPECT_EQ(mostly_zero.compressed(), mostly_zero);
  auto full = Vector::sparse(3, {0, 1, 2}, {1, 2, 3});
  EXPECT_FALSE(full.compressed().is_sparse());
  EXPECT_EQ(full.compressed(), full);
}

TEST(Vector, RoundTripsThroughTheSerializer) {
  for (const auto& v : {Vector::dense({1.5, -2}), Vector::sparse(10, {3, 7}, {1, 2}), Vector()}) {
    brasa::ByteWriter w;
    w(v);
    brasa::ByteReader r(w.bytes());
    Vector back;
    r(back);
    EXPECT_EQ(back, v);
    EXPECT_EQ(back.is_sparse(), v.is_sparse());
  }
}

TEST(Vector, CrossesProcessesAsARecord) {
  auto ctx = brasa_test::make_context();
  std::vector<Vector> vs;
  for (int i = 0; i < 100; ++i)
    vs.push_back(i % 2 ? Vector::dense({double(i), 1.0}) : Vector::sparse(2, {0}, {double(i)}));
  auto sums = ctx->parallelize(vs, 4).map([](const Vector& v) { return v[0] + v[1]; }).collect();
  ASSERT_EQ(sums.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(sums[i], i + (i % 2 ? 1.0 : 0.0));
  auto back = ctx->parallelize(vs, 3).collect();
  EXPECT_EQ(back, vs);
}

TEST(Blas, AgreesWithEigen) {
  DenseMatrix a = DenseMatrix::Random(4, 3);
  auto x = Vector::sparse(3, {0, 2}, {2.0, -1.0});
  DenseVector xd = x.to_dense();
  DenseVector y = DenseVector::Random(4);
  DenseVector expected = 2.0 * a * xd + 0.5 * y;
  blas::gemv(2.0, a, x, 0.5, y);
  EXPECT_TRUE(y.isApprox(expected, 1e-14));
  DenseVector y2 = DenseVector::Random(4);
  expected = 2.0 * a * xd + 0.5 * y2;
  blas::gemv(2.0, a, Vector::dense(xd), 0.5, y2);
  EXPECT_TRUE(y2.isApprox(expected, 1e-14));

  EXPECT_DOUBLE_EQ(blas::dot(x, Vector::sparse(3, {1, 2}, {5.0, 4.0})), -4.0);
  EXPECT_DOUBLE_EQ(blas::dot(x, Vector::dense({1, 1, 1})), 1.0);
  DenseVector z = DenseVector::Ones(3);
  blas::axpy(3.0, x, z);
  EXPECT_EQ(z, DenseVector(DenseVector::Ones(3) + 3.0 * xd));

  for (const auto& v : {x, Vector::dense(xd)}) {
    DenseMatrix s = DenseMatrix::Identity(3, 3);
    blas::syr(0.5, v, s);
    EXPECT_TRUE(s.isApprox(DenseMatrix(DenseMatrix::Identity(3, 3) + 0.5 * xd * xd.transpose()), 1e-14));
    std::vector<double> packed(6, 0.0);
    blas::spr(2.0, v, packed);
    EXPECT_TRUE(blas::unpack_upper(packed, 3).isApprox(DenseMatrix(2.0 * xd * xd.transpose()), 1e-14));
  }
  EXPECT_THROW(blas::dot(x, Vector::dense({1, 2})), std::invalid_argument);
  DenseVector wrong(3);
  EXPECT_THROW(blas::gemv(1.0, a, x, 0.0, wrong), std::invalid_argument);
}
