// RowMatrix: a distributed matrix of rows without meaningful indices, as
// Spark MLlib's RowMatrix, for tall and skinny matrices (many rows, up to
// a few thousand columns):
//
//   RowMatrix a(vectors);                              // RDD<Vector>, one row each
//   DenseMatrix g = a.compute_gram_matrix();           // A^T A
//   auto pca = a.compute_pca(2);                       // pca.pc, pca.explained_variance
//   auto svd = a.compute_svd(2, /*compute_u=*/true);   // svd.u->rows(), svd.s, svd.v
//   RowMatrix projected = a.multiply(pca.pc);          // A * pc
//
// Each method that reads the rows runs one or two jobs; cache the rows when
// calling several. The n x n results (Gram, covariance) are computed one
// partition at a time (Eigen rank updates), summed as packed upper
// triangles through tree_aggregate, and need O(n^2) memory on every
// executor and the driver: more than 65535 columns is refused, as in Spark,
// and more than 10000 logs a warning. Errors (no rows, rows of different
// sizes, k out of range) throw std::invalid_argument.
#pragma once

#include <cstdint>
#include <optional>

#include "brasa/mllib/linalg/vector.h"
#include "brasa/mllib/stat/statistics.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

struct SingularValueDecomposition;

// The top principal components and the share of the variance each explains.
struct PrincipalComponents {
  DenseMatrix pc;                  // n x k, one component per column, by decreasing variance
  DenseVector explained_variance;  // k eigenvalues of the covariance over the sum of all n
};

class RowMatrix {
 public:
  // num_rows / num_cols <= 0: found from the data when first needed (a
  // count, and the size of the first row).
  explicit RowMatrix(RDD<Vector> rows, int64_t num_rows = 0, int32_t num_cols = 0);

  const RDD<Vector>& rows() const { return rows_; }
  int64_t num_rows() const;  // throws for an empty matrix of unknown size
  int32_t num_cols() const;

  // Per-column count, mean, variance, ... (stat/statistics.h's summarize).
  ColumnSummary compute_column_summary_statistics() const;

  // A^T A (n x n).
  DenseMatrix compute_gram_matrix() const;

  // The sample covariance of the columns, rows being observations (divided
  // by m - 1; needs m > 1). As Spark 3: sum (x - mean)(x - mean)^T over the
  // rows, unless every row is at least half zeros, where it is
  // (A^T A - m mean mean^T) / (m - 1) from the Gram matrix instead.
  DenseMatrix compute_covariance() const;

  // The k leading eigenvectors of the covariance, 0 < k <= n. The data need
  // not be centred. Each column's sign is the eigensolver's (Spark promises
  // none either). explained_variance divides each of the k eigenvalues by
  // the sum of all n.
  PrincipalComponents compute_pca(int k) const;
  DenseMatrix compute_principal_components(int k) const { return compute_pca(k).pc; }

  // The k leading singular values and right singular vectors, 0 < k <= n,
  // from the eigen-decomposition of the Gram matrix on the driver (Spark's
  // local path): s = sqrt of the eigenvalues; values below r_cond times the
  // largest are dropped (so s may have fewer than k entries, with a spdlog
  // warning); U = A V diag(1/s) as a new RowMatrix when compute_u.
  SingularValueDecomposition compute_svd(int k, bool compute_u = false, double r_cond = 1e-9) const;

  // A B for a local n x q matrix B: rows of size q, partitioned as this
  // matrix's rows (lazy).
  RowMatrix multiply(const DenseMatrix& b) const;

 private:
  RDD<Vector> rows_;
  mutable int64_t num_rows_;
  mutable int32_t num_cols_;
};

// A ~= U diag(s) V^T with the k leading singular values (Spark's
// SingularValueDecomposition).
struct SingularValueDecomposition {
  std::optional<RowMatrix> u;  // m x k rows, when asked for
  DenseVector s;               // descending
  DenseMatrix v;               // n x k, orthonormal columns
};

}  // namespace brasa::mllib
