#include "brasa/mllib/linalg/blas.h"

namespace brasa::mllib::blas {

namespace {
void check_sizes(const char* op, int64_t a, int64_t b) {
  if (a != b)
    throw std::invalid_argument(std::string(op) + ": sizes differ (" + std::to_string(a) + " and " +
                                std::to_string(b) + ")");
}
}  // namespace

double dot(const Vector& x, const Vector& y) {
  check_sizes("blas::dot", x.size(), y.size());
  if (!y.is_sparse()) return x.dot(Eigen::Map<const DenseVector>(y.values().data(), y.size()));
  if (!x.is_sparse()) return y.dot(Eigen::Map<const DenseVector>(x.values().data(), x.size()));
  auto xi = x.indices(), yi = y.indices();
  auto xv = x.values(), yv = y.values();
  double s = 0;
  for (size_t a = 0, b = 0; a < xi.size() && b < yi.size();) {
    if (xi[a] == yi[b]) {
      s += xv[a++] * yv[b++];
    } else if (xi[a] < yi[b]) {
      ++a;
    } else {
      ++b;
    }
  }
  return s;
}

void gemv(double alpha, const DenseMatrix& a, const Vector& x, double beta, DenseVector& y) {
  check_sizes("blas::gemv (columns of A, size of x)", a.cols(), x.size());
  check_sizes("blas::gemv (rows of A, size of y)", a.rows(), y.size());
  if (beta != 1.0) y *= beta;
  if (!x.is_sparse()) {
    y.noalias() += alpha * a * Eigen::Map<const DenseVector>(x.values().data(), x.size());
  } else {
    x.for_each_active([&](int32_t j, double v) { y += (alpha * v) * a.col(j); });
  }
}

void syr(double alpha, const Vector& x, DenseMatrix& a) {
  check_sizes("blas::syr (rows of A, size of x)", a.rows(), x.size());
  check_sizes("blas::syr (columns of A, size of x)", a.cols(), x.size());
  if (!x.is_sparse()) {
    Eigen::Map<const DenseVector> v(x.values().data(), x.size());
    a.selfadjointView<Eigen::Upper>().rankUpdate(v, alpha);
    a.triangularView<Eigen::StrictlyLower>() = a.transpose();
  } else {
    auto idx = x.indices();
    auto val = x.values();
    for (size_t p = 0; p < idx.size(); ++p)
      for (size_t q = 0; q < idx.size(); ++q) a(idx[p], idx[q]) += alpha * val[p] * val[q];
  }
}

void spr(double alpha, const Vector& x, std::vector<double>& packed_upper) {
  const int64_t n = x.size();
  check_sizes("blas::spr (packed size, n(n+1)/2)", static_cast<int64_t>(packed_upper.size()), n * (n + 1) / 2);
  auto idx = x.indices();
  auto val = x.values();
  if (!x.is_sparse()) {
    for (int64_t j = 0; j < n; ++j) {
      const double aj = alpha * val[j];
      double* col = packed_upper.data() + j * (j + 1) / 2;
      for (int64_t i = 0; i <= j; ++i) col[i] += aj * val[i];
    }
  } else {
    for (size_t q = 0; q < idx.size(); ++q) {
      const int64_t j = idx[q];
      const double aj = alpha * val[q];
      double* col = packed_upper.data() + j * (j + 1) / 2;
      for (size_t p = 0; p <= q; ++p) col[idx[p]] += aj * val[p];
    }
  }
}

DenseMatrix unpack_upper(const std::vector<double>& packed_upper, int n) {
  check_sizes("blas::unpack_upper (packed size, n(n+1)/2)", static_cast<int64_t>(packed_upper.size()),
              int64_t{n} * (n + 1) / 2);
  DenseMatrix a(n, n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i <= j; ++i) a(i, j) = a(j, i) = packed_upper[int64_t{j} * (j + 1) / 2 + i];
  return a;
}

}  // namespace brasa::mllib::blas
