#include "linalg/dense_kernels.h"

#include <immintrin.h>

#include <algorithm>
#include <limits>
#include <vector>

#include <Eigen/Core>

namespace brasa::mllib::detail {

namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr double kInf = std::numeric_limits<double>::infinity();

// Products 256 rows at a time with Eigen, then the first smallest distance.
void nearest_rows_eigen(const double* x, int64_t n, int d, const double* columns, const double* norms, int k,
                        int32_t* best, double* dist) {
  thread_local RowMatrix products;
  Eigen::Map<const RowMatrix> c(columns, d, k);
  for (int64_t begin = 0; begin < n; begin += 256) {
    const int64_t rows = std::min<int64_t>(256, n - begin);
    Eigen::Map<const RowMatrix> xs(x + begin * d, rows, d);
    products.resize(rows, k);
    products.noalias() = xs * c;
    for (int64_t r = 0; r < rows; ++r)
      nearest_of(xs.row(r).squaredNorm(), norms, products.row(r).data(), k, best + begin + r, dist + begin + r);
  }
}

__attribute__((target("avx2,fma"))) inline double lanes_sum(__m256d v) {
  const __m128d half = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(half, _mm_unpackhi_pd(half, half)));
}

// a . b, four terms at a time in one register, then the lanes' sum.
__attribute__((target("avx2,fma"))) inline double dot(const double* a, const double* b, int d) {
  __m256d acc = _mm256_setzero_pd();
  int c = 0;
  for (; c + 4 <= d; c += 4) acc = _mm256_fmadd_pd(_mm256_loadu_pd(a + c), _mm256_loadu_pd(b + c), acc);
  double s = lanes_sum(acc);
  for (; c < d; ++c) s += a[c] * b[c];
  return s;
}

// Centres j .. j + 4W - 1 against four rows: per row, lane l of min and
// arg keeps the smallest distance to the centres = l mod 4 seen so far (the
// first on ties) and its index. W = 2 gives eight chains of FMAs, enough to
// hide their latency.
template <int W>
__attribute__((target("avx2,fma"))) inline void centre_block(const double* const* xr, const double* x_norm, int d,
                                                             const double* columns, const double* norms, int k, int j,
                                                             __m256d* min, __m256d* arg) {
  __m256d a[4][W];
  for (int i = 0; i < 4; ++i)
    for (int w = 0; w < W; ++w) a[i][w] = _mm256_setzero_pd();
  const double* col = columns + j;
  for (int c = 0; c < d; ++c, col += k) {
    __m256d b[W];
    for (int w = 0; w < W; ++w) b[w] = _mm256_loadu_pd(col + 4 * w);
    for (int i = 0; i < 4; ++i) {
      const __m256d v = _mm256_broadcast_sd(xr[i] + c);
      for (int w = 0; w < W; ++w) a[i][w] = _mm256_fmadd_pd(v, b[w], a[i][w]);
    }
  }
  const __m256d two = _mm256_set1_pd(2.0);
  for (int w = 0; w < W; ++w) {
    const int at = j + 4 * w;
    const __m256d norm = _mm256_loadu_pd(norms + at);
    const __m256d index = _mm256_set_pd(at + 3, at + 2, at + 1, at);
    for (int i = 0; i < 4; ++i) {
      const __m256d e = _mm256_fnmadd_pd(two, a[i][w], _mm256_add_pd(_mm256_set1_pd(x_norm[i]), norm));
      const __m256d less = _mm256_cmp_pd(e, min[i], _CMP_LT_OQ);
      min[i] = _mm256_blendv_pd(min[i], e, less);
      arg[i] = _mm256_blendv_pd(arg[i], index, less);
    }
  }
}

// k a multiple of 4.
__attribute__((target("avx2,fma"))) void nearest_rows_avx2(const double* x, int64_t n, int d, const double* columns,
                                                           const double* norms, int k, int32_t* best, double* dist) {
  int64_t r = 0;
  for (; r + 4 <= n; r += 4) {
    const double* xr[4] = {x + r * d, x + (r + 1) * d, x + (r + 2) * d, x + (r + 3) * d};
    double x_norm[4];
    for (int i = 0; i < 4; ++i) x_norm[i] = dot(xr[i], xr[i], d);
    __m256d min[4], arg[4];
    for (int i = 0; i < 4; ++i) min[i] = _mm256_set1_pd(kInf), arg[i] = _mm256_setzero_pd();
    int j = 0;
    for (; j + 8 <= k; j += 8) centre_block<2>(xr, x_norm, d, columns, norms, k, j, min, arg);
    if (j < k) centre_block<1>(xr, x_norm, d, columns, norms, k, j, min, arg);
    for (int i = 0; i < 4; ++i) {
      // The smallest lane, and among the lanes that hold it the smallest index.
      const __m256d m = min[i];
      __m256d low = _mm256_min_pd(m, _mm256_permute2f128_pd(m, m, 1));
      low = _mm256_min_pd(low, _mm256_permute_pd(low, 0b0101));
      const __m256d index = _mm256_blendv_pd(_mm256_set1_pd(kInf), arg[i], _mm256_cmp_pd(m, low, _CMP_EQ_OQ));
      __m256d first = _mm256_min_pd(index, _mm256_permute2f128_pd(index, index, 1));
      first = _mm256_min_pd(first, _mm256_permute_pd(first, 0b0101));
      const double lowest = _mm256_cvtsd_f64(low);
      const int32_t at = static_cast<int32_t>(_mm256_cvtsd_f64(first));
      best[r + i] = at;
      dist[r + i] = std::max(lowest, 0.0);
    }
  }
  if (r < n) nearest_rows_eigen(x + r * d, n - r, d, columns, norms, k, best + r, dist + r);
}

