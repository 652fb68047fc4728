// Training data laid out for iterative algorithms: blocks of consecutive
// points stored as one flat matrix each (dense row-major, or CSR when
// sparse), cached, and read in place every iteration.
//
// The layout is canonical: block b holds points [b*B, (b+1)*B) of the
// input in its order, with B fixed by the number of features, and the
// blocks are spread over a number of partitions fixed by their count. So
// every sum over the data runs in the same order whatever the input's
// partitioning or the master, and models are bit-identical across them.
#pragma once

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "brasa/mllib/labeled_point.h"
#include "brasa/rdd/rdd.h"
#include "brasa/scheduler/iteration_clock.h"

namespace brasa::mllib::detail {

struct InstanceBlock {
  int64_t first = 0;  // position of the first row in the input
  int32_t rows = 0;
  int32_t cols = 0;
  std::vector<double> labels;
  std::vector<double> weights;
  std::vector<double> values;    // rows x cols row-major when dense; CSR values when sparse
  std::vector<int32_t> row_ptr;  // CSR (rows + 1 offsets) when sparse; empty when dense
  std::vector<int32_t> col_idx;  // CSR column indices

  bool sparse() const { return !row_ptr.empty(); }
  // y[i] = x_i . w for the block's rows (y sized rows).
  void multiply(const DenseVector& w, double* y) const;
  // g += sum_i r[i] * x_i
  void add_transposed(const double* r, DenseVector& g) const;
  // Row i as a dense vector.
  DenseVector row(int32_t i) const;
  // f(col, value) for each stored entry of row i.
  template <class F> void for_each_in_row(int32_t i, F&& f) const {
    if (sparse()) {
      for (int32_t k = row_ptr[i]; k < row_ptr[i + 1]; ++k) f(col_idx[k], values[k]);
    } else {
      const double* row = values.data() + int64_t{i} * cols;
      for (int32_t j = 0; j < cols; ++j) f(j, row[j]);
    }
  }

  size_t heap_bytes() const {
    return (labels.capacity() + weights.capacity() + values.capacity()) * sizeof(double) +
           (row_ptr.capacity() + col_idx.capacity()) * sizeof(int32_t);
  }
  template <class Archive> void serialize(Archive& ar) {
    ar(first, rows, cols, labels, weights, values, row_ptr, col_idx);
  }
};

// Cached while it lives: a fit's training data goes when the fit ends,
// thrown or not.
struct Blocks {
  RDD<InstanceBlock> rdd;
  int64_t count = 0;
  int64_t rows_per_block = 0;
  int32_t num_features = 0;

  Blocks() = default;
  Blocks(Blocks&&) = default;
  Blocks(const Blocks&) = delete;
  ~Blocks() {
    if (rdd.node()) rdd.unpersist();
  }
};

// The points in canonical blocks. `who` names the caller in errors: points
// of different sizes, NaN or infinite features or labels (naming the
// point's position), or no points at all. max_block_mb bounds a block's
// stored values (Spark's maxBlockSizeInMB; 0 picks 1 MiB).
Blocks make_blocks(const RDD<LabeledPoint>& points, const char* who, double max_block_mb = 0);
Blocks make_blocks(const RDD<Vector>& points, const char* who, double max_block_mb = 0);

// (position, row) for the given positions of the input, ascending and
// without repeats: the rows an initialisation picked.
std::vector<std::pair<int64_t, DenseVector>> rows_at(const Blocks& blocks, std::vector<int64_t> positions);

// Seeded randomness that does not depend on the partitioning: a uniform
// draw in [0, 1) fixed by (seed, step, position) for work on the blocks,
// and a driver-side stream with the same draws on every platform.
double uniform_at(uint64_t seed, uint64_t step, int64_t position);
struct SeededRandom {
  std::mt19937_64 engine;
  explicit SeededRandom(uint64_t seed);
  double uniform() { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }
  int64_t below(int64_t n) { return static_cast<int64_t>(uniform() * static_cast<double>(n)); }
};

}  // namespace brasa::mllib::detail
