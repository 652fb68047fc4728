#include "instance_block.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "brasa/util/hash.h"
#include "linalg/dense_kernels.h"

namespace brasa::mllib::detail {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace instance_block_impl {

// By default up to 2^17 stored values (1 MiB) per block: an iteration's two
// passes over a block (margins, then gradient) find it in cache.
constexpr int64_t kValuesPerBlock = int64_t{1} << 17;
constexpr int64_t kBlocksPerPartition = 8;

struct PartitionShape {
  int64_t count = 0;
  int64_t stored = 0;  // stored feature values
  int32_t min_size = INT32_MAX;
  int32_t max_size = -1;
};

struct MeasurePartition {
  std::vector<PartitionShape> operator()(const std::vector<LabeledPoint>& points) const {
    PartitionShape s;
    for (const auto& p : points) {
      ++s.count;
      s.stored += p.features.num_actives();
      s.min_size = std::min(s.min_size, p.features.size());
      s.max_size = std::max(s.max_size, p.features.size());
    }
    return {s};
  }
};

using Positioned = std::pair<int, std::pair<int64_t, LabeledPoint>>;

// Keys each point by the partition of its block, beside its global position.
struct PlacePoints {
  std::vector<int64_t> offsets;  // global position of each input partition's first point
  int64_t rows_per_block = 1;
  template <class Ar> void serialize(Ar& ar) { ar(offsets, rows_per_block); }

  std::vector<Positioned> operator()(int p, std::vector<LabeledPoint>&& points) const {
    std::vector<Positioned> out;
    out.reserve(points.size());
    int64_t position = offsets[p];
    for (auto& point : points) {
      int block_partition = static_cast<int>(position / rows_per_block / kBlocksPerPartition);
      out.push_back({block_partition, {position++, std::move(point)}});
    }
    return out;
  }
};

struct BuildBlocks {
  int64_t rows_per_block = 1;
  int32_t cols = 0;
  std::string who;
  template <class Ar> void serialize(Ar& ar) { ar(rows_per_block, cols, who); }

  [[noreturn]] void bad(int64_t position, const std::string& what) const {
    throw std::invalid_argument(who + ": the point at position " + std::to_string(position) +
                                " of the input " + what);
  }

  std::vector<InstanceBlock> operator()(std::vector<Positioned>&& part) const {
    std::sort(part.begin(), part.end(),
              [](const Positioned& a, const Positioned& b) { return a.second.first < b.second.first; });
    std::vector<InstanceBlock> out;
    for (size_t begin = 0; begin < part.size();) {
      const int64_t block = part[begin].second.first / rows_per_block;
      size_t end = begin;
      int64_t stored = 0;
      while (end < part.size() && part[end].second.first / rows_per_block == block)
        stored += part[end++].second.second.features.num_nonzeros();
      out.push_back(build(part, begin, end, stored));
      begin = end;
    }
    return out;
  }

