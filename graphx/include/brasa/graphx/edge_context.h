// What aggregate_messages and pregel hand the user's send function for each
// edge (GraphX's EdgeContext): the edge's ids and attributes, and
// send_to_src / send_to_dst, which merge a message into the ones already
// bound for that vertex in this edge partition. A plain struct, inlined
// into the scan: no virtual call and no allocation per edge.
#pragma once

#include <concepts>
#include <cstdint>
#include <utility>
#include <vector>

#include "brasa/graphx/types.h"

namespace brasa::graphx {

// A merge function may declare its identity: merge(merge.identity(), m)
// == merge(m, merge.identity()) == m for every message m (0 for a sum, the
// largest value for a minimum).
// The scan then starts every vertex at the identity and merges each
// message without first testing whether the vertex has one, a test whose
// random outcome costs PageRank a fifth of its time.
template <class Merge, class M>
concept MergeWithIdentity = requires(const Merge& merge) {
  { merge.identity() } -> std::convertible_to<M>;
};

// What a vertex's slot holds before any message reaches it.
template <class M, class Merge> M no_message(const Merge& merge) {
  if constexpr (MergeWithIdentity<Merge, M>)
    return merge.identity();
  else
    return M{};
}

// Messages bound for the vertices of one edge partition, by local index:
// a view of the scan's arrays, held on its stack so that the compiler
// keeps the pointers in registers across the edge loop.
template <class M, class Merge> struct LocalMessages {
  M* value = nullptr;
  uint8_t* has = nullptr;
  Merge* merge = nullptr;
  void add(int32_t v, M m) {
    auto i = static_cast<size_t>(v);
    if (MergeWithIdentity<Merge, M> || has[i])
      value[i] = (*merge)(std::move(value[i]), std::move(m));
    else
      value[i] = std::move(m);
    has[i] = 1;
  }
};

template <class VD, class ED, class M, class Merge = M (*)(M, M)> class EdgeContext {
 public:
  VertexId src_id() const { return ids_[src_]; }
  VertexId dst_id() const { return ids_[dst_]; }
  // Valid when the operation's TripletFields read them.
  const VD& src_attr() const { return attrs_[src_]; }
  const VD& dst_attr() const { return attrs_[dst_]; }
  const ED& attr() const { return *attr_; }

  void send_to_src(M m) { out_->add(src_, std::move(m)); }
  void send_to_dst(M m) { out_->add(dst_, std::move(m)); }

  // Set by the scan: the partition's arrays, then the local indices of
  // each edge's ends (ids and attributes are looked up only when asked).
  const VertexId* ids_ = nullptr;
  const VD* attrs_ = nullptr;
  LocalMessages<M, Merge>* out_ = nullptr;
  int32_t src_ = 0, dst_ = 0;
  const ED* attr_ = nullptr;
};

}  // namespace brasa::graphx
