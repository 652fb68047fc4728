// Spark's blocked layout for ALS, from the side being solved ("dst") and
// the side whose factors it reads ("src"). Ids are hashed into blocks by
// id mod the number of blocks; block b lives in partition b.
//
// A dst block's InBlock holds its ratings grouped by dst id; each rating
// names its src block and a slot in the factors that src block ships to
// this dst block. A src block's OutBlock lists, per dst block, which of its
// factors (local indices) that dst block needs, in slot order. So every
// factor crosses to a block that needs it exactly once per half-iteration.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <utility>
#include <vector>

#include "brasa/mllib/recommendation/als.h"

namespace brasa::mllib::detail {

struct InBlock {
  std::vector<int32_t> dst_ids;  // ascending
  std::vector<int32_t> dst_ptrs;  // dst j's ratings are [dst_ptrs[j], dst_ptrs[j + 1])
  std::vector<int32_t> src_blocks;
  std::vector<int32_t> src_slots;
  std::vector<float> ratings;
  std::vector<std::vector<int32_t>> src_ids;  // per src block: its ids in slot order

  size_t heap_bytes() const;
  template <class Ar> void serialize(Ar& ar) { ar(dst_ids, dst_ptrs, src_blocks, src_slots, ratings, src_ids); }
};

struct OutBlock {
  int32_t block = 0;
  std::vector<int32_t> ids;                  // the block's ids (those with ratings), ascending
  std::vector<std::vector<int32_t>> to_dst;  // per dst block: local indices (into ids) it needs
  template <class Ar> void serialize(Ar& ar) { ar(block, ids, to_dst); }
};

// One side's layout: in-blocks (solving it) and out-blocks (shipping its
// factors), both cached, with one record per partition.
struct Side {
  RDD<InBlock> in;
  RDD<OutBlock> out;
  int blocks = 0;
  void unpersist() const;
};

// Lays out ratings for both sides. Throws std::invalid_argument for NaN ratings.
std::pair<Side, Side> make_sides(const RDD<Rating>& ratings, int user_blocks, int item_blocks);

// Seeded unit-norm Gaussian factors for the ids of a side's out-blocks.
RDD<FactorBlock> initial_factors(const Side& side, int rank, uint64_t seed);

struct SolveOptions {
  int rank = 10;
  double reg_param = 0.1;
  bool implicit_prefs = false;
  double alpha = 1.0;
  bool nonnegative = false;
};

// The dst side's factors from the src side's (Spark's computeFactors).
RDD<FactorBlock> solve_side(const RDD<FactorBlock>& src_factors, const Side& src, const Side& dst,
                            const SolveOptions& options);

// sum over the side's factors of y y^T (implicit feedback's YtY).
Eigen::MatrixXd gram(const RDD<FactorBlock>& factors, int rank);

}  // namespace brasa::mllib::detail
