#include "brasa/mllib/linalg/row_matrix.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include "brasa/util/single.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace row_matrix_impl {

constexpr int32_t kMaxColumns = 65535;  // n (n + 1) / 2 must fit an int, as in Spark
constexpr int32_t kBlockRows = 128;     // rows per rank update

void check_num_columns(const char* who, int32_t n) {
  if (n > kMaxColumns)
    throw std::invalid_argument(fmt::format("RowMatrix.{}: {} columns is more than {}", who, n, kMaxColumns));
  if (n > 10000)
    spdlog::warn("RowMatrix.{}: {} columns will need at least {} MB of memory", who, n,
                 static_cast<int64_t>(n) * n / 125000);
}

// The upper triangle of an n x n sum, packed column by column (Spark's
// layout: (0,0), (0,1), (1,1), (0,2), ...), or the first error met.
struct PackedSum {
  std::vector<double> packed;  // empty: nothing added yet
  std::string error;
  template <class Ar> void serialize(Ar& ar) { ar(packed, error); }
};

struct AddPackedSums {
  PackedSum operator()(PackedSum a, const PackedSum& b) const {
    if (!a.error.empty()) return a;
    if (!b.error.empty()) return b;
    if (a.packed.empty()) return b;
    if (b.packed.empty()) return a;
    for (size_t i = 0; i < a.packed.size(); ++i) a.packed[i] += b.packed[i];
    return a;
  }
};

// sum_rows (x - shift)(x - shift)^T over one partition (shift empty: 0),
// rows gathered kBlockRows at a time into one rank update. Sparse rows
// without a shift add the products of their stored entries directly.
struct GramOfPartition {
  int32_t n = 0;
  DenseVector shift;
  template <class Ar> void serialize(Ar& ar) { ar(n, shift); }

  std::vector<PackedSum> operator()(std::vector<Vector>&& rows) const {
    if (rows.empty()) return {};
    PackedSum out;
    DenseMatrix g = DenseMatrix::Zero(n, n);
    DenseMatrix block(n, std::min<int64_t>(kBlockRows, static_cast<int64_t>(rows.size())));
    Eigen::Index filled = 0;
    auto flush = [&] {
      if (filled == 0) return;
      g.selfadjointView<Eigen::Upper>().rankUpdate(block.leftCols(filled));
      filled = 0;
    };
    for (const Vector& x : rows) {
      if (x.size() != n) {
        out.error = fmt::format("RowMatrix: a row has {} entries, the matrix {} columns", x.size(), n);
        return {out};
      }
      if (x.is_sparse() && shift.size() == 0) {
        auto idx = x.indices();
        auto val = x.values();
        for (size_t a = 0; a < val.size(); ++a) {
          if (val[a] == 0.0) continue;
          for (size_t b = a; b < val.size(); ++b) g(idx[a], idx[b]) += val[a] * val[b];
        }
        continue;
      }
      auto column = block.col(filled);
      column.setZero();
      x.for_each_active([&](int32_t j, double v) { column[j] = v; });
      if (shift.size() != 0) column -= shift;
      if (++filled == block.cols()) flush();
    }
    flush();
    out.packed.reserve(static_cast<size_t>(n) * (n + 1) / 2);
    for (int32_t j = 0; j < n; ++j)
      for (int32_t i = 0; i <= j; ++i) out.packed.push_back(g(i, j));
    return single(std::move(out));
  }
};

// Sums GramOfPartition over all partitions into a full symmetric matrix.
DenseMatrix packed_sum(const RDD<Vector>& rows, int32_t n, DenseVector shift) {
  PackedSum total = rows.map_partitions(GramOfPartition{n, std::move(shift)})
                        .tree_aggregate(PackedSum{}, AddPackedSums{}, AddPackedSums{});
  if (!total.error.empty()) throw std::invalid_argument(total.error);
  DenseMatrix g = DenseMatrix::Zero(n, n);
  if (total.packed.empty()) return g;
  size_t k = 0;
  for (int32_t j = 0; j < n; ++j)
    for (int32_t i = 0; i <= j; ++i) g(i, j) = g(j, i) = total.packed[k++];
  return g;
}

