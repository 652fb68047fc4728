// One partition of a vertex RDD as arrays: the partition's vertex ids in
// ascending order and a value per id, with a mask of the ids that have one
// (empty mask: all have). The vertex RDDs of a graph and of everything
// computed from it (degrees, messages) share the same ids per partition, so
// joining them is a walk over two arrays.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "brasa/graphx/types.h"
#include "brasa/util/size_estimate.h"

namespace brasa::graphx {

// A vertex partition's ids, ascending and immutable. Every vertex RDD
// computed from a graph's vertices in one process has the same ones, so
// they are shared: passing them on to a partition derived from another is
// a reference count, not a copy, and a join can tell at once that two
// partitions have the same ids.
class VertexIds {
 public:
  VertexIds() = default;
  explicit VertexIds(std::vector<VertexId> ids)
      : ids_(std::make_shared<const std::vector<VertexId>>(std::move(ids))) {}

  size_t size() const { return ids_ ? ids_->size() : 0; }
  bool empty() const { return size() == 0; }
  VertexId operator[](size_t i) const { return (*ids_)[i]; }
  const VertexId* data() const { return ids_ ? ids_->data() : nullptr; }
  const VertexId* begin() const { return data(); }
  const VertexId* end() const { return data() + size(); }
  // The same array (not only equal ids).
  bool same(const VertexIds& other) const { return ids_ == other.ids_; }
  friend bool operator==(const VertexIds& a, const VertexIds& b) {
    return a.same(b) || (a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin()));
  }

  size_t heap_bytes() const { return size() * sizeof(VertexId); }
  template <class Ar> void serialize(Ar& ar) {
    if constexpr (std::is_same_v<Ar, ByteReader>) {
      std::vector<VertexId> ids;
      ar(ids);
      *this = VertexIds(std::move(ids));
    } else {
      static const std::vector<VertexId> kNone;
      ar(ids_ ? *ids_ : kNone);
    }
  }

 private:
  std::shared_ptr<const std::vector<VertexId>> ids_;
};

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
