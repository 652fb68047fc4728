// The factors of one block of users or items: ids ascending, and rank
// floats per id, flat. ALSModel keeps its factors as RDDs of these.
#pragma once

#include <cstdint>
#include <vector>

namespace brasa::mllib::detail {

struct FactorBlock {
  int32_t rank = 0;
  std::vector<int32_t> ids;
  std::vector<float> factors;  // ids.size() x rank, row-major

  const float* of(size_t local) const { return factors.data() + local * rank; }
  size_t heap_bytes() const { return ids.capacity() * sizeof(int32_t) + factors.capacity() * sizeof(float); }
  template <class Ar> void serialize(Ar& ar) { ar(rank, ids, factors); }
};

}  // namespace brasa::mllib::detail
