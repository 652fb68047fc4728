// The vocabulary of graphx: vertex ids, edges, triplets, edge directions and
// the triplet fields an operation reads (GraphX's names, snake_case).
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>

namespace brasa::graphx {

// A vertex id: any 64-bit signed value (negative ids and ids above 2^31 are
// ordinary ids).
using VertexId = int64_t;

// A directed edge with an attribute. Records of RDD<Edge<ED>>.
template <class ED> struct Edge {
  VertexId src = 0;
  VertexId dst = 0;
  ED attr{};
  bool operator==(const Edge&) const = default;
  auto operator<=>(const Edge&) const = default;
  // Edges of plain attributes are copied byte for byte; others field by field.
  template <class Ar> void serialize(Ar& ar) requires(!std::is_trivially_copyable_v<ED>) { ar(src, dst, attr); }
};

// An edge with the attributes of both its vertices (Graph::triplets).
template <class VD, class ED> struct EdgeTriplet {
  VertexId src = 0;
  VertexId dst = 0;
  VD src_attr{};
  VD dst_attr{};
  ED attr{};
  bool operator==(const EdgeTriplet&) const = default;
  template <class Ar>
  void serialize(Ar& ar) requires(!std::is_trivially_copyable_v<VD> || !std::is_trivially_copyable_v<ED>) {
    ar(src, dst, src_attr, dst_attr, attr);
  }
};

// Which edges of an active vertex are scanned (Pregel's active_direction,
// GraphX's EdgeDirection): Out, the edges whose source is active; In, whose
// destination is; Either, one of the two; Both, both.
enum class EdgeDirection { In, Out, Either, Both };

// Which vertex attributes a function of an edge reads: only those are
// shipped to the edge partitions (GraphX's TripletFields).
// The roles of a vertex in an edge partition (EdgePartition::roles), and
// the roles whose attributes an operation reads (TripletFields::roles).
inline constexpr uint8_t kSource = 1, kDestination = 2;

struct TripletFields {
  bool use_src = true;
  bool use_dst = true;
  bool use_edge = true;
  constexpr uint8_t roles() const { return static_cast<uint8_t>((use_src ? kSource : 0) | (use_dst ? kDestination : 0)); }
  static constexpr TripletFields none() { return {false, false, true}; }
  static constexpr TripletFields src() { return {true, false, true}; }
  static constexpr TripletFields dst() { return {false, true, true}; }
  static constexpr TripletFields all() { return {true, true, true}; }
};

}  // namespace brasa::graphx
