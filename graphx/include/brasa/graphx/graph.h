// Graph<VD, ED>: a property graph, GraphX's Graph with snake_case names.
//
//   auto g = brasa::graphx::Graph<double, int>::from_edges(edges, 1.0);
//   auto in_sums = g.aggregate_messages<double>(
//       [](auto& ctx) { ctx.send_to_dst(ctx.src_attr()); },
//       [](double a, double b) { return a + b; }, brasa::graphx::TripletFields::src());
//
// A graph is two RDDs:
//   * the vertices, (id, attribute) pairs hash-partitioned by id;
//   * the edges, one EdgePartition per partition (flat columns, clustered
//     by source; see edge_partition.h).
// An operation that reads vertex attributes at the edges (triplets,
// aggregate_messages, map_triplets) ships each vertex's attribute to the
// edge partitions that touch it (a routing table built once per edge
// layout), then scans each edge partition as one loop.
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
#include <optional>
#include <utility>
#include <vector>

#include "brasa/brasa.h"
#include "brasa/graphx/edge_context.h"
#include "brasa/graphx/edge_partition.h"
#include "brasa/graphx/partition_strategy.h"
#include "brasa/graphx/types.h"

namespace brasa::graphx {

// A vertex attribute as shipped to edge partitions, with whether the vertex
// is active (received a message in the last Pregel superstep).
template <class VD> struct ShippedVertex {
  VD attr{};
  bool active = true;
  template <class Ar> void serialize(Ar& ar) requires(!std::is_trivially_copyable_v<VD>) { ar(attr, active); }
};

template <class VD, class ED> class Graph {
 public:
  using Vertex = std::pair<VertexId, VD>;
  using VertexState = std::pair<VertexId, ShippedVertex<VD>>;

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

  // (id, attribute) of every vertex, hash-partitioned by id.
  const RDD<Vertex>& vertices() const { return vertices_; }
  // Every edge, partition by partition, each sorted by source then destination.
  RDD<Edge<ED>> edges() const;
  // The edges as stored: one EdgePartition per partition.
  const RDD<EdgePartition<ED>>& edge_partitions() const { return edges_; }
  // Every edge with the attributes of its ends.
  RDD<EdgeTriplet<VD, ED>> triplets() const;

  int64_t num_vertices() const { return vertices_.count(); }
  int64_t num_edges() const;

  // (id, degree) of every vertex with at least one edge of that kind; as in
  // GraphX, vertices of degree 0 are absent. Self loops count twice in
  // degrees(), once in in_degrees() and out_degrees().
  RDD<std::pair<VertexId, int>> in_degrees() const;
  RDD<std::pair<VertexId, int>> out_degrees() const;
  RDD<std::pair<VertexId, int>> degrees() const;

  // ---- Transformations ------------------------------------------------------

  // New vertex attributes f(id, attr); same structure, no shuffle.
  template <class F> auto map_vertices(F f) const;
  // New edge attributes f(const Edge<ED>&); same structure.
  template <class F> auto map_edges(F f) const;
  // New edge attributes f(const EdgeTriplet<VD, ED>&), reading only `fields`.
  template <class F> auto map_triplets(F f, TripletFields fields = TripletFields::all()) const;
  // Every edge turned around.
  Graph reverse() const;

  // GraphX's outerJoinVertices: new attributes f(id, attr, std::optional<U>)
  // from the values of `other` by id (absent for ids it lacks).
  template <class U, class F> auto outer_join_vertices(const RDD<std::pair<VertexId, U>>& other, F f) const;
  // GraphX's joinVertices: attr = f(id, attr, u) where `other` has a value u.
  template <class U, class F> Graph join_vertices(const RDD<std::pair<VertexId, U>>& other, F f) const;

  // The edges laid out again by `strategy` into n partitions (0: as many as now).
  Graph partition_by(PartitionStrategy strategy, int n = 0) const;

  // ---- Aggregation ---------------------------------------------------------------

  // GraphX's aggregateMessages: send(EdgeContext<VD, ED, M, Merge>&) is
  // called on every edge and may send messages to either end; the messages
  // for each vertex are combined with merge(M, M) -> M. Returns (id, message)
  // for every vertex that received one, partitioned like vertices().
  // `fields` names what send reads: only those attributes are shipped.
  template <class M, class Send, class Merge>
  RDD<std::pair<VertexId, M>> aggregate_messages(Send send, Merge merge,
                                                 TripletFields fields = TripletFields::all()) const;

  // aggregate_messages over (id, attribute, active) vertex states: with
  // `active_direction`, send runs only on the edges whose ends are active
  // as the direction says (Pregel's active set).
  template <class M, class Send, class Merge>
  RDD<std::pair<VertexId, M>> aggregate_states(const RDD<VertexState>& states, Send send, Merge merge,
                                               TripletFields fields,
                                               std::optional<EdgeDirection> active_direction) const;

  // ---- Persistence ---------------------------------------------------------------

  const Graph& cache() const { return persist(StorageLevel::memory_only()); }
  const Graph& persist(StorageLevel level) const;
  const Graph& unpersist() const;

  // The layout of vertices() (hash by id).
  const Partitioner& vertex_partitioner() const { return *vertices_.partitioner(); }

  // A graph of these vertices (partitioned by vertex_partitioner()) and edges.
  Graph(RDD<Vertex> vertices, RDD<EdgePartition<ED>> edges);
  // This graph's edges with other vertex attributes, given for the same
  // vertices and partitioned like vertices().
  template <class VD2> Graph<VD2, ED> with_vertices(RDD<std::pair<VertexId, VD2>> vertices) const {
    return Graph<VD2, ED>(std::move(vertices), edges_, routing_);
  }

 private:
  template <class V2, class E2> friend class Graph;
  using Routing = RDD<std::pair<VertexId, int32_t>>;

  Graph(RDD<Vertex> vertices, RDD<EdgePartition<ED>> edges, std::shared_ptr<std::optional<Routing>> routing)
      : vertices_(std::move(vertices)), edges_(std::move(edges)), routing_(std::move(routing)) {}

  // (vertex, edge partition) for every edge partition that touches the
  // vertex, partitioned like the vertices; built on first use and shared by
  // graphs with the same edge layout.
  const Routing& routing() const;
  // (edge partition, (vertex, state)) for the routing table's pairs,
  // laid out by edge partition.
  RDD<std::pair<int32_t, VertexState>> ship(const RDD<VertexState>& states) const;
  RDD<VertexState> states() const;

  RDD<Vertex> vertices_;
  RDD<EdgePartition<ED>> edges_;
  std::shared_ptr<std::optional<Routing>> routing_;
};

}  // namespace brasa::graphx

#include "brasa/graphx/detail/graph_impl.h"
