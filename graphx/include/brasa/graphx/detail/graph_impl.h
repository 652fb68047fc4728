// Definitions of Graph<VD, ED>'s members (graph.h is the API). The
// functions shipped to executors are the small functors below: each holds
// only the user's functions and plain values, so it stays trivially
// copyable when they are.
#pragma once

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

namespace brasa::graphx {
namespace detail {

template <class ED> using Parts = std::vector<EdgePartition<ED>>;
template <class VD> using Shipped = std::vector<std::pair<int32_t, std::pair<VertexId, ShippedVertex<VD>>>>;

template <class ED> struct BuildEdgePartition {
  std::vector<EdgePartition<ED>> operator()(const std::vector<Edge<ED>>& edges) const {
    return {EdgePartition<ED>::build(edges)};
  }
};

template <class ED> struct EdgesOf {
  std::vector<Edge<ED>> operator()(const Parts<ED>& parts) const {
    std::vector<Edge<ED>> out;
    for (const auto& p : parts) {
      out.reserve(out.size() + p.size());
      for (size_t e = 0; e < p.size(); ++e) out.push_back(Edge<ED>{p.src_id(e), p.dst_id(e), p.attr[e]});
    }
    return out;
  }
};

// (vertex, edge partition index) for every vertex the partition touches.
template <class ED> struct RoutingPairs {
  std::vector<std::pair<VertexId, int32_t>> operator()(int index, const Parts<ED>& parts) const {
    std::vector<std::pair<VertexId, int32_t>> out;
    for (const auto& p : parts)
      for (VertexId v : p.local_to_global) out.emplace_back(v, index);
    return out;
  }
};

// (vertex, nullopt) for every vertex the partition touches.
template <class VD, class ED> struct EdgeEnds {
  std::vector<std::pair<VertexId, std::optional<VD>>> operator()(const Parts<ED>& parts) const {
    std::vector<std::pair<VertexId, std::optional<VD>>> out;
    for (const auto& p : parts)
      for (VertexId v : p.local_to_global) out.emplace_back(v, std::nullopt);
    return out;
  }
};

struct PreferPresent {
  template <class X> std::optional<X> operator()(std::optional<X> a, std::optional<X> b) const {
    return a ? std::move(a) : std::move(b);
  }
};

// The attribute, or the default for vertices known only from edges.
template <class VD> struct OrDefault {
  VD value{};
  VD operator()(std::optional<VD> v) const { return v ? std::move(*v) : value; }
  template <class Ar> void serialize(Ar& ar) { ar(value); }
};

template <class VD> struct ToOptional {
  std::optional<VD> operator()(VD v) const { return std::optional<VD>(std::move(v)); }
};

template <class VD> struct ToState {
  ShippedVertex<VD> operator()(const VD& v) const { return ShippedVertex<VD>{v, true}; }
};

// (edge partition, (vertex, state)) from (vertex, (edge partition, state)).
template <class VD> struct ToEdgePartition {
  std::pair<int32_t, std::pair<VertexId, ShippedVertex<VD>>> operator()(
      const std::pair<VertexId, std::pair<int32_t, ShippedVertex<VD>>>& r) const {
    return {r.second.first, {r.first, r.second.second}};
  }
};

template <class VD, class F> struct MapVertices {
  using VD2 = std::decay_t<std::invoke_result_t<const F&, VertexId, const VD&>>;
  F f;
  std::vector<std::pair<VertexId, VD2>> operator()(const std::vector<std::pair<VertexId, VD>>& part) const {
    std::vector<std::pair<VertexId, VD2>> out;
    out.reserve(part.size());
    for (const auto& [id, attr] : part) out.emplace_back(id, f(id, attr));
    return out;
  }
};

template <class ED, class F> struct MapEdges {
  F f;
  auto operator()(const Parts<ED>& parts) const {
    using ED2 = std::decay_t<std::invoke_result_t<const F&, const Edge<ED>&>>;
    std::vector<EdgePartition<ED2>> out;
    for (const auto& p : parts) {
      std::vector<ED2> attrs;
      attrs.reserve(p.size());
      Edge<ED> e;
      for (size_t i = 0; i < p.size(); ++i) {
        e.src = p.src_id(i);
        e.dst = p.dst_id(i);
        e.attr = p.attr[i];
        attrs.push_back(f(e));
      }
      out.push_back(p.with_attrs(std::move(attrs)));
    }
    return out;
  }
};

template <class ED> struct Reverse {
  Parts<ED> operator()(const Parts<ED>& parts) const {
    Parts<ED> out;
    for (const auto& p : parts) {
      std::vector<Edge<ED>> edges;
      edges.reserve(p.size());
      for (size_t e = 0; e < p.size(); ++e) edges.push_back(Edge<ED>{p.dst_id(e), p.src_id(e), p.attr[e]});
      out.push_back(EdgePartition<ED>::build(edges));
    }
    return out;
  }
};

// The vertex attributes and active flags of one edge partition, by local
// index, from the states shipped to it.
template <class VD> struct LocalVertices {
  std::vector<VD> attr;
  std::vector<uint8_t> active;
  template <class ED> LocalVertices(const EdgePartition<ED>& p, const Shipped<VD>* shipped) {
    size_t n = p.num_vertices();
    if (!shipped) {
      active.assign(n, 1);
      return;
    }
    attr.resize(n);
    active.assign(n, 0);
    for (const auto& [part, vertex] : *shipped) {
      int32_t l = p.local_of(vertex.first);
      if (l < 0) throw std::logic_error("graphx: a vertex was shipped to an edge partition that lacks it");
      attr[static_cast<size_t>(l)] = vertex.second.attr;
      active[static_cast<size_t>(l)] = vertex.second.active;
    }
  }
};

inline bool edge_is_active(const std::vector<uint8_t>& active, int32_t s, int32_t d, EdgeDirection dir) {
  switch (dir) {
    case EdgeDirection::Out: return active[static_cast<size_t>(s)];
    case EdgeDirection::In: return active[static_cast<size_t>(d)];
    case EdgeDirection::Either: return active[static_cast<size_t>(s)] || active[static_cast<size_t>(d)];
    case EdgeDirection::Both: return active[static_cast<size_t>(s)] && active[static_cast<size_t>(d)];
  }
  return true;
}

// The scan of aggregate_messages: send on every (active) edge of the
// partition, messages merged per local vertex, then one (id, message) per
// vertex that received any.
template <class VD, class ED, class M, class Send, class Merge> struct ScanEdges {
  Send send;
  Merge merge;
  bool filter_active = false;
  EdgeDirection direction = EdgeDirection::Either;

  std::vector<std::pair<VertexId, M>> scan(const Parts<ED>& parts, const Shipped<VD>* shipped) const {
    std::vector<std::pair<VertexId, M>> out;
    Send send_fn = send;
    Merge merge_fn = merge;
    for (const auto& p : parts) {
      LocalVertices<VD> local(p, shipped);
      size_t n = p.num_vertices();
      LocalMessages<M, Merge> messages{std::vector<M>(n), std::vector<uint8_t>(n, 0), &merge_fn};
      EdgeContext<VD, ED, M, Merge> ctx;
      ctx.out_ = &messages;
      const bool have_attrs = shipped != nullptr;
      for (size_t e = 0; e < p.size(); ++e) {
        int32_t s = p.src[e], d = p.dst[e];
        if (filter_active && !edge_is_active(local.active, s, d, direction)) continue;
        ctx.src_ = s;
        ctx.dst_ = d;
        ctx.src_id_ = p.local_to_global[static_cast<size_t>(s)];
        ctx.dst_id_ = p.local_to_global[static_cast<size_t>(d)];
        if (have_attrs) {
          ctx.src_attr_ = &local.attr[static_cast<size_t>(s)];
          ctx.dst_attr_ = &local.attr[static_cast<size_t>(d)];
        }
        ctx.attr_ = &p.attr[e];
        send_fn(ctx);
      }
      for (size_t v = 0; v < n; ++v)
        if (messages.has[v]) out.emplace_back(p.local_to_global[v], std::move(messages.value[v]));
    }
    return out;
  }
};
template <class VD, class ED, class M, class Send, class Merge> struct ScanWithStates {
  ScanEdges<VD, ED, M, Send, Merge> scan;
  std::vector<std::pair<VertexId, M>> operator()(const Parts<ED>& parts, const Shipped<VD>& shipped) const {
    return scan.scan(parts, &shipped);
  }
};
template <class VD, class ED, class M, class Send, class Merge> struct ScanWithoutStates {
  ScanEdges<VD, ED, M, Send, Merge> scan;
  std::vector<std::pair<VertexId, M>> operator()(const Parts<ED>& parts) const { return scan.scan(parts, nullptr); }
};

template <class VD, class ED> struct Triplets {
  std::vector<EdgeTriplet<VD, ED>> operator()(const Parts<ED>& parts, const Shipped<VD>& shipped) const {
    std::vector<EdgeTriplet<VD, ED>> out;
    for (const auto& p : parts) {
      LocalVertices<VD> local(p, &shipped);
      out.reserve(out.size() + p.size());
      for (size_t e = 0; e < p.size(); ++e)
        out.push_back(EdgeTriplet<VD, ED>{p.src_id(e), p.dst_id(e), local.attr[static_cast<size_t>(p.src[e])],
                                          local.attr[static_cast<size_t>(p.dst[e])], p.attr[e]});
    }
    return out;
  }
};

template <class VD, class ED, class F> struct MapTriplets {
  F f;
  auto operator()(const Parts<ED>& parts, const Shipped<VD>& shipped) const {
    using ED2 = std::decay_t<std::invoke_result_t<const F&, const EdgeTriplet<VD, ED>&>>;
    std::vector<EdgePartition<ED2>> out;
    for (const auto& p : parts) {
      LocalVertices<VD> local(p, &shipped);
      std::vector<ED2> attrs;
      attrs.reserve(p.size());
      EdgeTriplet<VD, ED> t;
      for (size_t e = 0; e < p.size(); ++e) {
        t.src = p.src_id(e);
        t.dst = p.dst_id(e);
        t.src_attr = local.attr[static_cast<size_t>(p.src[e])];
        t.dst_attr = local.attr[static_cast<size_t>(p.dst[e])];
        t.attr = p.attr[e];
        attrs.push_back(f(t));
      }
      out.push_back(p.with_attrs(std::move(attrs)));
    }
    return out;
  }
};

template <class VD, class U, class F> struct OuterJoinApply {
  using VD2 = std::decay_t<std::invoke_result_t<const F&, VertexId, const VD&, std::optional<U>>>;
  F f;
  std::vector<std::pair<VertexId, VD2>> operator()(
      const std::vector<std::pair<VertexId, std::pair<VD, std::optional<U>>>>& part) const {
    std::vector<std::pair<VertexId, VD2>> out;
    out.reserve(part.size());
    for (const auto& [id, vu] : part) out.emplace_back(id, f(id, vu.first, vu.second));
    return out;
  }
};

template <class F> struct JoinApply {
  F f;
  template <class VD, class U> VD operator()(VertexId id, const VD& attr, const std::optional<U>& u) const {
    return u ? static_cast<VD>(f(id, attr, *u)) : attr;
  }
};

template <class ED> struct KeyByEdgePartition {
  PartitionStrategy strategy;
  int n;
  std::pair<int32_t, Edge<ED>> operator()(const Edge<ED>& e) const {
    return {partition_of_edge(strategy, e.src, e.dst, n), e};
  }
};

struct SecondOf {
  template <class P> auto operator()(const P& p) const { return p.second; }
};

struct Count {
  template <class Ctx> void operator()(Ctx& ctx, bool to_src, bool to_dst) const {
    if (to_src) ctx.send_to_src(1);
    if (to_dst) ctx.send_to_dst(1);
  }
};
struct SendOne {
  bool to_src, to_dst;
  template <class Ctx> void operator()(Ctx& ctx) const { Count{}(ctx, to_src, to_dst); }
};
struct AddInts {
  int operator()(int a, int b) const { return a + b; }
};

template <class ED> struct EdgeCount {
  int64_t operator()(int64_t acc, const EdgePartition<ED>& p) const { return acc + static_cast<int64_t>(p.size()); }
};
struct AddInt64 {
  int64_t operator()(int64_t a, int64_t b) const { return a + b; }
};

}  // namespace detail

// ---- Construction ------------------------------------------------------------------

template <class VD, class ED>
Graph<VD, ED>::Graph(RDD<Vertex> vertices, RDD<EdgePartition<ED>> edges)
    : vertices_(std::move(vertices)),
      edges_(std::move(edges)),
      routing_(std::make_shared<std::optional<Routing>>()) {
  const auto& p = vertices_.partitioner();
  if (!p || p->kind() != Partitioner::Kind::kHash)
    vertices_ = vertices_.partition_by(Partitioner::hash(std::max(1, vertices_.num_partitions())));
}

template <class VD, class ED>
Graph<VD, ED> Graph<VD, ED>::from_edges(const RDD<Edge<ED>>& edges, VD default_attr) {
  auto parts = edges.map_partitions(detail::BuildEdgePartition<ED>{});
  auto vertices = parts.map_partitions(detail::EdgeEnds<VD, ED>{})
                      .reduce_by_key(detail::PreferPresent{}, Partitioner::hash(std::max(1, parts.num_partitions())))
                      .map_values(detail::OrDefault<VD>{std::move(default_attr)});
  return Graph(std::move(vertices), std::move(parts));
}

template <class VD, class ED>
Graph<VD, ED> Graph<VD, ED>::from_edge_tuples(const RDD<std::pair<VertexId, VertexId>>& edges, VD default_attr)
    requires std::is_arithmetic_v<ED> {
  return from_edges(edges.map([](const std::pair<VertexId, VertexId>& e) { return Edge<ED>{e.first, e.second, 1}; }),
                    std::move(default_attr));
}

template <class VD, class ED>
Graph<VD, ED> Graph<VD, ED>::create(const RDD<Vertex>& vertices, const RDD<Edge<ED>>& edges, VD default_attr) {
  auto parts = edges.map_partitions(detail::BuildEdgePartition<ED>{});
  int n = std::max({1, parts.num_partitions(), vertices.num_partitions()});
  auto all = vertices.map_values(detail::ToOptional<VD>{})
                 .union_with(parts.map_partitions(detail::EdgeEnds<VD, ED>{}))
                 .reduce_by_key(detail::PreferPresent{}, Partitioner::hash(n))
                 .map_values(detail::OrDefault<VD>{std::move(default_attr)});
  return Graph(std::move(all), std::move(parts));
}

// ---- The graph's data -----------------------------------------------------------------

template <class VD, class ED> RDD<Edge<ED>> Graph<VD, ED>::edges() const {
  return edges_.map_partitions(detail::EdgesOf<ED>{});
}

template <class VD, class ED> int64_t Graph<VD, ED>::num_edges() const {
  return edges_.aggregate(int64_t{0}, detail::EdgeCount<ED>{}, detail::AddInt64{});
}

template <class VD, class ED> RDD<EdgeTriplet<VD, ED>> Graph<VD, ED>::triplets() const {
  return edges_.zip_partitions(ship(states()), detail::Triplets<VD, ED>{});
}

template <class VD, class ED> RDD<std::pair<VertexId, int>> Graph<VD, ED>::in_degrees() const {
  return aggregate_messages<int>(detail::SendOne{false, true}, detail::AddInts{}, TripletFields::none());
}
template <class VD, class ED> RDD<std::pair<VertexId, int>> Graph<VD, ED>::out_degrees() const {
  return aggregate_messages<int>(detail::SendOne{true, false}, detail::AddInts{}, TripletFields::none());
}
template <class VD, class ED> RDD<std::pair<VertexId, int>> Graph<VD, ED>::degrees() const {
  return aggregate_messages<int>(detail::SendOne{true, true}, detail::AddInts{}, TripletFields::none());
}

// ---- Transformations ------------------------------------------------------------------------

template <class VD, class ED> template <class F> auto Graph<VD, ED>::map_vertices(F f) const {
  using VD2 = std::decay_t<std::invoke_result_t<F&, VertexId, const VD&>>;
  auto v = vertices_.map_partitions(detail::MapVertices<VD, F>{std::move(f)}, true);
  return Graph<VD2, ED>(std::move(v), edges_, routing_);
}

template <class VD, class ED> template <class F> auto Graph<VD, ED>::map_edges(F f) const {
  using ED2 = std::decay_t<std::invoke_result_t<F&, const Edge<ED>&>>;
  auto e = edges_.map_partitions(detail::MapEdges<ED, F>{std::move(f)});
  return Graph<VD, ED2>(vertices_, std::move(e), routing_);
}

template <class VD, class ED>
template <class F>
auto Graph<VD, ED>::map_triplets(F f, TripletFields fields) const {
  using ED2 = std::decay_t<std::invoke_result_t<F&, const EdgeTriplet<VD, ED>&>>;
  (void)fields;  // every attribute is shipped for now
  auto e = edges_.zip_partitions(ship(states()), detail::MapTriplets<VD, ED, F>{std::move(f)});
  return Graph<VD, ED2>(vertices_, std::move(e), routing_);
}

template <class VD, class ED> Graph<VD, ED> Graph<VD, ED>::reverse() const {
  return Graph(vertices_, edges_.map_partitions(detail::Reverse<ED>{}));
}

template <class VD, class ED>
template <class U, class F>
auto Graph<VD, ED>::outer_join_vertices(const RDD<std::pair<VertexId, U>>& other, F f) const {
  using VD2 = std::decay_t<std::invoke_result_t<F&, VertexId, const VD&, std::optional<U>>>;
  auto v = vertices_.left_outer_join(other, vertex_partitioner())
               .map_partitions(detail::OuterJoinApply<VD, U, F>{std::move(f)}, true);
  return Graph<VD2, ED>(std::move(v), edges_, routing_);
}

template <class VD, class ED>
template <class U, class F>
Graph<VD, ED> Graph<VD, ED>::join_vertices(const RDD<std::pair<VertexId, U>>& other, F f) const {
  return outer_join_vertices(other, detail::JoinApply<F>{std::move(f)});
}

template <class VD, class ED> Graph<VD, ED> Graph<VD, ED>::partition_by(PartitionStrategy strategy, int n) const {
  if (n < 0) throw std::invalid_argument("Graph::partition_by: n must be at least 0, got " + std::to_string(n));
  if (n == 0) n = edges_.num_partitions();
  auto parts = edges()
                   .map(detail::KeyByEdgePartition<ED>{strategy, n})
                   .partition_by(Partitioner::direct(n))
                   .map(detail::SecondOf{})
                   .map_partitions(detail::BuildEdgePartition<ED>{});
  return Graph(vertices_, std::move(parts));
}

// ---- Aggregation -------------------------------------------------------------------------------

template <class VD, class ED>
template <class M, class Send, class Merge>
RDD<std::pair<VertexId, M>> Graph<VD, ED>::aggregate_messages(Send send, Merge merge, TripletFields fields) const {
  if (!fields.use_src && !fields.use_dst)
    return edges_.map_partitions(detail::ScanWithoutStates<VD, ED, M, Send, Merge>{{send, merge}})
        .reduce_by_key(merge, vertex_partitioner());
  return aggregate_states<M>(states(), std::move(send), std::move(merge), fields, std::nullopt);
}

template <class VD, class ED>
template <class M, class Send, class Merge>
RDD<std::pair<VertexId, M>> Graph<VD, ED>::aggregate_states(const RDD<VertexState>& states, Send send, Merge merge,
                                                            TripletFields fields,
                                                            std::optional<EdgeDirection> active_direction) const {
  (void)fields;  // both ends' states are shipped for now
  detail::ScanEdges<VD, ED, M, Send, Merge> scan{send, merge, active_direction.has_value(),
                                                 active_direction.value_or(EdgeDirection::Either)};
  return edges_.zip_partitions(ship(states), detail::ScanWithStates<VD, ED, M, Send, Merge>{scan})
      .reduce_by_key(merge, vertex_partitioner());
}

// ---- Internals ----------------------------------------------------------------------------------------

template <class VD, class ED> const typename Graph<VD, ED>::Routing& Graph<VD, ED>::routing() const {
  if (!*routing_) {
    *routing_ = edges_.map_partitions_with_index(detail::RoutingPairs<ED>{}).partition_by(vertex_partitioner());
    (*routing_)->cache();
  }
  return **routing_;
}

template <class VD, class ED> RDD<typename Graph<VD, ED>::VertexState> Graph<VD, ED>::states() const {
  return vertices_.map_values(detail::ToState<VD>{});
}

template <class VD, class ED>
RDD<std::pair<int32_t, typename Graph<VD, ED>::VertexState>> Graph<VD, ED>::ship(const RDD<VertexState>& states) const {
  return routing()
      .join(states, vertex_partitioner())
      .map(detail::ToEdgePartition<VD>{})
      .partition_by(Partitioner::direct(edges_.num_partitions()));
}

// ---- Persistence ------------------------------------------------------------------------------------------

template <class VD, class ED> const Graph<VD, ED>& Graph<VD, ED>::persist(StorageLevel level) const {
  vertices_.persist(level);
  edges_.persist(level);
  return *this;
}

template <class VD, class ED> const Graph<VD, ED>& Graph<VD, ED>::unpersist() const {
  vertices_.unpersist();
  edges_.unpersist();
  return *this;
}

}  // namespace brasa::graphx
