// One partition of a vertex RDD as arrays: the partition's vertex ids in
// ascending order and a value per id, with a mask of the ids that have one
// (empty mask: all have). The vertex RDDs of a graph and of everything
// computed from it (degrees, messages) share the same ids per partition, so
// joining them is a walk over two arrays.
#pragma once

#include <cstdint>
#include <vector>

#include "brasa/graphx/shared_array.h"
#include "brasa/graphx/types.h"
#include "brasa/util/size_estimate.h"

namespace brasa::graphx {

// A vertex partition's ids, ascending. Every vertex RDD computed from a
// graph's vertices in one process has the same ones, so they are shared:
// a partition derived from another passes them on without a copy, and a
// join can tell at once that two partitions have the same ids (same()).
using VertexIds = SharedArray<VertexId>;

template <class T> struct VertexPartition {
  VertexIds ids;  // ascending
  std::vector<T> values;      // values[i] belongs to ids[i]; meaningless where the mask is 0
  std::vector<uint8_t> mask;  // empty, or 1 where ids[i] has a value

  size_t size() const { return ids.size(); }
  bool has(size_t i) const { return mask.empty() || mask[i]; }
  size_t count() const {
    if (mask.empty()) return ids.size();
    size_t n = 0;
    for (uint8_t m : mask) n += m;
    return n;
  }

  size_t heap_bytes() const {
    return ids.heap_bytes() + approx_bytes(values) + mask.capacity();
  }
  template <class Ar> void serialize(Ar& ar) { ar(ids, values, mask); }
};

}  // namespace brasa::graphx