  InstanceBlock build(const std::vector<Positioned>& part, size_t begin, size_t end, int64_t nonzeros) const {
    InstanceBlock b;
    b.first = part[begin].second.first;
    b.rows = static_cast<int32_t>(end - begin);
    b.cols = cols;
    b.labels.reserve(b.rows);
    b.weights.assign(b.rows, 1.0);
    const bool dense = 2 * nonzeros >= int64_t{b.rows} * cols;
    if (dense) {
      b.values.assign(int64_t{b.rows} * cols, 0.0);
    } else {
      b.row_ptr.reserve(b.rows + 1);
      b.row_ptr.push_back(0);
      b.values.reserve(nonzeros);
      b.col_idx.reserve(nonzeros);
    }
    for (size_t k = begin; k < end; ++k) {
      const auto& [position, point] = part[k].second;
      if (point.features.size() != cols)
        bad(position, "has " + std::to_string(point.features.size()) + " features, the first has " +
                          std::to_string(cols));
      if (!std::isfinite(point.label)) bad(position, "has a NaN or infinite label");
      b.labels.push_back(point.label);
      double* row = dense ? b.values.data() + int64_t(k - begin) * cols : nullptr;
      point.features.for_each_active([&](int32_t j, double x) {
        if (!std::isfinite(x)) bad(position, "has a NaN or infinite value at feature " + std::to_string(j));
        if (dense) {
          row[j] = x;
        } else if (x != 0.0) {
          b.col_idx.push_back(j);
          b.values.push_back(x);
        }
      });
      if (!dense) b.row_ptr.push_back(static_cast<int32_t>(b.values.size()));
    }
    return b;
  }
};

struct RowsAt {
  std::vector<int64_t> positions;  // ascending, distinct
  template <class Ar> void serialize(Ar& ar) { ar(positions); }
  std::vector<std::pair<int64_t, DenseVector>> operator()(const InstanceBlock& blk) const {
    std::vector<std::pair<int64_t, DenseVector>> out;
    for (auto it = std::lower_bound(positions.begin(), positions.end(), blk.first);
         it != positions.end() && *it < blk.first + blk.rows; ++it)
      out.emplace_back(*it, blk.row(static_cast<int32_t>(*it - blk.first)));
    return out;
  }
};

struct AsPoint {
  LabeledPoint operator()(const Vector& v) const { return LabeledPoint{0.0, v}; }
};

}  // namespace instance_block_impl
using namespace instance_block_impl;

DenseVector InstanceBlock::row(int32_t i) const {
  DenseVector v = DenseVector::Zero(cols);
  for_each_in_row(i, [&](int32_t c, double x) { v[c] = x; });
  return v;
}

void InstanceBlock::multiply(const DenseVector& w, double* y) const {
  if (!sparse()) return multiply_rows(values.data(), rows, cols, w.data(), y);
  for (int32_t i = 0; i < rows; ++i) {
    double s = 0;
    for (int32_t k = row_ptr[i]; k < row_ptr[i + 1]; ++k) s += values[k] * w[col_idx[k]];
    y[i] = s;
  }
}

void InstanceBlock::add_transposed(const double* r, DenseVector& g) const {
  if (!sparse()) return add_weighted_rows(values.data(), rows, cols, r, g.data());
  for (int32_t i = 0; i < rows; ++i)
    for (int32_t k = row_ptr[i]; k < row_ptr[i + 1]; ++k) g[col_idx[k]] += r[i] * values[k];
}

Blocks make_blocks(const RDD<LabeledPoint>& points, const char* who, double max_block_mb) {
  if (!(max_block_mb >= 0))
    throw std::invalid_argument(std::string(who) + ": max_block_size_in_mb must be at least 0, got " +
                                std::to_string(max_block_mb));
  auto shapes = points.map_partitions(MeasurePartition{}).collect();
  PlacePoints place;
  int64_t count = 0, stored = 0;
  int32_t min_size = INT32_MAX, max_size = -1;
  for (const auto& s : shapes) {
    place.offsets.push_back(count);
    count += s.count;
    stored += s.stored;
    min_size = std::min(min_size, s.min_size);
    max_size = std::max(max_size, s.max_size);
  }
  if (count == 0) throw std::invalid_argument(std::string(who) + ": the input has no points");
  if (min_size != max_size)
    throw std::invalid_argument(std::string(who) + ": points have different numbers of features (" +
                                std::to_string(min_size) + " and " + std::to_string(max_size) + ")");
  const int64_t per_row = std::max<int64_t>(1, (stored + count - 1) / count);
  const int64_t values_per_block =
      max_block_mb > 0 ? static_cast<int64_t>(max_block_mb * (1 << 20) / sizeof(double)) : kValuesPerBlock;
  place.rows_per_block = std::clamp<int64_t>(values_per_block / per_row, 1, 1 << 16);
  const int64_t num_blocks = (count + place.rows_per_block - 1) / place.rows_per_block;
  const int partitions = static_cast<int>((num_blocks + kBlocksPerPartition - 1) / kBlocksPerPartition);
  Blocks out;
  out.count = count;
  out.rows_per_block = place.rows_per_block;
  out.num_features = max_size;
  out.rdd = points.map_partitions_with_index(place)
                .partition_by(Partitioner::direct(partitions))
                .map_partitions(BuildBlocks{place.rows_per_block, max_size, who});
  out.rdd.set_name(std::string(who) + " training blocks");
  out.rdd.cache();
  return out;
}

Blocks make_blocks(const RDD<Vector>& points, const char* who, double max_block_mb) {
  return make_blocks(points.map(AsPoint{}), who, max_block_mb);
}

std::vector<std::pair<int64_t, DenseVector>> rows_at(const Blocks& blocks, std::vector<int64_t> positions) {
  std::sort(positions.begin(), positions.end());
  positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
  auto rows = blocks.rdd.flat_map(RowsAt{std::move(positions)}).collect();
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return rows;
}

double uniform_at(uint64_t seed, uint64_t step, int64_t position) {
  uint64_t h = mix64(hash_combine(hash_combine(seed, step), static_cast<uint64_t>(position)));
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

SeededRandom::SeededRandom(uint64_t seed) : engine(mix64(seed)) {}

}  // namespace brasa::mllib::detail
