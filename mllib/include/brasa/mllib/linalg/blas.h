// The BLAS-like helpers Spark MLlib's algorithms are written with, on
// Vector and Eigen's dense types. Dense work goes to Eigen's kernels.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "brasa/mllib/linalg/vector.h"

namespace brasa::mllib::blas {

// y += a * x
inline void axpy(double a, const Vector& x, DenseVector& y) { x.add_scaled_to(a, y); }
inline void axpy(double a, const DenseVector& x, DenseVector& y) { y += a * x; }

// x . y (either may be sparse; two sparse vectors are merged by index)
double dot(const Vector& x, const Vector& y);
inline double dot(const Vector& x, const DenseVector& y) { return x.dot(y); }

// x *= a
inline void scal(double a, DenseVector& x) { x *= a; }

// y = alpha * A * x + beta * y
void gemv(double alpha, const DenseMatrix& a, const Vector& x, double beta, DenseVector& y);

// A += alpha * x * x^T (A symmetric, n x n)
void syr(double alpha, const Vector& x, DenseMatrix& a);

// U += alpha * x * x^T on the upper triangle packed by columns (Spark's and
// LAPACK's "U" packing: U(i, j), i <= j, at j * (j + 1) / 2 + i).
void spr(double alpha, const Vector& x, std::vector<double>& packed_upper);

// The full symmetric n x n matrix of a packed upper triangle.
DenseMatrix unpack_upper(const std::vector<double>& packed_upper, int n);

}  // namespace brasa::mllib::blas
