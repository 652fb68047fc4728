// What aggregate_messages and pregel hand the user's send function for each
// edge (GraphX's EdgeContext): the edge's ids and attributes, and
// send_to_src / send_to_dst, which merge a message into the ones already
// bound for that vertex in this edge partition. A plain struct, inlined
// into the scan: no virtual call and no allocation per edge.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "brasa/graphx/types.h"

namespace brasa::graphx {

// Messages bound for the vertices of one edge partition, by local index.
template <class M, class Merge> struct LocalMessages {
  std::vector<M> value;
  std::vector<uint8_t> has;
  Merge* merge;
  void add(int32_t v, M m) {
    auto i = static_cast<size_t>(v);
    if (has[i]) {
      value[i] = (*merge)(std::move(value[i]), std::move(m));
    } else {
      value[i] = std::move(m);
      has[i] = 1;
    }
  }
};

template <class VD, class ED, class M, class Merge = M (*)(M, M)> class EdgeContext {
 public:
  VertexId src_id() const { return src_id_; }
  VertexId dst_id() const { return dst_id_; }
  // Valid when the operation's TripletFields read them.
  const VD& src_attr() const { return *src_attr_; }
  const VD& dst_attr() const { return *dst_attr_; }
  const ED& attr() const { return *attr_; }

  void send_to_src(M m) { out_->add(src_, std::move(m)); }
  void send_to_dst(M m) { out_->add(dst_, std::move(m)); }

  // Set by the scan for each edge.
  VertexId src_id_ = 0, dst_id_ = 0;
  int32_t src_ = 0, dst_ = 0;
  const VD* src_attr_ = nullptr;
  const VD* dst_attr_ = nullptr;
  const ED* attr_ = nullptr;
  LocalMessages<M, Merge>* out_ = nullptr;
};

}  // namespace brasa::graphx
