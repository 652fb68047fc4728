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

// A send function may declare which ends of every edge it sends exactly one
// message to, and that it sends no other: a member
//     uint8_t sends_on_every_edge() const { return kDestination; }
// (kSource, kDestination or both), as static PageRank's does. With a merge
// that has an identity, the scan then need not record per edge which
// vertices received a message (a store to a random address, a fifth of
// PageRank's scan): they are the edges' ends in those roles. The scan counts
// the messages and throws std::logic_error when the declaration was wrong.
template <class Send>
concept SendsOnEveryEdge = requires(const Send& send) {
  { send.sends_on_every_edge() } -> std::convertible_to<uint8_t>;
};

// Messages bound for the vertices of one edge partition, by local index:
// a view of the scan's arrays, held on its stack so that the compiler
// keeps the pointers in registers across the edge loop. Without
// kRecordReceivers (see SendsOnEveryEdge) it counts messages instead of
// marking their receivers.
template <class M, class Merge, bool kRecordReceivers = true> struct LocalMessages {
  M* value = nullptr;
  uint8_t* has = nullptr;
  Merge* merge = nullptr;
  size_t sent_to_src = 0, sent_to_dst = 0;  // counted without kRecordReceivers
  void add(int32_t v, M m) {
    auto i = static_cast<size_t>(v);
    if constexpr (!kRecordReceivers) {
      value[i] = (*merge)(std::move(value[i]), std::move(m));
    } else {
      if (MergeWithIdentity<Merge, M> || has[i])
        value[i] = (*merge)(std::move(value[i]), std::move(m));
      else
        value[i] = std::move(m);
      has[i] = 1;
    }
  }
};

template <class VD, class ED, class M, class Merge = M (*)(M, M), bool kRecordReceivers = true> class EdgeContext {
 public:
  VertexId src_id() const { return ids_[src_]; }
  VertexId dst_id() const { return ids_[dst_]; }
  // Valid when the operation's TripletFields read them.
  const VD& src_attr() const { return attrs_[src_]; }
  const VD& dst_attr() const { return attrs_[dst_]; }
  const ED& attr() const { return *attr_; }

  void send_to_src(M m) {
    out_->add(src_, std::move(m));
    if constexpr (!kRecordReceivers) ++out_->sent_to_src;
  }
  void send_to_dst(M m) {
    out_->add(dst_, std::move(m));
    if constexpr (!kRecordReceivers) ++out_->sent_to_dst;
  }

  // Set by the scan: the partition's arrays, then the local indices of
  // each edge's ends (ids and attributes are looked up only when asked).
  const VertexId* ids_ = nullptr;
  const VD* attrs_ = nullptr;
  LocalMessages<M, Merge, kRecordReceivers>* out_ = nullptr;
  int32_t src_ = 0, dst_ = 0;
  const ED* attr_ = nullptr;
};

}  // namespace brasa::graphx
