// Graph<VD, ED>: a property graph, GraphX's Graph with snake_case names.
//
//   auto g = brasa::graphx::Graph<double, int>::from_edges(edges, 1.0);
//   auto in_sums = g.aggregate_messages<double>(
//       [](auto& ctx) { ctx.send_to_dst(ctx.src_attr()); },
//       [](double a, double b) { return a + b; }, brasa::graphx::TripletFields::src());
//
// A graph is two RDDs of arrays:
//   * the vertices, one VertexPartition per hash partition of ids (ids
//     ascending, an attribute each);
//   * the edges, one EdgePartition per partition (flat columns, clustered
//     by source; see edge_partition.h).
// An operation that reads vertex attributes at the edges (triplets,
// aggregate_messages, map_triplets) ships, from each vertex partition to
// each edge partition, one array of the attributes it needs (a routing
// table built once per graph structure says which), then scans each edge
// partition as one loop; messages go back the same way, one array per
// (edge partition, vertex partition), and are merged by position.
//
// Graphs are immutable values, cheap to copy (they share their RDDs). Like
// RDDs they are lazy; cache() keeps both RDDs in memory.
//
// Functions given to graph operations follow the core's rule (closure.h):
// trivially copyable, such as lambdas capturing numbers. Vertex attributes
// and messages must be default-constructible.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "brasa/brasa.h"
#include "brasa/graphx/edge_context.h"
#include "brasa/graphx/edge_partition.h"
#include "brasa/graphx/partition_strategy.h"
#include "brasa/graphx/types.h"
#include "brasa/graphx/vertex_partition.h"
#include "brasa/graphx/vertex_rdd.h"

