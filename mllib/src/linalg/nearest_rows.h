// The inner loop of k-means: for each of n dense rows x_r (row-major, d
// columns), the first of the k centres c_j closest to it, by
// |x|^2 + |c|^2 - 2 x.c, and that squared distance (at least 0). The
// centres come as columns (row-major d x k) with their squared norms.
//
// On processors with AVX2 and FMA a register-blocked kernel does it (four
// rows against four centres, the distances and the running minimum kept in
// registers): about twice the speed of Eigen's product at the baseline
// instruction set Debian builds for, which the other processors use. The
// two round differently (fused multiply-adds), so results are bit-identical
// between runs on one kind of processor, not across kinds.
#pragma once

#include <cstdint>

namespace brasa::mllib::detail {

void nearest_rows(const double* x, int64_t n, int d, const double* columns, const double* norms, int k,
                  int32_t* best, double* dist);

}  // namespace brasa::mllib::detail
