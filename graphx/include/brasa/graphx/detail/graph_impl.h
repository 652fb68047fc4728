// Definitions of Graph<VD, ED>'s members (graph.h is the API). The
// functions shipped to executors are the small functors below: each holds
// only the user's functions and plain values, so it stays trivially
// copyable when they are.
#pragma once

#include <algorithm>
#include <mutex>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "brasa/util/single.h"

namespace brasa::graphx {
namespace detail {

// out = make(0), ..., make(n - 1). Plain values are written into the
// resized vector: GCC leaves push_back out of line in the large functions
// below, a call per vertex.
template <class T, class Make> void fill_with(std::vector<T>& out, size_t n, Make&& make) {
  if constexpr (std::is_trivially_copyable_v<T> && std::is_default_constructible_v<T>) {
    out.resize(n);
    T* p = out.data();
    for (size_t i = 0; i < n; ++i) p[i] = make(i);
  } else {
    out.clear();
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) out.push_back(make(i));
  }
}

template <class ED> using Parts = std::vector<EdgePartition<ED>>;

// The attributes one vertex partition sends one edge partition, in the
// order of the edge partition's route `from` (and, for Pregel, whether
// each vertex is active); or, when `at` is not empty, only the vertices at
// those positions of the route (a replicated vertex view's changes).
// The attributes are shared: a task reading the block from a shuffle held
// in memory copies a reference, not the array.
template <class VD> struct ShipBlock {
  int32_t from = 0;
  SharedArray<VD> attrs;
  std::vector<uint8_t> active;
  std::vector<int32_t> at;
  size_t heap_bytes() const { return attrs.heap_bytes() + active.capacity() + at.capacity() * sizeof(int32_t); }
  template <class Ar> void serialize(Ar& ar) { ar(from, attrs, active, at); }
};
template <class VD> using Shipped = std::vector<std::pair<int32_t, ShipBlock<VD>>>;

// A graph's shipped attributes, by the roles they were shipped for (its
// copies share them, also across driver threads).
template <class VD> struct Shipments {
  std::mutex mu;
  std::optional<RDD<std::pair<int32_t, ShipBlock<VD>>>> by_roles[4];
};

// The messages one edge partition sends one vertex partition, aligned with
// the edge partition's route p; has[k] says whether the k-th got one.
// A block where few vertices got one is sparse instead: values[j] is the
// message of the vertex at position at[j] of the route (has is empty).
// A block of a send function that sends on every edge (SendsOnEveryEdge)
// has no `has`: the vertices with a message are those whose role there is
// in `roles` (the receiver knows them from its routing), and the others'
// values are the merge's identity. The values are shared, as ShipBlock's are.
template <class M> struct MessageBlock {
  int32_t from = 0;
  uint8_t roles = 0;  // not 0: the vertices with these roles got a message
  SharedArray<M> values;
  std::vector<uint8_t> has;
  std::vector<int32_t> at;
  size_t heap_bytes() const { return values.heap_bytes() + has.capacity() + at.capacity() * sizeof(int32_t); }
  template <class Ar> void serialize(Ar& ar) { ar(from, roles, values, has, at); }
};
template <class M> using Messages = std::vector<std::pair<int32_t, MessageBlock<M>>>;

// Ship and message blocks holding fewer than a quarter of their route's
// vertices travel sparse, as (position, value) pairs.
inline bool sparse_block(size_t count, size_t route_size) { return count * 4 < route_size; }

template <class ED> struct BuildEdgePartition {
  int vertex_partitions;
  Parts<ED> operator()(int index, const std::vector<Edge<ED>>& edges) const {
    Parts<ED> out{EdgePartition<ED>::build(edges, vertex_partitions)};
    out[0].index = index;
    return out;
  }
};

template <class ED> struct EdgesOf {
  std::vector<Edge<ED>> operator()(const Parts<ED>& parts) const {
    std::vector<Edge<ED>> out;
    for (const auto& p : parts) {
      out.reserve(out.size() + p.size());
      const VertexId* id = p.local_to_global.data();
      p.each_edge([&](size_t e, int32_t s, int32_t d) { out.push_back(Edge<ED>{id[s], id[d], p.attr[e]}); });
    }
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

// A hash partition of (id, attribute) pairs with distinct ids, as arrays.
template <class VD> struct BuildVertexPartition {
  std::vector<VertexPartition<VD>> operator()(const std::vector<std::pair<VertexId, VD>>& pairs) const {
    std::vector<uint32_t> order(pairs.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return pairs[a].first < pairs[b].first; });
    VertexPartition<VD> p;
    std::vector<VertexId> ids;
    ids.reserve(pairs.size());
    p.values.reserve(pairs.size());
    for (uint32_t i : order) {
      ids.push_back(pairs[i].first);
      p.values.push_back(pairs[i].second);
    }
    p.ids = VertexIds(std::move(ids));
    return single(std::move(p));
  }
};

// The ids an edge partition touches in one vertex partition, and their roles there.
struct EdgePartitionRoute {
  int32_t edge_partition = 0;
  std::vector<VertexId> ids;  // ascending
  std::vector<uint8_t> roles;
  template <class Ar> void serialize(Ar& ar) { ar(edge_partition, ids, roles); }
};

// (vertex partition, the route of an edge partition to it).
template <class ED> struct RouteIds {
  std::vector<std::pair<int32_t, EdgePartitionRoute>> operator()(const Parts<ED>& parts) const {
    std::vector<std::pair<int32_t, EdgePartitionRoute>> out;
    for (const auto& e : parts)
      for (size_t p = 0; p < e.num_routes(); ++p) {
        const size_t begin = e.route_begin(p), n = e.route_size(p);
        if (n == 0) continue;
        EdgePartitionRoute route{e.index, {}, {}};
        route.ids.assign(e.local_to_global.begin() + begin, e.local_to_global.begin() + begin + n);
        route.roles.assign(e.roles.begin() + begin, e.roles.begin() + begin + n);
        out.push_back({static_cast<int32_t>(p), std::move(route)});
      }
    return out;
  }
};

// The positions in a vertex partition of each edge partition's ids (both
// ascending, so one merge walk each).
template <class VD> struct BuildRouting {
  int edge_partitions;
  std::vector<RoutingPartition> operator()(const std::vector<VertexPartition<VD>>& vertices,
                                           const std::vector<std::pair<int32_t, EdgePartitionRoute>>& routes) const {
    RoutingPartition r;
    r.positions.resize(static_cast<size_t>(edge_partitions));
    r.roles.resize(static_cast<size_t>(edge_partitions));
    if (!routes.empty()) r.vertex_partition = routes[0].first;
    for (const auto& v : vertices)
      for (const auto& [p, route] : routes) {
        auto& pos = r.positions[static_cast<size_t>(route.edge_partition)];
        r.roles[static_cast<size_t>(route.edge_partition)] = route.roles;
        size_t i = 0;
        for (VertexId id : route.ids) {
          while (i < v.ids.size() && v.ids[i] < id) ++i;
          if (i == v.ids.size() || v.ids[i] != id)
            throw std::logic_error("graphx: an edge's end is missing from the vertices");
          pos.push_back(static_cast<int32_t>(i));
        }
      }
    return single(std::move(r));
  }
};

// The blocks one vertex partition ships, with active flags from
// `active_mask` when given (an empty mask: every vertex active).
// Fills attr (and active, when given) by local index from the blocks
// shipped to edge partition p; both are sized to p's vertices already.
// The blocks hold the routed vertices whose role is in `roles`, in route
// order, or (sparse blocks of changes) the active vertices at positions
// `at` (the attributes of the others are left as they are).
template <class VD, class ED>
void scatter(const EdgePartition<ED>& p, const Shipped<VD>& shipped, std::vector<VD>& attr,
             std::vector<uint8_t>* active, uint8_t roles) {
  for (const auto& [q, block] : shipped) {
    const size_t route = static_cast<size_t>(block.from);
    if (route >= p.num_routes()) throw std::logic_error("graphx: a block from a vertex partition with no route");
    const size_t begin = p.route_begin(route), n = p.route_size(route);
    VD* out = attr.data() + begin;  // the route's slice
    uint8_t* out_active = active ? active->data() + begin : nullptr;
    const uint8_t* role = p.roles.data() + begin;
    if (!block.at.empty()) {
      for (size_t j = 0; j < block.at.size(); ++j) {
        const auto k = static_cast<size_t>(block.at[j]);
        out[k] = block.attrs[j];
        if (out_active) out_active[k] = 1;
      }
    } else if (roles == (kSource | kDestination)) {  // every routed vertex was shipped
      if (block.attrs.size() != n) throw std::logic_error("graphx: a block of attributes does not match its route");
      std::copy(block.attrs.begin(), block.attrs.end(), out);
      if (out_active) std::copy(block.active.begin(), block.active.end(), out_active);
    } else if constexpr (std::is_trivially_copyable_v<VD>) {
      // Without a branch per vertex (roles mix unpredictably): the vertices
      // not shipped get a value that is never read.
      const VD* in = block.attrs.data();
      const size_t last = block.attrs.size() - 1;
      for (size_t k = 0, j = 0; k < n; ++k) {
        out[k] = in[std::min(j, last)];
        j += (role[k] & roles) != 0;
      }
    } else {
      for (size_t k = 0, j = 0; k < n; ++k)
        if (role[k] & roles) out[k] = block.attrs[j++];
    }
  }
}

// With `changed_only` (a replicated vertex view's update), the active
// vertices are the ones that changed: a route without one gets no block,
// and one with few gets a sparse block of them alone.
template <class VD> Shipped<VD> gather(const VertexPartition<VD>& v, const RoutingPartition& r, int32_t from,
                                       const std::vector<uint8_t>* active_mask, uint8_t roles,
                                       bool changed_only = false) {
  auto is_active = [&](size_t i) -> uint8_t { return active_mask->empty() || (*active_mask)[i]; };
  auto flags_of = [&](const std::vector<int32_t>& pos, ShipBlock<VD>& b) {
    b.active.reserve(pos.size());
    for (int32_t i : pos) b.active.push_back(is_active(static_cast<size_t>(i)));
  };
  Shipped<VD> out;
  for (size_t q = 0; q < r.positions.size(); ++q) {
    const auto& pos = r.positions[q];
    const auto& role = r.roles[q];
    if (pos.empty()) continue;
    ShipBlock<VD> b;
    b.from = from;
    std::vector<VD> attrs;
    size_t count = 0;  // of the changed vertices, when only they are shipped
    if (changed_only) {
      for (int32_t i : pos) count += is_active(static_cast<size_t>(i));
      if (count == 0) continue;
    }
    if (changed_only && sparse_block(count, pos.size())) {
      b.at.reserve(count);
      attrs.reserve(count);
      for (size_t k = 0; k < pos.size(); ++k) {
        const auto i = static_cast<size_t>(pos[k]);
        if (!is_active(i)) continue;
        b.at.push_back(static_cast<int32_t>(k));
        attrs.push_back(v.values[i]);
      }
    } else if constexpr (std::is_trivially_copyable_v<VD>) {
      // Written straight into the shared array, and without a branch per
      // vertex (roles mix unpredictably): each vertex is written at the
      // next free place, which only a shipped one takes.
      const bool every = roles == (kSource | kDestination);
      size_t shipped = pos.size();
      if (!every)
        shipped = static_cast<size_t>(std::count_if(role.begin(), role.end(), [&](uint8_t x) { return (x & roles) != 0; }));
      if (shipped == 0) continue;
      VD* out_attrs = nullptr;
      b.attrs = SharedArray<VD>::for_overwrite(shipped + 1, &out_attrs).slice(0, shipped);
      for (size_t k = 0, j = 0; k < pos.size(); ++k) {
        out_attrs[j] = v.values[static_cast<size_t>(pos[k])];
        j += every || (role[k] & roles) != 0;
      }
      if (every && active_mask) flags_of(pos, b);
      out.emplace_back(static_cast<int32_t>(q), std::move(b));
      continue;
    } else if (roles == (kSource | kDestination)) {  // every routed vertex
      attrs.reserve(pos.size());
      for (int32_t i : pos) attrs.push_back(v.values[static_cast<size_t>(i)]);
      if (active_mask) flags_of(pos, b);
    } else {
      for (size_t k = 0; k < pos.size(); ++k)
        if (role[k] & roles) attrs.push_back(v.values[static_cast<size_t>(pos[k])]);
    }
    if (attrs.empty()) continue;
    b.attrs = SharedArray<VD>(std::move(attrs));
    out.emplace_back(static_cast<int32_t>(q), std::move(b));
  }
  return out;
}

template <class VD> struct Gather {
  uint8_t roles = kSource | kDestination;
  Shipped<VD> operator()(const std::vector<VertexPartition<VD>>& v, const std::vector<RoutingPartition>& r) const {
    if (v.empty()) return {};
    return gather(v[0], r.at(0), r[0].vertex_partition, nullptr, roles);
  }
};
// Every routed vertex with its active flag, or only the changed ones (see gather).
template <class VD, class A> struct GatherActive {
  bool changed_only = false;
  Shipped<VD> operator()(const std::vector<VertexPartition<VD>>& v, const std::vector<RoutingPartition>& r,
                         const std::vector<VertexPartition<A>>& active) const {
    if (v.empty()) return {};
    const auto& a = active.at(0);
    if (a.ids != v[0].ids) throw std::logic_error("graphx: an active set of another graph's vertices");
    return gather(v[0], r.at(0), r[0].vertex_partition, &a.mask, kSource | kDestination, changed_only);
  }
};

inline bool edge_is_active(const uint8_t* active, int32_t s, int32_t d, EdgeDirection dir) {
  switch (dir) {
    case EdgeDirection::Out: return active[static_cast<size_t>(s)];
    case EdgeDirection::In: return active[static_cast<size_t>(d)];
    case EdgeDirection::Either: return active[static_cast<size_t>(s)] || active[static_cast<size_t>(d)];
    case EdgeDirection::Both: return active[static_cast<size_t>(s)] && active[static_cast<size_t>(d)];
  }
  return true;
}

// The scan of aggregate_messages over one edge partition: send on every
// (active) edge, messages merged per local vertex, then one block of them
// per vertex partition.
template <class VD, class ED, class M, class Send, class Merge> struct Scan {
  Send send;
  Merge merge;
  bool filter_active = false;
  EdgeDirection direction = EdgeDirection::Either;
  uint8_t roles = kSource | kDestination;  // the ends whose attributes were shipped
  // Functions that carry data (functors with serialize) travel field by field.
  template <class Ar>
  void serialize(Ar& ar) requires(!std::is_trivially_copyable_v<Send> || !std::is_trivially_copyable_v<Merge>) {
    ar(send, merge, filter_active, direction, roles);
  }

  // The per-partition arrays, kept by each thread from one scan to the
  // next: fresh memory costs a page fault per 4 KiB on first touch, more
  // than the scan itself (design.md, performance principles). Trivially
  // copyable messages are the exception (see message_array).
  struct Scratch {
    std::vector<VD> attr;
    std::vector<uint8_t> active;
    std::vector<M> values;  // messages that are not trivially copyable
    std::vector<uint8_t> has;
    std::vector<uint8_t> covered;  // by route: a dense block of attributes came
  };

  // With the attributes shipped for this operation (or none).
  Messages<M> run(const Parts<ED>& parts, const Shipped<VD>* shipped) const {
    Messages<M> out;
    auto& s = scratch();
    for (const auto& p : parts) {
      size_t n = p.num_vertices();
      if constexpr (std::is_trivially_copyable_v<VD>) {
        // A dense block overwrites its route's whole slice: only the slices
        // of the other routes are reset, instead of the whole array.
        s.attr.resize(shipped ? n : 0);
        if (shipped) {
          s.covered.assign(p.num_routes(), 0);
          for (const auto& [q, b] : *shipped)
            if (b.at.empty() && static_cast<size_t>(b.from) < s.covered.size()) s.covered[static_cast<size_t>(b.from)] = 1;
          for (size_t r = 0; r < s.covered.size(); ++r)
            if (!s.covered[r]) std::fill_n(s.attr.begin() + static_cast<std::ptrdiff_t>(p.route_begin(r)), p.route_size(r), VD{});
        }
      } else {
        s.attr.assign(shipped ? n : 0, VD{});
      }
      if (filter_active) s.active.assign(n, 0);  // read only then
      if (shipped) scatter(p, *shipped, s.attr, filter_active ? &s.active : nullptr, roles);
      scan_partition(p, shipped ? s.attr.data() : nullptr, s.active.data(), out);
    }
    return out;
  }
  // With each edge partition's replicated vertex view (attr and active by
  // local index).
  template <class View> Messages<M> run(const Parts<ED>& parts, const std::vector<View>& views) const {
    Messages<M> out;
    for (size_t n = 0; n < parts.size(); ++n)
      scan_partition(parts[n], views.at(n).attr.data(), views.at(n).active.data(), out);
    return out;
  }

 private:
  static Scratch& scratch() {
    static thread_local Scratch s;
    return s;
  }

  // Sends along every (active) edge of `p`, into `messages`.
  template <bool kRecordReceivers>
  void scan_edges(const EdgePartition<ED>& p, const VD* attr, const uint8_t* active,
                  LocalMessages<M, Merge, kRecordReceivers>& messages) const {
    Send send_fn = send;
    const EdgeDirection dir = direction;
    EdgeContext<VD, ED, M, Merge, kRecordReceivers> ctx;
    ctx.ids_ = p.local_to_global.data();
    ctx.attrs_ = attr;
    ctx.out_ = &messages;
    const ED* edge_attr = p.attr.data();
    // One loop per case, so that a scan of every edge tests nothing per edge.
    auto each_edge = [&](auto wanted) {
      p.each_edge([&](size_t e, int32_t s, int32_t d) {
        if (!wanted(s, d)) return;
        ctx.src_ = s;
        ctx.dst_ = d;
        ctx.attr_ = edge_attr + e;
        send_fn(ctx);
      });
    };
    if (filter_active)
      each_edge([&](int32_t s, int32_t d) { return edge_is_active(active, s, d, dir); });
    else
      each_edge([](int32_t, int32_t) { return true; });
  }

  // Trivially copyable messages are scanned into a fresh shared array
  // (filled without a pass that zeroes it first), and the dense blocks are
  // slices of it: a slice keeps the whole array alive, and counts only
  // its own elements. Others are scanned into the thread's scratch array
  // and moved out, block by block.
  static constexpr bool kSliced = std::is_trivially_copyable_v<M>;
  SharedArray<M> message_array(size_t n, M** values, Merge& merge_fn) const {
    if constexpr (kSliced) {
      auto all = SharedArray<M>::for_overwrite(n, values);
      std::fill_n(*values, n, no_message<M>(merge_fn));
      return all;
    } else {
      auto& work = scratch();
      work.values.assign(n, no_message<M>(merge_fn));
      *values = work.values.data();
      return {};
    }
  }

  void scan_partition(const EdgePartition<ED>& p, const VD* attr, const uint8_t* active, Messages<M>& out) const {
    Merge merge_fn = merge;
    auto& work = scratch();
    M* values = nullptr;
    const SharedArray<M> all = message_array(p.num_vertices(), &values, merge_fn);
    // Route v's block: its slice of the messages, or (few receivers) those alone.
    auto emit = [&](size_t v, MessageBlock<M>& b, size_t with_message, auto receives) {
      const size_t begin = p.route_begin(v), n = p.route_size(v);
      M* slice = values + begin;
      if (!sparse_block(with_message, n)) {
        if constexpr (kSliced)
          b.values = all.slice(begin, n);
        else
          b.values = SharedArray<M>(std::vector<M>(std::make_move_iterator(slice), std::make_move_iterator(slice + n)));
      } else {
        b.roles = 0;
        std::vector<M> few;
        few.reserve(with_message);
        b.at.reserve(with_message);
        for (size_t k = 0; k < n; ++k) {
          if (!receives(k)) continue;
          b.at.push_back(static_cast<int32_t>(k));
          few.push_back(std::move(slice[k]));
        }
        b.values = SharedArray<M>(std::move(few));
      }
      out.emplace_back(static_cast<int32_t>(v), std::move(b));
    };
    uint8_t every_edge = 0;  // the ends every edge sends to, when declared (SendsOnEveryEdge)
    if constexpr (MergeWithIdentity<Merge, M> && SendsOnEveryEdge<Send>)
      if (!filter_active) every_edge = send.sends_on_every_edge();
    if (every_edge) {
      LocalMessages<M, Merge, false> messages{values, nullptr, &merge_fn};
      scan_edges(p, attr, active, messages);
      const size_t count = p.size();
      if (messages.sent_to_src != (every_edge & kSource ? count : 0) ||
          messages.sent_to_dst != (every_edge & kDestination ? count : 0))
        throw std::logic_error("graphx: a send function whose sends_on_every_edge() is " +
                               std::to_string(every_edge) + " sent " + std::to_string(messages.sent_to_src) +
                               " messages to sources and " + std::to_string(messages.sent_to_dst) +
                               " to destinations over " + std::to_string(count) + " edges");
      // Exactly the vertices with a role in every_edge got a message.
      for (size_t v = 0; v < p.num_routes(); ++v) {
        const uint8_t* role = p.roles.data() + p.route_begin(v);
        size_t with_message = 0;
        for (size_t k = 0; k < p.route_size(v); ++k) with_message += (role[k] & every_edge) != 0;
        if (with_message == 0) continue;
        MessageBlock<M> b;
        b.from = p.index;
        b.roles = every_edge;
        emit(v, b, with_message, [&](size_t k) { return (role[k] & every_edge) != 0; });
      }
      return;
    }
    work.has.assign(p.num_vertices(), 0);
    LocalMessages<M, Merge> messages{values, work.has.data(), &merge_fn};
    scan_edges(p, attr, active, messages);
    for (size_t v = 0; v < p.num_routes(); ++v) {
      const uint8_t* has = work.has.data() + p.route_begin(v);
      size_t with_message = 0;
      for (size_t k = 0; k < p.route_size(v); ++k) with_message += has[k];
      if (with_message == 0) continue;
      MessageBlock<M> b;
      b.from = p.index;
      if (!sparse_block(with_message, p.route_size(v))) b.has.assign(has, has + p.route_size(v));
      emit(v, b, with_message, [&](size_t k) { return has[k] != 0; });
    }
  }
};
template <class VD, class ED, class M, class Send, class Merge> struct ScanShipped {
  Scan<VD, ED, M, Send, Merge> scan;
  Messages<M> operator()(const Parts<ED>& parts, const Shipped<VD>& shipped) const { return scan.run(parts, &shipped); }
};
template <class VD, class ED, class M, class Send, class Merge> struct ScanAlone {
  Scan<VD, ED, M, Send, Merge> scan;
  Messages<M> operator()(const Parts<ED>& parts) const { return scan.run(parts, nullptr); }
};

// Merges the message blocks sent to one vertex partition into values and
// mask (by position, sized to the partition, values at the merge's
// "no message" and mask at 0).
template <class M, class Merge>
void merge_blocks_into(M* values, uint8_t* mask, const RoutingPartition& routing, const Messages<M>& blocks,
                       Merge& merge_fn) {
  constexpr bool identity = MergeWithIdentity<Merge, M>;
  // Raw pointers, because a byte store may alias anything: through
  // vectors, each store to the mask would reload every vector's bounds.
  auto merge_in = [&](size_t i, const M& m, uint8_t has) {
    if (identity || mask[i])
      values[i] = merge_fn(std::move(values[i]), m);
    else
      values[i] = m;
    mask[i] |= has;
  };
  for (const auto& [p, b] : blocks) {
    const auto& route = routing.positions.at(static_cast<size_t>(b.from));
    const int32_t* pos = route.data();
    const size_t n = route.size();
    const M* in = b.values.data();
    if (b.at.empty() && b.values.size() != n) throw std::logic_error("graphx: a message block does not match its route");
    if (b.roles) {  // the vertices with these roles got a message; the others hold the identity
      const uint8_t* role = routing.roles.at(static_cast<size_t>(b.from)).data();
      const uint8_t wanted = b.roles;
      for (size_t k = 0; k < n; ++k) merge_in(static_cast<size_t>(pos[k]), in[k], (role[k] & wanted) != 0);
      continue;
    }
    if (!b.at.empty()) {  // sparse: every vertex listed got a message
      for (size_t j = 0; j < b.at.size(); ++j)
        merge_in(static_cast<size_t>(route.at(static_cast<size_t>(b.at[j]))), in[j], 1);
      continue;
    }
    const uint8_t* has = b.has.data();
    for (size_t k = 0; k < n; ++k) {
      // With an identity, a block holds it where it has no message:
      // merged in without a test, it changes nothing.
      if (!identity && !has[k]) continue;
      merge_in(static_cast<size_t>(pos[k]), in[k], has[k]);
    }
  }
}

// The merged messages of one vertex partition, by position.
template <class VD, class M, class Merge> struct MergeBlocks {
  Merge merge;
  template <class Ar> void serialize(Ar& ar) requires(!std::is_trivially_copyable_v<Merge>) { ar(merge); }
  std::vector<VertexPartition<M>> operator()(const std::vector<VertexPartition<VD>>& vertices,
                                             const std::vector<RoutingPartition>& routing,
                                             const Messages<M>& blocks) const {
    if (vertices.empty()) return {};
    const auto& v = vertices[0];
    VertexPartition<M> out;
    out.ids = v.ids;
    Merge merge_fn = merge;
    out.mask.assign(v.size(), 0);
    out.values.assign(v.size(), no_message<M>(merge_fn));
    merge_blocks_into(out.values.data(), out.mask.data(), routing.at(0), blocks, merge_fn);
    return single(std::move(out));
  }
};

// MergeBlocks, then outer_join_vertices of the merged messages into these
// vertices (f(id, attribute, message or nullopt)), in one task: the merged
// messages stay in this thread's arrays instead of becoming a partition.
template <class VD, class M, class Merge, class F> struct MergeJoin {
  using VD2 = std::decay_t<std::invoke_result_t<const F&, VertexId, const VD&, std::optional<M>>>;
  Merge merge;
  F f;
  template <class Ar>
  void serialize(Ar& ar) requires(!std::is_trivially_copyable_v<Merge> || !std::is_trivially_copyable_v<F>) {
    ar(merge, f);
  }
  std::vector<VertexPartition<VD2>> operator()(const std::vector<VertexPartition<VD>>& vertices,
                                               const std::vector<RoutingPartition>& routing,
                                               const Messages<M>& blocks) const {
    if (vertices.empty()) return {};
    const auto& v = vertices[0];
    static thread_local std::vector<M> values;
    static thread_local std::vector<uint8_t> mask;
    Merge merge_fn = merge;
    values.assign(v.size(), no_message<M>(merge_fn));
    mask.assign(v.size(), 0);
    merge_blocks_into(values.data(), mask.data(), routing.at(0), blocks, merge_fn);
    VertexPartition<VD2> out;
    out.ids = v.ids;
    fill_with(out.values, v.size(), [&](size_t i) {
      return f(v.ids[i], v.values[i], mask[i] ? std::optional<M>(std::move(values[i])) : std::nullopt);
    });
    return single(std::move(out));
  }
};

// outer_join_vertices with a VertexRDD: both partitions' ids ascending.
template <class VD, class U, class F> struct JoinArrays {
  using VD2 = std::decay_t<std::invoke_result_t<const F&, VertexId, const VD&, std::optional<U>>>;
  F f;
  template <class Ar> void serialize(Ar& ar) requires(!std::is_trivially_copyable_v<F>) { ar(f); }
  std::vector<VertexPartition<VD2>> operator()(const std::vector<VertexPartition<VD>>& a,
                                               const std::vector<VertexPartition<U>>& b) const {
    std::vector<VertexPartition<VD2>> out;
    for (size_t n = 0; n < a.size(); ++n) {
      const auto& v = a[n];
      const VertexPartition<U>* u = n < b.size() ? &b[n] : nullptr;
      VertexPartition<VD2> q;
      q.ids = v.ids;
      if (u && u->ids.same(v.ids)) {  // a VertexRDD of this graph: index i is the same id on both sides
        fill_with(q.values, v.size(), [&](size_t i) {
          return f(v.ids[i], v.values[i], u->has(i) ? std::optional<U>(u->values[i]) : std::nullopt);
        });
        out.push_back(std::move(q));
        continue;
      }
      q.values.reserve(v.size());
      // One walk over both id arrays.
      size_t j = 0;
      for (size_t i = 0; i < v.size(); ++i) {
        std::optional<U> x;
        if (u) {
          while (j < u->size() && u->ids[j] < v.ids[i]) ++j;
          if (j < u->size() && u->ids[j] == v.ids[i] && u->has(j)) x = u->values[j];
        }
        q.values.push_back(f(v.ids[i], v.values[i], std::move(x)));
      }
      out.push_back(std::move(q));
    }
    return out;
  }
};

// outer_join_vertices with pairs laid out like the vertices (the first
// value of a duplicated id wins).
template <class VD, class U, class F> struct JoinPairs {
  using VD2 = std::decay_t<std::invoke_result_t<const F&, VertexId, const VD&, std::optional<U>>>;
  F f;
  template <class Ar> void serialize(Ar& ar) requires(!std::is_trivially_copyable_v<F>) { ar(f); }
  std::vector<VertexPartition<VD2>> operator()(const std::vector<VertexPartition<VD>>& a,
                                               const std::vector<std::pair<VertexId, U>>& b) const {
    std::vector<uint32_t> order(b.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) { return b[x].first < b[y].first; });
    std::vector<VertexPartition<VD2>> out;
    for (const auto& v : a) {
      VertexPartition<VD2> q;
      q.ids = v.ids;
      q.values.reserve(v.size());
      size_t j = 0;
      for (size_t i = 0; i < v.size(); ++i) {
        while (j < order.size() && b[order[j]].first < v.ids[i]) ++j;
        std::optional<U> x;
        if (j < order.size() && b[order[j]].first == v.ids[i]) x = b[order[j]].second;
        q.values.push_back(f(v.ids[i], v.values[i], std::move(x)));
      }
      out.push_back(std::move(q));
    }
    return out;
  }
};

template <class F> struct JoinApply {
  F f;
  template <class Ar> void serialize(Ar& ar) requires(!std::is_trivially_copyable_v<F>) { ar(f); }
  template <class VD, class U> VD operator()(VertexId id, const VD& attr, const std::optional<U>& u) const {
    return u ? static_cast<VD>(f(id, attr, *u)) : attr;
  }
};

template <class ED, class F> struct MapEdges {
  F f;
  template <class Ar> void serialize(Ar& ar) requires(!std::is_trivially_copyable_v<F>) { ar(f); }
  auto operator()(const Parts<ED>& parts) const {
    using ED2 = std::decay_t<std::invoke_result_t<const F&, const Edge<ED>&>>;
    std::vector<EdgePartition<ED2>> out;
    for (const auto& p : parts) {
      std::vector<ED2> attrs;
      attrs.reserve(p.size());
      const VertexId* id = p.local_to_global.data();
      Edge<ED> e;
      p.each_edge([&](size_t i, int32_t s, int32_t d) {
        e.src = id[s];
        e.dst = id[d];
        e.attr = p.attr[i];
        attrs.push_back(f(e));
      });
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
      const VertexId* id = p.local_to_global.data();
      p.each_edge([&](size_t e, int32_t s, int32_t d) { edges.push_back(Edge<ED>{id[d], id[s], p.attr[e]}); });
      out.push_back(EdgePartition<ED>::build(edges, static_cast<int>(p.num_routes())));
      out.back().index = p.index;
    }
    return out;
  }
};

// Each edge partition's vertex attributes by local index, from the blocks shipped to it.
template <class VD, class ED>
std::vector<VD> local_attrs(const EdgePartition<ED>& p, const Shipped<VD>& shipped, uint8_t roles) {
  std::vector<VD> attr(p.num_vertices());
  scatter(p, shipped, attr, nullptr, roles);
  return attr;
}

template <class VD, class ED> struct Triplets {
  std::vector<EdgeTriplet<VD, ED>> operator()(const Parts<ED>& parts, const Shipped<VD>& shipped) const {
    std::vector<EdgeTriplet<VD, ED>> out;
    for (const auto& p : parts) {
      auto attr = local_attrs(p, shipped, kSource | kDestination);
      out.reserve(out.size() + p.size());
      const VertexId* id = p.local_to_global.data();
      p.each_edge([&](size_t e, int32_t s, int32_t d) {
        out.push_back(EdgeTriplet<VD, ED>{id[s], id[d], attr[static_cast<size_t>(s)], attr[static_cast<size_t>(d)],
                                          p.attr[e]});
      });
    }
    return out;
  }
};

template <class VD, class ED, class F> struct MapTriplets {
  F f;
  uint8_t roles = kSource | kDestination;  // the ends whose attributes were shipped
  template <class Ar> void serialize(Ar& ar) requires(!std::is_trivially_copyable_v<F>) { ar(f, roles); }
  auto operator()(const Parts<ED>& parts, const Shipped<VD>& shipped) const {
    using ED2 = std::decay_t<std::invoke_result_t<const F&, const EdgeTriplet<VD, ED>&>>;
    std::vector<EdgePartition<ED2>> out;
    for (const auto& p : parts) {
      auto attr = local_attrs(p, shipped, roles);
      std::vector<ED2> attrs;
      attrs.reserve(p.size());
      EdgeTriplet<VD, ED> t;
      const VertexId* id = p.local_to_global.data();
      p.each_edge([&](size_t e, int32_t s, int32_t d) {
        t.src = id[s];
        t.dst = id[d];
        t.src_attr = attr[static_cast<size_t>(s)];
        t.dst_attr = attr[static_cast<size_t>(d)];
        t.attr = p.attr[e];
        attrs.push_back(f(t));
      });
      out.push_back(p.with_attrs(std::move(attrs)));
    }
    return out;
  }
};

// subgraph's pieces: the kept vertices as pairs, the kept edges.
template <class VD, class VPred> struct KeepVertices {
  VPred vpred;
  template <class Ar> void serialize(Ar& ar) requires(!std::is_trivially_copyable_v<VPred>) { ar(vpred); }
  std::vector<std::pair<VertexId, VD>> operator()(const std::vector<VertexPartition<VD>>& parts) const {
    std::vector<std::pair<VertexId, VD>> out;
    for (const auto& p : parts)
      for (size_t i = 0; i < p.size(); ++i)
        if (vpred(p.ids[i], p.values[i])) out.emplace_back(p.ids[i], p.values[i]);
    return out;
  }
};
template <class VD, class ED, class EPred, class VPred> struct KeepEdges {
  EPred epred;
  VPred vpred;
  template <class Ar>
  void serialize(Ar& ar) requires(!std::is_trivially_copyable_v<EPred> || !std::is_trivially_copyable_v<VPred>) {
    ar(epred, vpred);
  }
  std::vector<Edge<ED>> operator()(const std::vector<EdgeTriplet<VD, ED>>& triplets) const {
    std::vector<Edge<ED>> out;
    for (const auto& t : triplets)
      if (vpred(t.src, t.src_attr) && vpred(t.dst, t.dst_attr) && epred(t)) out.push_back(Edge<ED>{t.src, t.dst, t.attr});
    return out;
  }
};

// mask's and group_edges' pieces: edges keyed by their ends, and back.
template <class ED> struct KeyByEnds {
  std::pair<std::pair<VertexId, VertexId>, ED> operator()(const Edge<ED>& e) const { return {{e.src, e.dst}, e.attr}; }
};
struct EndsOnly {
  template <class ED> std::pair<std::pair<VertexId, VertexId>, char> operator()(const Edge<ED>& e) const {
    return {{e.src, e.dst}, 0};
  }
};
struct FirstChar {
  char operator()(char a, char) const { return a; }
};
struct EdgeOfKeyed {
  template <class P> auto operator()(const P& p) const {
    using ED = std::decay_t<decltype(p.second.first)>;
    return Edge<ED>{p.first.first, p.first.second, p.second.first};
  }
};
struct EdgeOfMerged {
  template <class P> auto operator()(const P& p) const {
    using ED = std::decay_t<decltype(p.second)>;
    return Edge<ED>{p.first.first, p.first.second, p.second};
  }
};
struct AnyEdge {  // subgraph's edge predicate when only vertices decide
  template <class T> bool operator()(const T&) const { return true; }
};
struct IdOnly {
  template <class VD> std::pair<VertexId, char> operator()(const std::pair<VertexId, VD>& v) const { return {v.first, 0}; }
};
struct KeepOwn {
  template <class VD> std::optional<VD> operator()(VertexId, const VD& attr, const std::optional<char>& in_other) const {
    return in_other ? std::optional<VD>(attr) : std::nullopt;
  }
};
struct PresentOnly {
  template <class VD>
  std::vector<std::pair<VertexId, VD>> operator()(const std::vector<VertexPartition<std::optional<VD>>>& parts) const {
    std::vector<std::pair<VertexId, VD>> out;
    for (const auto& p : parts)
      for (size_t i = 0; i < p.size(); ++i)
        if (p.has(i) && p.values[i]) out.emplace_back(p.ids[i], *p.values[i]);
    return out;
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

struct SendOne {
  bool to_src, to_dst;
  uint8_t sends_on_every_edge() const {
    return static_cast<uint8_t>((to_src ? kSource : 0) | (to_dst ? kDestination : 0));
  }
  template <class Ctx> void operator()(Ctx& ctx) const {
    if (to_src) ctx.send_to_src(1);
    if (to_dst) ctx.send_to_dst(1);
  }
};
struct AddInts {
  int operator()(int a, int b) const { return a + b; }
  int identity() const { return 0; }
};

template <class ED> struct EdgeCount {
  int64_t operator()(int64_t acc, const EdgePartition<ED>& p) const { return acc + static_cast<int64_t>(p.size()); }
};

}  // namespace detail

// ---- Construction ------------------------------------------------------------------

template <class VD, class ED>
Graph<VD, ED> Graph<VD, ED>::build(const RDD<Vertex>& vertices, RDD<EdgePartition<ED>> edges, int vertex_partitions) {
  auto vparts = vertices.map_partitions(detail::BuildVertexPartition<VD>{}, true);
  auto structure = std::make_shared<Structure>();
  structure->vertex_partitions = vertex_partitions;
  return Graph(std::move(vparts), std::move(edges), std::move(structure));
}

template <class VD, class ED> Graph<VD, ED> Graph<VD, ED>::with_edges(RDD<EdgePartition<ED>> edges) const {
  auto structure = std::make_shared<Structure>();
  structure->vertex_partitions = vertex_partitions();
  return Graph(vparts_, std::move(edges), std::move(structure));
}

template <class VD, class ED>
Graph<VD, ED> Graph<VD, ED>::from_edges(const RDD<Edge<ED>>& edges, VD default_attr) {
  int n = std::max(1, edges.num_partitions());
  auto parts = edges.map_partitions_with_index(detail::BuildEdgePartition<ED>{n});
  auto vertices = parts.map_partitions(detail::EdgeEnds<VD, ED>{})
                      .reduce_by_key(detail::PreferPresent{}, Partitioner::hash(n))
                      .map_values(detail::OrDefault<VD>{std::move(default_attr)});
  return build(vertices, std::move(parts), n);
}

template <class VD, class ED>
Graph<VD, ED> Graph<VD, ED>::from_edge_tuples(const RDD<std::pair<VertexId, VertexId>>& edges, VD default_attr)
    requires std::is_arithmetic_v<ED> {
  return from_edges(edges.map([](const std::pair<VertexId, VertexId>& e) { return Edge<ED>{e.first, e.second, 1}; }),
                    std::move(default_attr));
}

template <class VD, class ED>
Graph<VD, ED> Graph<VD, ED>::create(const RDD<Vertex>& vertices, const RDD<Edge<ED>>& edges, VD default_attr) {
  int n = std::max({1, edges.num_partitions(), vertices.num_partitions()});
  auto parts = edges.map_partitions_with_index(detail::BuildEdgePartition<ED>{n});
  auto all = vertices.map_values(detail::ToOptional<VD>{})
                 .union_with(parts.map_partitions(detail::EdgeEnds<VD, ED>{}))
                 .reduce_by_key(detail::PreferPresent{}, Partitioner::hash(n))
                 .map_values(detail::OrDefault<VD>{std::move(default_attr)});
  return build(all, std::move(parts), n);
}

// ---- The graph's data -----------------------------------------------------------------

template <class VD, class ED> RDD<Edge<ED>> Graph<VD, ED>::edges() const {
  return edges_.map_partitions(detail::EdgesOf<ED>{});
}

template <class VD, class ED> int64_t Graph<VD, ED>::num_edges() const {
  return edges_.aggregate(int64_t{0}, detail::EdgeCount<ED>{}, detail::Plus64{});
}

template <class VD, class ED> RDD<EdgeTriplet<VD, ED>> Graph<VD, ED>::triplets() const {
  return edges_.zip_partitions(ship<VD>(nullptr), detail::Triplets<VD, ED>{});
}

template <class VD, class ED> VertexRDD<int> Graph<VD, ED>::in_degrees() const {
  return aggregate_messages<int>(detail::SendOne{false, true}, detail::AddInts{}, TripletFields::none());
}
template <class VD, class ED> VertexRDD<int> Graph<VD, ED>::out_degrees() const {
  return aggregate_messages<int>(detail::SendOne{true, false}, detail::AddInts{}, TripletFields::none());
}
template <class VD, class ED> VertexRDD<int> Graph<VD, ED>::degrees() const {
  return aggregate_messages<int>(detail::SendOne{true, true}, detail::AddInts{}, TripletFields::none());
}

// ---- Transformations ------------------------------------------------------------------------

template <class VD, class ED> template <class F> auto Graph<VD, ED>::map_vertices(F f) const {
  using Map = detail::MapPresent<VD, F>;  // every vertex of a graph is present
  return Graph<typename Map::U, ED>(vparts_.map_partitions(Map{std::move(f)}, true), edges_, structure_);
}

template <class VD, class ED> template <class F> auto Graph<VD, ED>::map_edges(F f) const {
  using ED2 = std::decay_t<std::invoke_result_t<F&, const Edge<ED>&>>;
  return Graph<VD, ED2>(vparts_, edges_.map_partitions(detail::MapEdges<ED, F>{std::move(f)}), structure_);
}

template <class VD, class ED>
template <class F>
auto Graph<VD, ED>::map_triplets(F f, TripletFields fields) const {
  using ED2 = std::decay_t<std::invoke_result_t<F&, const EdgeTriplet<VD, ED>&>>;
  auto e = edges_.zip_partitions(ship<VD>(nullptr, fields.roles()),
                                 detail::MapTriplets<VD, ED, F>{std::move(f), fields.roles()});
  return Graph<VD, ED2>(vparts_, std::move(e), structure_);
}

template <class VD, class ED> Graph<VD, ED> Graph<VD, ED>::reverse() const {
  return with_edges(edges_.map_partitions(detail::Reverse<ED>{}));
}

template <class VD, class ED>
template <class EPred, class VPred>
Graph<VD, ED> Graph<VD, ED>::subgraph(EPred epred, VPred vpred) const {
  int n = vertex_partitions();
  auto vertices = vparts_.map_partitions(detail::KeepVertices<VD, VPred>{vpred}, true);
  auto edges = triplets()
                   .map_partitions(detail::KeepEdges<VD, ED, EPred, VPred>{epred, vpred})
                   .map_partitions_with_index(detail::BuildEdgePartition<ED>{n});
  return build(vertices, std::move(edges), n);
}

template <class VD, class ED>
template <class VD2, class ED2>
Graph<VD, ED> Graph<VD, ED>::mask(const Graph<VD2, ED2>& other) const {
  int n = vertex_partitions();
  auto kept = outer_join_vertices(other.vertices().rdd().map(detail::IdOnly{}), detail::KeepOwn{});
  auto vertices = kept.vertices().partitions().map_partitions(detail::PresentOnly{}, true);
  // An edge here is kept when other has one with the same ends (both ends
  // are then vertices of both graphs).
  auto ends = other.edges().map(detail::EndsOnly{}).reduce_by_key(detail::FirstChar{}, Partitioner::hash(n));
  auto edges = this->edges()
                   .map(detail::KeyByEnds<ED>{})
                   .join(ends, Partitioner::hash(n))
                   .map(detail::EdgeOfKeyed{})
                   .map_partitions_with_index(detail::BuildEdgePartition<ED>{n});
  return build(vertices, std::move(edges), n);
}

template <class VD, class ED>
template <class Merge>
Graph<VD, ED> Graph<VD, ED>::group_edges(Merge merge) const {
  int n = edges_.num_partitions();
  auto parts = edges()
                   .map(detail::KeyByEnds<ED>{})
                   .reduce_by_key(merge, Partitioner::hash(n))
                   .map(detail::EdgeOfMerged{})
                   .map_partitions_with_index(detail::BuildEdgePartition<ED>{vertex_partitions()});
  return with_edges(std::move(parts));
}

template <class VD, class ED>
template <class U, class F>
auto Graph<VD, ED>::outer_join_vertices(const VertexRDD<U>& other, F f) const {
  using Join = detail::JoinArrays<VD, U, F>;
  auto v = vparts_.zip_partitions(other.partitions(), Join{std::move(f)}, true);
  return Graph<typename Join::VD2, ED>(std::move(v), edges_, structure_);
}

template <class VD, class ED>
template <class U, class F>
auto Graph<VD, ED>::outer_join_vertices(const RDD<std::pair<VertexId, U>>& other, F f) const {
  using Join = detail::JoinPairs<VD, U, F>;
  auto laid_out = other.partition_by(Partitioner::hash(vertex_partitions()));
  auto v = vparts_.zip_partitions(laid_out, Join{std::move(f)}, true);
  return Graph<typename Join::VD2, ED>(std::move(v), edges_, structure_);
}

template <class VD, class ED>
template <class U, class F>
Graph<VD, ED> Graph<VD, ED>::join_vertices(const VertexRDD<U>& other, F f) const {
  return outer_join_vertices(other, detail::JoinApply<F>{std::move(f)});
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
                   .map_partitions_with_index(detail::BuildEdgePartition<ED>{vertex_partitions()});
  return with_edges(std::move(parts));
}

// ---- Aggregation -------------------------------------------------------------------------------

template <class VD, class ED>
template <class M, class Send, class Merge>
VertexRDD<M> Graph<VD, ED>::aggregate_messages(Send send, Merge merge, TripletFields fields) const {
  return merge_messages<M>(scan_messages<M>(send, merge, fields), merge);
}

template <class VD, class ED>
template <class M, class Send, class Merge, class A>
VertexRDD<M> Graph<VD, ED>::aggregate_messages(Send send, Merge merge, TripletFields, const VertexRDD<A>& active,
                                               EdgeDirection direction) const {
  detail::Scan<VD, ED, M, Send, Merge> scan{send, merge, true, direction};
  return merge_messages<M>(
      edges_.zip_partitions(ship<A>(&active.partitions()), detail::ScanShipped<VD, ED, M, Send, Merge>{scan}), merge);
}

// ---- Internals ----------------------------------------------------------------------------------------

template <class VD, class ED> const RDD<RoutingPartition>& Graph<VD, ED>::routing() const {
  std::lock_guard lock(structure_->mu);
  if (!structure_->routing) {
    auto routes = edges_.map_partitions(detail::RouteIds<ED>{}).partition_by(Partitioner::direct(vertex_partitions()));
    structure_->routing = vparts_.zip_partitions(routes, detail::BuildRouting<VD>{edges_.num_partitions()});
    structure_->routing->cache();
  }
  return *structure_->routing;
}

template <class VD, class ED>
template <class A>
auto Graph<VD, ED>::ship(const RDD<VertexPartition<A>>* active, uint8_t roles) const {
  const Partitioner by_edge_partition = Partitioner::direct(edges_.num_partitions());
  if (active) return vparts_.zip_partitions(routing(), *active, detail::GatherActive<VD, A>{}).partition_by(by_edge_partition);
  const auto& routes = routing();
  std::lock_guard lock(shipped_->mu);
  auto& shipped = shipped_->by_roles[roles & (kSource | kDestination)];
  if (!shipped) shipped = vparts_.zip_partitions(routes, detail::Gather<VD>{roles}).partition_by(by_edge_partition);
  return *shipped;
}

template <class VD, class ED>
template <class M, class Send, class Merge>
auto Graph<VD, ED>::scan_messages(Send send, Merge merge, TripletFields fields) const {
  detail::Scan<VD, ED, M, Send, Merge> scan{send, merge, false, EdgeDirection::Either, fields.roles()};
  if (!fields.use_src && !fields.use_dst) return edges_.map_partitions(detail::ScanAlone<VD, ED, M, Send, Merge>{scan});
  return edges_.zip_partitions(ship<VD>(nullptr, fields.roles()), detail::ScanShipped<VD, ED, M, Send, Merge>{scan});
}

template <class VD, class ED>
template <class M, class Merge>
VertexRDD<M> Graph<VD, ED>::merge_messages(const auto& blocks, Merge merge) const {
  auto laid_out = blocks.partition_by(Partitioner::direct(vertex_partitions()));
  return VertexRDD<M>(vparts_.zip_partitions(routing(), laid_out, detail::MergeBlocks<VD, M, Merge>{merge}, true));
}

namespace detail {
template <class M, class VD, class ED, class VD3, class Send, class Merge, class F>
auto FusedJoin::aggregate_then_join(const Graph<VD3, ED>& messages_of, const Graph<VD, ED>& into, Send send,
                                    Merge merge, TripletFields fields, F f) {
  if (messages_of.structure_ != into.structure_)
    throw std::logic_error("graphx: aggregate_then_join over graphs of different structures");
  auto laid_out = messages_of.template scan_messages<M>(send, merge, fields)
                      .partition_by(Partitioner::direct(into.vertex_partitions()));
  using Join = MergeJoin<VD, M, Merge, F>;
  auto v = into.vparts_.zip_partitions(into.routing(), laid_out, Join{merge, std::move(f)}, true);
  return Graph<typename Join::VD2, ED>(std::move(v), into.edges_, into.structure_);
}

template <class VD, class ED> void FusedJoin::ship_ahead(const Graph<VD, ED>& graph, TripletFields fields) {
  graph.template ship<VD>(nullptr, fields.roles()).run_map_stages();
}
}  // namespace detail

// ---- Persistence ------------------------------------------------------------------------------------------

template <class VD, class ED> const Graph<VD, ED>& Graph<VD, ED>::persist(StorageLevel level) const {
  vparts_.persist(level);
  edges_.persist(level);
  return *this;
}

template <class VD, class ED> const Graph<VD, ED>& Graph<VD, ED>::unpersist() const {
  vparts_.unpersist();
  edges_.unpersist();
  std::lock_guard lock(shipped_->mu);
  for (auto& shipped : shipped_->by_roles) shipped.reset();  // and the shuffle outputs they keep
  return *this;
}

}  // namespace brasa::graphx