namespace brasa::graphx {

// For each edge partition, the positions (in a vertex partition's ids) of
// the vertices it touches, in the order of the edge partition's route to
// it: what a vertex partition gathers and ships to each edge partition,
// and where the messages coming back belong.
struct RoutingPartition {
  std::vector<std::vector<int32_t>> positions;  // by edge partition
  std::vector<std::vector<uint8_t>> roles;      // by edge partition, beside positions (EdgePartition::roles)
  int32_t vertex_partition = 0;                 // which vertex partition these are positions in
  size_t heap_bytes() const {
    size_t n = 0;
    for (const auto& p : positions) n += sizeof(p) + p.capacity() * sizeof(int32_t);
    for (const auto& r : roles) n += sizeof(r) + r.capacity();
    return n;
  }
  template <class Ar> void serialize(Ar& ar) { ar(positions, roles, vertex_partition); }
};

// What graphs with the same vertices and edge layout share, whatever their
// attributes.
struct GraphStructure {
  int vertex_partitions = 1;
  std::mutex mu;                                 // graphs are used from several driver threads
  std::optional<RDD<RoutingPartition>> routing;  // built on first use
};

template <class VD, class ED> class Graph;
namespace detail {
template <class VD, class ED> class ReplicatedVertexView;
template <class VD> struct Shipments;
// into.outer_join_vertices(messages_of.aggregate_messages<M>(send, merge,
// fields), f) in one pass, without the merged messages as a vertex RDD in
// between (the algorithm library's iterations); both graphs have the same
// structure (one is derived from the other's vertices).
struct FusedJoin {
  template <class M, class VD, class ED, class VD3, class Send, class Merge, class F>
  static auto aggregate_then_join(const Graph<VD3, ED>& messages_of, const Graph<VD, ED>& into, Send send,
                                  Merge merge, TripletFields fields, F f);
  // Ships `graph`'s attributes for a later aggregate_then_join reading
  // `fields` now, computing (and caching, if persisted) its vertices in the
  // same stage: an iteration's state is computed and shipped in one stage.
  template <class VD, class ED> static void ship_ahead(const Graph<VD, ED>& graph, TripletFields fields);
};
}

template <class VD, class ED> class Graph {
 public:
  using Vertex = std::pair<VertexId, VD>;

  // ---- Construction ------------------------------------------------------

  // GraphX's Graph.fromEdges: the vertices are the edges' ends, each with
  // `default_attr`. The edges keep their input partitions; the vertices get
  // as many hash partitions.
  static Graph from_edges(const RDD<Edge<ED>>& edges, VD default_attr);

  // GraphX's Graph.fromEdgeTuples: edges (src, dst) with attribute 1.
  static Graph from_edge_tuples(const RDD<std::pair<VertexId, VertexId>>& edges, VD default_attr)
      requires std::is_arithmetic_v<ED>;

  // GraphX's Graph(vertices, edges, defaultVertexAttr): the given vertices
  // (one attribute per id; of duplicates, one is kept) and every edge end
  // missing from them with `default_attr`.
  static Graph create(const RDD<Vertex>& vertices, const RDD<Edge<ED>>& edges, VD default_attr);

  // ---- The graph's data -----------------------------------------------------

  // (id, attribute) of every vertex.
  VertexRDD<VD> vertices() const { return VertexRDD<VD>(vparts_); }
  // Every edge, partition by partition, each grouped by source (in the
  // partition's local order, not by id).
  RDD<Edge<ED>> edges() const;
  // The edges as stored: one EdgePartition per partition.
  const RDD<EdgePartition<ED>>& edge_partitions() const { return edges_; }
  // Every edge with the attributes of its ends.
  RDD<EdgeTriplet<VD, ED>> triplets() const;

  int64_t num_vertices() const { return vertices().count(); }
  int64_t num_edges() const;

  // (id, degree) of every vertex with at least one edge of that kind; as in
  // GraphX, vertices of degree 0 are absent. Self loops count twice in
  // degrees(), once in in_degrees() and out_degrees().
  VertexRDD<int> in_degrees() const;
  VertexRDD<int> out_degrees() const;
  VertexRDD<int> degrees() const;

  // ---- Transformations ------------------------------------------------------

  // New vertex attributes f(id, attr); same structure, no shuffle.
  template <class F> auto map_vertices(F f) const;
  // New edge attributes f(const Edge<ED>&); same structure.
  template <class F> auto map_edges(F f) const;
  // New edge attributes f(const EdgeTriplet<VD, ED>&).
  template <class F> auto map_triplets(F f, TripletFields fields = TripletFields::all()) const;
  // Every edge turned around.
  Graph reverse() const;
  // GraphX's subgraph: the vertices with vpred(id, attr), and the edges
  // with epred(triplet) between two of them.
  template <class EPred, class VPred> Graph subgraph(EPred epred, VPred vpred) const;
  // GraphX's mask: the vertices and edges of this graph that `other` also
  // has (vertices by id, edges by source and destination), with this
  // graph's attributes. A duplicated edge is kept as often as it is here.
  // Unlike GraphX's, the answer does not depend on how either graph's
  // edges are partitioned.
  template <class VD2, class ED2> Graph mask(const Graph<VD2, ED2>& other) const;
  // GraphX's groupEdges: the edges between the same source and destination
  // merged into one, whose attribute is merge(ED, ED) -> ED over theirs
  // (merge must be commutative and associative). Unlike GraphX's, this
  // merges duplicates in different partitions too (one shuffle), so no
  // partition_by is needed first.
  template <class Merge> Graph group_edges(Merge merge) const;

  // GraphX's outerJoinVertices: new attributes f(id, attr, std::optional<U>)
  // from the values of `other` by id (absent for ids it lacks). With a
  // VertexRDD of this graph (degrees, messages) it is a walk over arrays;
  // a pair RDD is first laid out like the vertices.
  template <class U, class F> auto outer_join_vertices(const VertexRDD<U>& other, F f) const;
  template <class U, class F> auto outer_join_vertices(const RDD<std::pair<VertexId, U>>& other, F f) const;
  // GraphX's joinVertices: attr = f(id, attr, u) where `other` has a value u.
  template <class U, class F> Graph join_vertices(const VertexRDD<U>& other, F f) const;
  template <class U, class F> Graph join_vertices(const RDD<std::pair<VertexId, U>>& other, F f) const;

  // The edges laid out again by `strategy` into n partitions (0: as many as now).
  Graph partition_by(PartitionStrategy strategy, int n = 0) const;

  // ---- Aggregation ---------------------------------------------------------------

  // GraphX's aggregateMessages: send(EdgeContext<VD, ED, M, Merge>&) is
  // called on every edge and may send messages to either end; the messages
  // for each vertex are combined with merge(M, M) -> M. Returns the merged
  // message of every vertex that received one. `fields` names what send
  // reads: without the source and destination attributes nothing is shipped.
  // A merge functor with an identity() member (merge(identity(), m) == m)
  // makes the scan faster (see MergeWithIdentity in edge_context.h).
  template <class M, class Send, class Merge>
  VertexRDD<M> aggregate_messages(Send send, Merge merge, TripletFields fields = TripletFields::all()) const;

  // aggregate_messages where send runs only on the edges next to the
  // vertices present in `active`, as `direction` says (Pregel's active set).
  template <class M, class Send, class Merge, class A>
  VertexRDD<M> aggregate_messages(Send send, Merge merge, TripletFields fields, const VertexRDD<A>& active,
                                  EdgeDirection direction) const;

  // ---- Persistence ---------------------------------------------------------------

  const Graph& cache() const { return persist(StorageLevel::memory_only()); }
  const Graph& persist(StorageLevel level) const;
  const Graph& unpersist() const;

  // The number of hash partitions of the vertices.
  int vertex_partitions() const { return structure_->vertex_partitions; }

  // This graph's edges with other vertex attributes, for the same vertices
  // (a VertexRDD computed from this graph, with a value for every vertex).
  template <class VD2> Graph<VD2, ED> with_vertices(const VertexRDD<VD2>& vertices) const {
    return Graph<VD2, ED>(vertices.partitions(), edges_, structure_);
  }

 private:
  template <class V2, class E2> friend class Graph;
  template <class V2, class E2> friend class detail::ReplicatedVertexView;  // Pregel's
  friend struct detail::FusedJoin;
  using Structure = GraphStructure;

  Graph(RDD<VertexPartition<VD>> vparts, RDD<EdgePartition<ED>> edges, std::shared_ptr<Structure> structure)
      : vparts_(std::move(vparts)),
        edges_(std::move(edges)),
        structure_(std::move(structure)),
        shipped_(std::make_shared<detail::Shipments<VD>>()) {}
  // From hash-partitioned (id, attribute) pairs and edges routed to as many
  // vertex partitions.
  static Graph build(const RDD<Vertex>& vertices, RDD<EdgePartition<ED>> edges, int vertex_partitions);
  // These vertices with other edges (routed to the same vertex partitions):
  // a new structure, whose routing table is built on first use.
  Graph with_edges(RDD<EdgePartition<ED>> edges) const;

  const RDD<RoutingPartition>& routing() const;
  // The vertex attributes each edge partition needs for an operation that
  // reads the ends in `roles` (with the active flags of `active` when
  // given: then every end), laid out by edge partition. Without `active`
  // the shipment is kept with the graph, as GraphX keeps its replicated
  // vertex view: aggregations over one graph ship its attributes once,
  // and its shuffle outputs live as long as the graph (or unpersist()).
  template <class A> auto ship(const RDD<VertexPartition<A>>* active, uint8_t roles = kSource | kDestination) const;
  // The scans' message blocks of aggregate_messages (without an active
  // set), by edge partition.
  template <class M, class Send, class Merge> auto scan_messages(Send send, Merge merge, TripletFields fields) const;
  // The messages of the scans, merged per vertex partition.
  template <class M, class Merge> VertexRDD<M> merge_messages(const auto& blocks, Merge merge) const;

  RDD<VertexPartition<VD>> vparts_;
  RDD<EdgePartition<ED>> edges_;
  std::shared_ptr<Structure> structure_;
  std::shared_ptr<detail::Shipments<VD>> shipped_;  // ship's results without an active set, by roles
};

}  // namespace brasa::graphx

#include "brasa/graphx/detail/graph_impl.h"