// ---- y = X w and g += X^T r --------------------------------------------------

// Four rows at a time, two registers each: eight chains of FMAs.
__attribute__((target("avx2,fma"))) void multiply_rows_avx2(const double* x, int64_t n, int d, const double* w,
                                                            double* y) {
  int64_t r = 0;
  for (; r + 4 <= n; r += 4) {
    const double* xr[4] = {x + r * d, x + (r + 1) * d, x + (r + 2) * d, x + (r + 3) * d};
    __m256d a[4][2];
    for (int i = 0; i < 4; ++i) a[i][0] = a[i][1] = _mm256_setzero_pd();
    int c = 0;
    for (; c + 8 <= d; c += 8) {
      const __m256d w0 = _mm256_loadu_pd(w + c), w1 = _mm256_loadu_pd(w + c + 4);
      for (int i = 0; i < 4; ++i) {
        a[i][0] = _mm256_fmadd_pd(_mm256_loadu_pd(xr[i] + c), w0, a[i][0]);
        a[i][1] = _mm256_fmadd_pd(_mm256_loadu_pd(xr[i] + c + 4), w1, a[i][1]);
      }
    }
    for (; c + 4 <= d; c += 4) {
      const __m256d w0 = _mm256_loadu_pd(w + c);
      for (int i = 0; i < 4; ++i) a[i][0] = _mm256_fmadd_pd(_mm256_loadu_pd(xr[i] + c), w0, a[i][0]);
    }
    for (int i = 0; i < 4; ++i) {
      double s = lanes_sum(_mm256_add_pd(a[i][0], a[i][1]));
      for (int t = c; t < d; ++t) s += xr[i][t] * w[t];
      y[r + i] = s;
    }
  }
  for (; r < n; ++r) y[r] = dot(x + r * d, w, d);
}

// Four rows at a time: each group of four columns of g is loaded once,
// takes four FMAs and is stored.
__attribute__((target("avx2,fma"))) void add_weighted_rows_avx2(const double* x, int64_t n, int d,
                                                                const double* weights, double* g) {
  int64_t r = 0;
  for (; r + 4 <= n; r += 4) {
    const double* xr[4] = {x + r * d, x + (r + 1) * d, x + (r + 2) * d, x + (r + 3) * d};
    __m256d wr[4];
    for (int i = 0; i < 4; ++i) wr[i] = _mm256_set1_pd(weights[r + i]);
    int c = 0;
    for (; c + 4 <= d; c += 4) {
      __m256d acc = _mm256_loadu_pd(g + c);
      for (int i = 0; i < 4; ++i) acc = _mm256_fmadd_pd(wr[i], _mm256_loadu_pd(xr[i] + c), acc);
      _mm256_storeu_pd(g + c, acc);
    }
    for (; c < d; ++c)
      for (int i = 0; i < 4; ++i) g[c] += weights[r + i] * xr[i][c];
  }
  for (; r < n; ++r)
    for (int c = 0; c < d; ++c) g[c] += weights[r] * x[r * d + c];
}

bool has_avx2_fma() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}

}  // namespace

void nearest_of(double x_norm, const double* norms, const double* products, int k, int32_t* best, double* dist) {
  int32_t arg = 0;
  double min = kInf;
  for (int j = 0; j < k; ++j) {
    const double e = x_norm + norms[j] - 2.0 * products[j];
    if (e < min) {
      min = e;
      arg = j;
    }
  }
  *best = arg;
  *dist = std::max(min, 0.0);
}

void nearest_rows(const double* x, int64_t n, int d, const double* columns, const double* norms, int k,
                  int32_t* best, double* dist) {
  if (!has_avx2_fma()) return nearest_rows_eigen(x, n, d, columns, norms, k, best, dist);
  if (k % 4 == 0) return nearest_rows_avx2(x, n, d, columns, norms, k, best, dist);
  // Up to a multiple of 4 with centres at infinite distance, so that every
  // distance comes from the same arithmetic (ties stay with the first).
  const int padded = (k + 3) & ~3;
  thread_local std::vector<double> wide_columns, wide_norms;
  wide_columns.assign(int64_t{d} * padded, 0.0);
  for (int c = 0; c < d; ++c)
    std::copy(columns + int64_t{c} * k, columns + int64_t{c + 1} * k, wide_columns.data() + int64_t{c} * padded);
  wide_norms.assign(norms, norms + k);
  wide_norms.resize(padded, kInf);
  nearest_rows_avx2(x, n, d, wide_columns.data(), wide_norms.data(), padded, best, dist);
}

void multiply_rows(const double* x, int64_t n, int d, const double* w, double* y) {
  if (has_avx2_fma()) return multiply_rows_avx2(x, n, d, w, y);
  Eigen::Map<Eigen::VectorXd>(y, n).noalias() =
      Eigen::Map<const RowMatrix>(x, n, d) * Eigen::Map<const Eigen::VectorXd>(w, d);
}

void add_weighted_rows(const double* x, int64_t n, int d, const double* weights, double* g) {
  if (has_avx2_fma()) return add_weighted_rows_avx2(x, n, d, weights, g);
  Eigen::Map<Eigen::VectorXd>(g, d).noalias() +=
      Eigen::Map<const RowMatrix>(x, n, d).transpose() * Eigen::Map<const Eigen::VectorXd>(weights, n);
}

}  // namespace brasa::mllib::detail
