// The dense inner loops of the iterative fits, on row-major blocks of rows.
//
// On processors with AVX2 and FMA, register-blocked kernels do them (about
// twice the speed of Eigen at the baseline instruction set Debian builds
// for); elsewhere Eigen does. The two round differently (fused multiply-
// adds, another order of sums), so results are bit-identical between runs
// on one kind of processor, not across kinds.
#pragma once

#include <cstdint>

namespace brasa::mllib::detail {

// k-means: for each of the n rows x_r (d columns), the first of the k
// centres c_j closest to it by |x|^2 + |c|^2 - 2 x.c, and that squared
// distance (at least 0). The centres come as columns (row-major d x k)
// with their squared norms.
void nearest_rows(const double* x, int64_t n, int d, const double* columns, const double* norms, int k,
                  int32_t* best, double* dist);

// The same for one row given its squared norm and its products with the
// centres: the first j of smallest x_norm + norms[j] - 2 products[j].
void nearest_of(double x_norm, const double* norms, const double* products, int k, int32_t* best, double* dist);

// y[r] = x_r . w for the n rows.
void multiply_rows(const double* x, int64_t n, int d, const double* w, double* y);

// g += sum_r weights[r] x_r.
void add_weighted_rows(const double* x, int64_t n, int d, const double* weights, double* g);

}  // namespace brasa::mllib::detail
