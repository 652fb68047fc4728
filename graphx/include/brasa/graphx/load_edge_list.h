// Reading a graph from an edge list (GraphX's GraphLoader.edgeListFile):
// SNAP-style text, one edge per line as "src dst" (tabs or spaces; any
// further fields ignored), lines starting with '#' and blank lines skipped.
// Every edge and vertex gets attribute 1.
//
//   auto g = brasa::graphx::load_edge_list(ctx, "edges.txt", {.partitions = 8});
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "brasa/graphx/graph.h"

namespace brasa::graphx {

struct EdgeListOptions {
  int partitions = 0;                  // edge partitions (0: the context's default)
  bool canonical_orientation = false;  // orient every edge from the smaller id to the larger
};

// The graph of the edge list at `path` (a file, a directory or a glob).
// Reads it once, now, and throws std::runtime_error naming the file and the
// line of the first malformed line, or the path when nothing matches.
Graph<int32_t, int32_t> load_edge_list(Context& ctx, const std::string& path, EdgeListOptions options = {});

// One line of an edge list: true and the edge for an edge line, false for
// a comment or blank line; throws std::invalid_argument for anything else.
bool parse_edge_line(std::string_view line, VertexId& src, VertexId& dst);

}  // namespace brasa::graphx
