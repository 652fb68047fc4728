#include "brasa/graphx/partition_strategy.h"

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <utility>

#include "brasa/util/hash.h"

namespace brasa::graphx {

namespace {

// GraphX's mixing prime: spreads consecutive ids over partitions.
constexpr uint64_t kMixingPrime = 1125899906842597ULL;

uint64_t mix(VertexId id) { return static_cast<uint64_t>(id) * kMixingPrime; }

uint64_t pair_hash(VertexId a, VertexId b) { return hash_of(std::pair<VertexId, VertexId>(a, b)); }

}  // namespace

int partition_of_edge(PartitionStrategy strategy, VertexId src, VertexId dst, int num_partitions) {
  if (num_partitions < 1) throw std::invalid_argument("partition_of_edge: num_partitions must be at least 1");
  const auto n = static_cast<uint64_t>(num_partitions);
  switch (strategy) {
    case PartitionStrategy::EdgePartition1D:
      return static_cast<int>(mix(src) % n);
    case PartitionStrategy::EdgePartition2D: {
      // GraphX's layout: a square grid when n is a square, otherwise
      // columns of `rows` partitions with a shorter last column.
      auto cols = static_cast<uint64_t>(std::ceil(std::sqrt(static_cast<double>(n))));
      if (cols * cols == n) return static_cast<int>(((mix(src) % cols) * cols + mix(dst) % cols) % n);
      uint64_t rows = (n + cols - 1) / cols;
      uint64_t last_col_rows = n - rows * (cols - 1);
      uint64_t col = mix(src) % n / rows;
      uint64_t row = mix(dst) % (col < cols - 1 ? rows : last_col_rows);
      return static_cast<int>(col * rows + row);
    }
    case PartitionStrategy::RandomVertexCut:
      return static_cast<int>(pair_hash(src, dst) % n);
    case PartitionStrategy::CanonicalRandomVertexCut:
      return static_cast<int>((src < dst ? pair_hash(src, dst) : pair_hash(dst, src)) % n);
  }
  throw std::invalid_argument("partition_of_edge: unknown strategy");
}

PartitionStrategy partition_strategy_from_string(const std::string& name) {
  if (name == "EdgePartition1D") return PartitionStrategy::EdgePartition1D;
  if (name == "EdgePartition2D") return PartitionStrategy::EdgePartition2D;
  if (name == "RandomVertexCut") return PartitionStrategy::RandomVertexCut;
  if (name == "CanonicalRandomVertexCut") return PartitionStrategy::CanonicalRandomVertexCut;
  throw std::invalid_argument("unknown partition strategy '" + name +
                              "' (expected EdgePartition1D, EdgePartition2D, RandomVertexCut or "
                              "CanonicalRandomVertexCut)");
}

}  // namespace brasa::graphx
