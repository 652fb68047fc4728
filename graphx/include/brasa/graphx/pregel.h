// GraphX's Pregel: vertex programs exchanging messages along edges in
// supersteps, with GraphX's semantics:
//   1. every vertex runs vprog(id, attr, initial_msg);
//   2. send runs on every edge, and the messages for each vertex are merged;
//   3. while some vertex received a message and fewer than max_iterations
//      supersteps ran: the vertices that received one run vprog(id, attr,
//      merged message), and send runs on the edges next to them (as
//      `direction` says: Out, edges from such a vertex; In, edges to it;
//      Either, both; Both, edges between two such vertices).
// send(EdgeContext<VD, ED, M, Merge>& ctx) reads ctx.src_attr(), ... and
// calls ctx.send_to_src(m) / ctx.send_to_dst(m); merge(M, M) -> M.
//
// Long runs keep lineage and memory flat without a checkpoint directory:
// every checkpoint_interval supersteps the vertex states, the edge
// partitions' replicated view of them and the messages are locally
// checkpointed (core's local_checkpoint: kept in the block managers).
// When an executor holding them dies, the run starts again from `graph`
// and gives the same result.
#pragma once

#include <climits>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "brasa/graphx/detail/replicated_vertex_view.h"
#include "brasa/graphx/graph.h"
#include "brasa/scheduler/iteration_clock.h"
#include "brasa/scheduler/lost_local_checkpoint.h"

namespace brasa::graphx {

namespace detail {
// Supersteps (or iterations, for the algorithms with loops of their own)
// between local checkpoints. A superstep's shuffle outputs stay alive until
// the next checkpoint cuts the lineage that reaches them, so each superstep
// before it writes into memory the process has not touched yet, and first
// touches are what cost (a page fault per 4 KiB): every other superstep
// keeps that to one superstep's outputs.
inline constexpr int kCheckpointInterval = 2;
}  // namespace detail

struct PregelOptions {
  int max_iterations = INT_MAX;
  EdgeDirection direction = EdgeDirection::Either;
  int checkpoint_interval = detail::kCheckpointInterval;  // supersteps between local checkpoints
};

namespace detail {

template <class VProg, class M> struct PregelStart {
  VProg vprog;
  M initial;
  template <class Ar>
  void serialize(Ar& ar) requires(!std::is_trivially_copyable_v<VProg> || !std::is_trivially_copyable_v<M>) {
    ar(vprog, initial);
  }
  template <class VD> VD operator()(VertexId id, const VD& attr) const { return vprog(id, attr, initial); }
};

}  // namespace detail

template <class VD, class ED, class M, class VProg, class Send, class Merge>
Graph<VD, ED> pregel(const Graph<VD, ED>& graph, M initial_msg, PregelOptions options, VProg vprog, Send send,
                     Merge merge) {
  if (options.max_iterations < 0)
    throw std::invalid_argument("pregel: max_iterations must be at least 0, got " +
                                std::to_string(options.max_iterations));
  if (options.checkpoint_interval < 1)
    throw std::invalid_argument("pregel: checkpoint_interval must be at least 1, got " +
                                std::to_string(options.checkpoint_interval));
  // A lost local checkpoint (its executor died) starts the run again from
  // `graph`: the same supersteps give the same bits.
  return restart_on_lost_local_checkpoint("pregel", [&] {
    Graph<VD, ED> g = graph.map_vertices(detail::PregelStart<VProg, M>{vprog, initial_msg});
    g.vertices().cache();
    // Each edge partition's copy of the attributes it reads, kept between
    // supersteps: a superstep ships only the vertices that changed.
    detail::ReplicatedVertexView<VD, ED> view(g);
    view.views().cache();
    VertexRDD<M> messages = view.template aggregate_messages<M>(send, merge, std::nullopt);
    messages.cache();
    int64_t active = messages.count();
    IterationClock clock(g.edge_partitions().node()->runtime(), "pregel");
    for (int i = 0; active > 0 && i < options.max_iterations; ++i) {
      // Vertices with a message run vprog; send then runs next to them.
      Graph<VD, ED> next = g.join_vertices(messages, vprog);
      next.vertices().cache();
      auto next_view = view.update(next, messages);
      next_view.views().cache();
      const bool checkpoint = (i + 1) % options.checkpoint_interval == 0;
      if (checkpoint) {
        next.vertices().partitions().local_checkpoint();
        next_view.views().local_checkpoint();
      }
      VertexRDD<M> next_messages = next_view.template aggregate_messages<M>(send, merge, options.direction);
      next_messages.cache();
      // The messages are checkpointed too: each set's lineage reaches back
      // through the active sets before it, to the first superstep.
      if (checkpoint) next_messages.partitions().local_checkpoint();
      active = next_messages.count();
      detail::release(g.vertices());
      detail::release(messages);
      detail::release(view.views());
      g = next;
      messages = next_messages;
      view = next_view;
      clock.lap(i + 1, static_cast<double>(active));  // value: messages for the next superstep
    }
    detail::release(view.views());
    detail::release(messages);
    return g;
  });
}

}  // namespace brasa::graphx
