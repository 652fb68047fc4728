// Column statistics, correlations and chi-squared tests of distributed data,
// as Spark MLlib's Statistics (colStats, corr, chiSqTest) and ml Summarizer.
//
//   ColumnSummary s = summarize(vectors);          // s.mean, s.variance, ...
//   DenseMatrix r = corr(vectors, "spearman");     // column against column
//   auto tests = chi_sq_test(points);              // one per feature
//
// Sparse vectors' absent entries count as 0 everywhere. Errors in the input
// (no rows, vectors of different sizes, ...) throw std::invalid_argument.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "brasa/mllib/labeled_point.h"
#include "brasa/mllib/linalg/vector.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

// Per column, as Spark's Summarizer. Rows of weight 0 are left out (count
// too); the statistics are weighted.
struct ColumnSummary {
  int64_t count = 0;       // rows with a positive weight
  double weight_sum = 0;   // W
  DenseVector mean;        // sum w x / W
  DenseVector sum;         // sum w x
  DenseVector variance;    // unbiased: sum w (x - mean)^2 / (W - sum w^2 / W); 0 when that denominator is not > 0
  DenseVector std_dev;     // sqrt(variance)
  DenseVector num_nonzeros;  // rows whose entry is not 0
  DenseVector max, min;
  DenseVector norm_l1;     // sum w |x|
  DenseVector norm_l2;     // sqrt(sum w x^2)
};

// One pass (tree_aggregate) with Chan et al.'s numerically stable merging.
// Throws for an empty input (or one whose weights are all 0), vectors of
// size 0 or of different sizes, and negative or NaN weights.
ColumnSummary summarize(const RDD<Vector>& data);
// (vector, weight) rows.
ColumnSummary summarize(const RDD<std::pair<Vector, double>>& weighted);

// The correlation matrix of the columns (Spark's Statistics.corr):
// "pearson", or "spearman" (Pearson's of the columns' ranks, tied values
// taking the average of their ranks; NaN ranks above every number). As in
// Spark, a column whose variance is at most 1e-12 has correlation NaN with
// every other column (and a spdlog warning), the diagonal is 1, and values
// are not clamped to [-1, 1]. Needs at least 2 rows.
DenseMatrix corr(const RDD<Vector>& data, const std::string& method = "pearson");
// The correlation of two series, element by element: x and y must have the
// same number of partitions and of elements in each (as for RDD::zip).
double corr(const RDD<double>& x, const RDD<double>& y, const std::string& method = "pearson");

// One Pearson chi-squared test (Spark's ChiSqTestResult).
struct ChiSqTestResult {
  double p_value = 1;               // Q(df / 2, statistic / 2), the chi-squared survival function
  int64_t degrees_of_freedom = 0;
  double statistic = 0;
  std::string method = "pearson";
  std::string null_hypothesis;
};

// Independence of each feature from the label (Spark's
// Statistics.chiSqTest(RDD[LabeledPoint])): a contingency table of the
// feature's distinct values against the distinct labels, one result per
// feature. df = (values - 1)(labels - 1); a table with one row or column
// gives p 1, statistic 0, df 0. Throws, as Spark does, for more than 10000
// distinct labels or distinct values of a feature (categorical data only).
std::vector<ChiSqTestResult> chi_sq_test(const RDD<LabeledPoint>& data);

// Goodness of fit of observed counts to expected ones (uniform when
// `expected` is empty), the expected counts rescaled to the observed total.
// Throws for sizes that differ, fewer than 2 categories, negative entries,
// or a category with 0 both observed and expected; an expected 0 with a
// positive observation gives statistic +inf and p 0.
ChiSqTestResult chi_sq_test(const DenseVector& observed, const DenseVector& expected = DenseVector());

// Independence of the rows and columns of a contingency table. Throws for
// negative entries or a row or column summing to 0.
ChiSqTestResult chi_sq_test(const DenseMatrix& contingency);

// The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a)
// for a > 0, x >= 0 (NaN for NaN x); the chi-squared survival function at x
// with k degrees of freedom is Q(k / 2, x / 2).
double regularized_gamma_q(double a, double x);

}  // namespace brasa::mllib