// Spark's RowMatrix.isSparseMatrix test, per row: more than half its entries not 0.
struct MostlyNonzero {
  bool operator()(const Vector& x) const { return 2 * static_cast<int64_t>(x.num_nonzeros()) > x.size(); }
};

struct MultiplyRows {
  DenseMatrix b;  // n x q
  template <class Ar> void serialize(Ar& ar) { ar(b); }

  std::vector<Vector> operator()(std::vector<Vector>&& rows) const {
    std::vector<Vector> out;
    out.reserve(rows.size());
    DenseVector y(b.cols());
    for (const Vector& x : rows) {
      if (x.size() != b.rows())
        throw std::invalid_argument(
            fmt::format("RowMatrix.multiply: a row has {} entries, the matrix {} columns", x.size(), b.rows()));
      if (x.is_sparse()) {
        y.setZero();
        x.for_each_active([&](int32_t j, double v) { y += v * b.row(j).transpose(); });
      } else {
        y.noalias() = b.transpose() * Eigen::Map<const DenseVector>(x.values().data(), x.size());
      }
      out.push_back(Vector::dense(y));
    }
    return out;
  }
};

// Eigenvalues and eigenvectors of a symmetric matrix, by decreasing `key`.
struct SortedEigen {
  DenseVector values;
  DenseMatrix vectors;
};
template <class Key> SortedEigen sorted_eigen(const DenseMatrix& a, const char* who, Key key) {
  Eigen::SelfAdjointEigenSolver<DenseMatrix> solver(a);
  if (solver.info() != Eigen::Success)
    throw std::runtime_error(std::string("RowMatrix.") + who + ": the eigen-decomposition did not converge");
  const Eigen::Index n = a.rows();
  std::vector<Eigen::Index> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  const DenseVector& values = solver.eigenvalues();
  std::stable_sort(order.begin(), order.end(),
                   [&](Eigen::Index x, Eigen::Index y) { return key(values[x]) > key(values[y]); });
  SortedEigen out{DenseVector(n), DenseMatrix(n, n)};
  for (Eigen::Index i = 0; i < n; ++i) {
    out.values[i] = values[order[static_cast<size_t>(i)]];
    out.vectors.col(i) = solver.eigenvectors().col(order[static_cast<size_t>(i)]);
  }
  return out;
}

void check_k(const char* who, int k, int32_t n) {
  if (k <= 0 || k > n)
    throw std::invalid_argument(fmt::format("RowMatrix.{}: k = {} is outside (0, n = {}]", who, k, n));
}

}  // namespace row_matrix_impl
using namespace row_matrix_impl;

RowMatrix::RowMatrix(RDD<Vector> rows, int64_t num_rows, int32_t num_cols)
    : rows_(std::move(rows)), num_rows_(num_rows), num_cols_(num_cols) {}

int64_t RowMatrix::num_rows() const {
  if (num_rows_ <= 0) {
    num_rows_ = rows_.count();
    if (num_rows_ == 0)
      throw std::invalid_argument(
          "RowMatrix: cannot determine the number of rows: it was not given and there are no rows");
  }
  return num_rows_;
}

int32_t RowMatrix::num_cols() const {
  if (num_cols_ <= 0) {
    auto first = rows_.take(1);
    if (first.empty())
      throw std::invalid_argument(
          "RowMatrix: cannot determine the number of columns: it was not given and there are no rows");
    num_cols_ = first[0].size();
  }
  return num_cols_;
}

