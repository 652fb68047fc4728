// Pregel's replicated vertex view (GraphX's ReplicatedVertexView): each
// edge partition keeps, from one superstep to the next, the attributes of
// the vertices it touches and which of them are active. A superstep ships
// only the vertices that changed (those that received a message and ran
// the vertex program), so the shuffle of vertex attributes shrinks as the
// run converges; the arrays themselves are copied and patched, as GraphX
// does, and the view is an RDD like any other (cached, locally
// checkpointed with the vertices, recomputed from its lineage).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "brasa/graphx/graph.h"

namespace brasa::graphx::detail {

// One edge partition's view: by local index, attribute and active flag.
template <class VD> struct VertexView {
  std::vector<VD> attr;
  std::vector<uint8_t> active;
  size_t heap_bytes() const { return approx_bytes(attr) + active.capacity(); }
  template <class Ar> void serialize(Ar& ar) { ar(attr, active); }
};

// The first view: every routed vertex shipped, every vertex active.
template <class VD, class ED> struct BuildView {
  std::vector<VertexView<VD>> operator()(const Parts<ED>& parts, const Shipped<VD>& shipped) const {
    std::vector<VertexView<VD>> out;
    for (const auto& p : parts) {
      VertexView<VD> v;
      v.attr.assign(p.num_vertices(), VD{});
      v.active.assign(p.num_vertices(), 1);
      scatter(p, shipped, v.attr, nullptr, kSource | kDestination);
      out.push_back(std::move(v));
    }
    return out;
  }
};

// The next view: the last one's attributes with the changes written in;
// exactly the changed vertices are active.
template <class VD, class ED> struct PatchView {
  std::vector<VertexView<VD>> operator()(const std::vector<VertexView<VD>>& last, const Parts<ED>& parts,
                                         const Shipped<VD>& changes) const {
    std::vector<VertexView<VD>> out;
    for (size_t n = 0; n < parts.size(); ++n) {
      VertexView<VD> v;
      v.attr = last.at(n).attr;
      v.active.assign(parts[n].num_vertices(), 0);
      scatter(parts[n], changes, v.attr, &v.active, kSource | kDestination);
      out.push_back(std::move(v));
    }
    return out;
  }
};

template <class VD, class ED, class M, class Send, class Merge> struct ScanView {
  Scan<VD, ED, M, Send, Merge> scan;
  Messages<M> operator()(const Parts<ED>& parts, const std::vector<VertexView<VD>>& views) const {
    return scan.run(parts, views);
  }
};

template <class VD, class ED> class ReplicatedVertexView {
 public:
  // Every attribute of `graph` shipped; every vertex active.
  explicit ReplicatedVertexView(const Graph<VD, ED>& graph)
      : graph_(graph),
        views_(graph.edges_.zip_partitions(graph.template ship<VD>(nullptr), BuildView<VD, ED>{})) {}

  // The view of `graph`, which is this view's graph with new attributes
  // for the vertices present in `changed` (and only those): they alone
  // are shipped, and they are the active vertices.
  template <class M> ReplicatedVertexView update(const Graph<VD, ED>& graph, const VertexRDD<M>& changed) const {
    auto changes = graph.vparts_.zip_partitions(graph.routing(), changed.partitions(), GatherActive<VD, M>{true})
                       .partition_by(Partitioner::direct(graph.edges_.num_partitions()));
    return ReplicatedVertexView(graph, views_.zip_partitions(graph.edges_, changes, PatchView<VD, ED>{}));
  }

  // aggregate_messages over the view: on every edge, or (with a direction)
  // on the edges next to active vertices as Pregel's direction says.
  template <class M, class Send, class Merge>
  VertexRDD<M> aggregate_messages(Send send, Merge merge, std::optional<EdgeDirection> direction) const {
    Scan<VD, ED, M, Send, Merge> scan{send, merge, direction.has_value(), direction.value_or(EdgeDirection::Either)};
    auto blocks = graph_.edges_.zip_partitions(views_, ScanView<VD, ED, M, Send, Merge>{scan});
    return graph_.template merge_messages<M>(blocks, merge);
  }

  const RDD<VertexView<VD>>& views() const { return views_; }

 private:
  ReplicatedVertexView(const Graph<VD, ED>& graph, RDD<VertexView<VD>> views)
      : graph_(graph), views_(std::move(views)) {}

  Graph<VD, ED> graph_;
  RDD<VertexView<VD>> views_;
};

}  // namespace brasa::graphx::detail
