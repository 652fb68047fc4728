// The bridge to Boost.Graph: a graph collected into a
// boost::adjacency_list and back, and Graphviz and GraphML files.
//
//   auto bg = brasa::graphx::to_boost(g);                  // on the driver
//   boost::strong_components(bg, ...);
//   auto again = brasa::graphx::from_boost(ctx, bg);
//   brasa::graphx::write_graphml(out, g);
//   auto h = brasa::graphx::read_graphml<double, double>(ctx, "g.graphml");
//
// Not included by graphx.h (Boost.Graph's headers are heavy). The readers
// need Boost.Graph's library: link Boost::graph (find_package(Boost
// COMPONENTS graph)); the rest is header-only. Attributes travel as text,
// so VD and ED must be printable with << and readable with >> (numbers,
// strings). In both file formats a vertex's id is kept: the "id" data of a
// GraphML node (its position in the file when absent), the name of a
// Graphviz node (which must then be an integer).
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphml.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/property_map/dynamic_property_map.hpp>
#include <cstdint>
#include <fstream>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "brasa/graphx/graph.h"

namespace brasa::graphx {

template <class VD> struct BoostVertex {
  static constexpr VertexId kNoId = std::numeric_limits<VertexId>::min();
  VertexId id = kNoId;
  VD attr{};
};
template <class ED> struct BoostEdge {
  ED attr{};
};
// Directed, with in-edges (bidirectionalS), parallel edges and self loops
// kept; vertex i of the adjacency list is the i-th smallest id.
template <class VD, class ED>
using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, BoostVertex<VD>, BoostEdge<ED>>;

// The whole graph collected to the driver: vertices by ascending id, edges
// in the order of edges().
template <class VD, class ED> BoostGraph<VD, ED> to_boost(const Graph<VD, ED>& graph) {
  auto vertices = graph.vertices().collect();
  std::sort(vertices.begin(), vertices.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  BoostGraph<VD, ED> out;
  std::unordered_map<VertexId, size_t> index;
  index.reserve(vertices.size());
  for (auto& [id, attr] : vertices) {
    index.emplace(id, boost::add_vertex(BoostVertex<VD>{id, std::move(attr)}, out));
  }
  for (auto& e : graph.edges().collect()) boost::add_edge(index.at(e.src), index.at(e.dst), BoostEdge<ED>{e.attr}, out);
  return out;
}

// A graph of the adjacency list's vertices (each with its id and
// attribute; ids must be distinct) and edges, in `partitions` partitions
// (0: the context's default parallelism).
template <class VD, class ED>
Graph<VD, ED> from_boost(Context& ctx, const BoostGraph<VD, ED>& bg, int partitions = 0) {
  std::vector<std::pair<VertexId, VD>> vertices;
  vertices.reserve(boost::num_vertices(bg));
  std::unordered_map<VertexId, size_t> seen;
  for (auto v : boost::make_iterator_range(boost::vertices(bg))) {
    const auto& p = bg[v];
    if (!seen.emplace(p.id, v).second)
      throw std::invalid_argument("from_boost: vertex id " + std::to_string(p.id) + " appears twice");
    vertices.emplace_back(p.id, p.attr);
  }
  std::vector<Edge<ED>> edges;
  edges.reserve(boost::num_edges(bg));
  for (auto e : boost::make_iterator_range(boost::edges(bg)))
    edges.push_back(Edge<ED>{bg[boost::source(e, bg)].id, bg[boost::target(e, bg)].id, bg[e].attr});
  const int n = partitions > 0 ? partitions : ctx.default_parallelism();
  return Graph<VD, ED>::create(ctx.parallelize(std::move(vertices), n), ctx.parallelize(std::move(edges), n), VD{});
}

namespace detail {
// The properties both file formats carry: vertex id and attribute, edge attribute.
template <class VD, class ED> boost::dynamic_properties file_properties(BoostGraph<VD, ED>& bg, bool with_ignore) {
  boost::dynamic_properties dp = with_ignore ? boost::dynamic_properties(boost::ignore_other_properties)
                                             : boost::dynamic_properties();
  dp.property("id", boost::get(&BoostVertex<VD>::id, bg));
  dp.property("attr", boost::get(&BoostVertex<VD>::attr, bg));
  dp.property("attr", boost::get(&BoostEdge<ED>::attr, bg));
  return dp;
}
// Vertices without an id in the file get their position in it.
template <class VD, class ED> void number_unnamed(BoostGraph<VD, ED>& bg) {
  for (auto v : boost::make_iterator_range(boost::vertices(bg)))
    if (bg[v].id == BoostVertex<VD>::kNoId) bg[v].id = static_cast<VertexId>(v);
}
inline std::ifstream open_graph_file(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(std::string(what) + ": cannot open " + path);
  return in;
}
}  // namespace detail

// GraphML with keys "id" (vertices) and "attr" (vertices and edges).
template <class VD, class ED> void write_graphml(std::ostream& out, const Graph<VD, ED>& graph) {
  auto bg = to_boost(graph);
  boost::write_graphml(out, bg, detail::file_properties(bg, false), true);
}

// A GraphML file's first graph: the "id" and "attr" data of nodes and the
// "attr" data of edges (other keys are ignored; missing ones give the
// type's default, and a node's position for its id).
template <class VD, class ED>
Graph<VD, ED> read_graphml(Context& ctx, const std::string& path, int partitions = 0) {
  auto in = detail::open_graph_file(path, "read_graphml");
  BoostGraph<VD, ED> bg;
  auto dp = detail::file_properties(bg, true);
  try {
    boost::read_graphml(in, bg, dp, 0);
  } catch (const std::exception& e) {
    throw std::runtime_error("read_graphml: " + path + ": " + e.what());
  }
  detail::number_unnamed(bg);
  return from_boost(ctx, bg, partitions);
}

// Graphviz DOT: a digraph whose nodes are named by vertex id, with "attr"
// attributes on nodes and edges.
template <class VD, class ED> void write_graphviz(std::ostream& out, const Graph<VD, ED>& graph) {
  auto bg = to_boost(graph);
  boost::dynamic_properties dp;
  dp.property("node_id", boost::get(&BoostVertex<VD>::id, bg));
  dp.property("attr", boost::get(&BoostVertex<VD>::attr, bg));
  dp.property("attr", boost::get(&BoostEdge<ED>::attr, bg));
  boost::write_graphviz_dp(out, bg, dp, "node_id");
}

// A Graphviz digraph: node names are the vertex ids, "attr" attributes
// the attributes (other attributes are ignored).
template <class VD, class ED>
Graph<VD, ED> read_graphviz(Context& ctx, const std::string& path, int partitions = 0) {
  auto in = detail::open_graph_file(path, "read_graphviz");
  BoostGraph<VD, ED> bg;
  boost::dynamic_properties dp(boost::ignore_other_properties);
  dp.property("node_id", boost::get(&BoostVertex<VD>::id, bg));
  dp.property("attr", boost::get(&BoostVertex<VD>::attr, bg));
  dp.property("attr", boost::get(&BoostEdge<ED>::attr, bg));
  try {
    if (!boost::read_graphviz(in, bg, dp, "node_id"))
      throw std::runtime_error("not a graph Boost.Graph can read");
  } catch (const boost::bad_lexical_cast&) {
    throw std::runtime_error("read_graphviz: " + path + ": a node name or attribute is not of the expected type "
                             "(node names must be integer vertex ids)");
  } catch (const std::exception& e) {
    throw std::runtime_error("read_graphviz: " + path + ": " + e.what());
  }
  return from_boost(ctx, bg, partitions);
}

}  // namespace brasa::graphx