ColumnSummary RowMatrix::compute_column_summary_statistics() const {
  ColumnSummary s;
  try {
    s = summarize(rows_);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("RowMatrix.compute_column_summary_statistics: ") + e.what());
  }
  if (num_rows_ <= 0) {
    num_rows_ = s.count;
  } else if (num_rows_ != s.count) {
    throw std::invalid_argument(fmt::format(
        "RowMatrix.compute_column_summary_statistics: {} rows, but the matrix was given {}", s.count, num_rows_));
  }
  return s;
}

DenseMatrix RowMatrix::compute_gram_matrix() const {
  const int32_t n = num_cols();
  check_num_columns("compute_gram_matrix", n);
  return packed_sum(rows_, n, DenseVector());
}

DenseMatrix RowMatrix::compute_covariance() const {
  const int32_t n = num_cols();
  check_num_columns("compute_covariance", n);
  ColumnSummary s;
  try {
    s = summarize(rows_);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("RowMatrix.compute_covariance: ") + e.what());
  }
  const int64_t m = s.count;
  if (m <= 1)
    throw std::invalid_argument(
        fmt::format("RowMatrix.compute_covariance: the matrix has {} row; the covariance needs at least 2", m));
  if (s.mean.size() != n)
    throw std::invalid_argument(
        fmt::format("RowMatrix.compute_covariance: rows have {} entries, the matrix {} columns", s.mean.size(), n));
  const double m1 = static_cast<double>(m) - 1.0;
  const bool sparse = rows_.filter(MostlyNonzero{}).is_empty();
  if (!sparse) return packed_sum(rows_, n, s.mean) / m1;
  // E[X Y] - E[X] E[Y]: cheap for sparse rows, less accurate when the means are large.
  DenseMatrix g = packed_sum(rows_, n, DenseVector());
  return g / m1 - (static_cast<double>(m) / m1) * (s.mean * s.mean.transpose());
}

PrincipalComponents RowMatrix::compute_pca(int k) const {
  const int32_t n = num_cols();
  check_k("compute_pca", k, n);
  // The singular values of the covariance (Spark takes its SVD): |eigenvalues|, descending.
  auto eig = sorted_eigen(compute_covariance(), "compute_pca", [](double v) { return std::abs(v); });
  DenseVector s = eig.values.cwiseAbs();
  const double sum = s.sum();
  return PrincipalComponents{eig.vectors.leftCols(k), s.head(k) / sum};
}

SingularValueDecomposition RowMatrix::compute_svd(int k, bool compute_u, double r_cond) const {
  const int32_t n = num_cols();
  check_k("compute_svd", k, n);
  if (!(r_cond >= 0) || !std::isfinite(r_cond))
    throw std::invalid_argument(fmt::format("RowMatrix.compute_svd: r_cond must be finite and >= 0, got {}", r_cond));
  auto eig = sorted_eigen(compute_gram_matrix(), "compute_svd", [](double v) { return v; });
  DenseVector sigmas = eig.values.cwiseMax(0.0).cwiseSqrt();
  const double threshold = r_cond * sigmas[0];
  int sk = 0;
  while (sk < k && sigmas[sk] >= threshold) ++sk;
  if (sk < k) spdlog::warn("RowMatrix.compute_svd: requested {} singular values but only found {} nonzeros", k, sk);
  SingularValueDecomposition out;
  out.s = sigmas.head(sk);
  out.v = eig.vectors.leftCols(sk);
  if (compute_u) {
    DenseMatrix scaled = out.v * out.s.cwiseInverse().asDiagonal();
    out.u = multiply(scaled);
  }
  return out;
}

RowMatrix RowMatrix::multiply(const DenseMatrix& b) const {
  const int32_t n = num_cols();
  if (b.rows() != n)
    throw std::invalid_argument(
        fmt::format("RowMatrix.multiply: dimension mismatch: the matrix has {} columns, b {} rows", n, b.rows()));
  return RowMatrix(rows_.map_partitions(MultiplyRows{b}), num_rows_, static_cast<int32_t>(b.cols()));
}

}  // namespace brasa::mllib
