#include "brasa/graphx/load_edge_list.h"

#include <charconv>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "brasa/rdd/text_input.h"

namespace brasa::graphx {

template class Graph<int32_t, int32_t>;

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// The next field of `line` from `pos` as a vertex id.
bool next_id(std::string_view line, size_t& pos, VertexId& id) {
  while (pos < line.size() && is_blank(line[pos])) ++pos;
  size_t end = pos;
  while (end < line.size() && !is_blank(line[end])) ++end;
  if (end == pos) return false;
  auto [ptr, ec] = std::from_chars(line.data() + pos, line.data() + end, id);
  if (ec != std::errc() || ptr != line.data() + end) return false;
  pos = end;
  return true;
}

struct ParseEdges {
  bool canonical;
  std::vector<Edge<int32_t>> operator()(const std::vector<std::string>& lines) const {
    std::vector<Edge<int32_t>> out;
    out.reserve(lines.size());
    VertexId src, dst;
    for (const auto& line : lines)
      if (parse_edge_line(line, src, dst)) {
        if (canonical && src > dst) std::swap(src, dst);
        out.push_back(Edge<int32_t>{src, dst, 1});
      }
    return out;
  }
};

// Finds the first malformed line of the files at `path` (the job that read
// them in parallel only knows the line's text).
std::string locate_bad_line(const std::string& path) {
  for (const auto& file : list_input_files(path)) {
    std::ifstream in(file);
    std::string line;
    VertexId src, dst;
    for (int64_t number = 1; std::getline(in, line); ++number) {
      try {
        parse_edge_line(line, src, dst);
      } catch (const std::invalid_argument& e) {
        return file + ":" + std::to_string(number) + ": " + e.what();
      }
    }
  }
  return "";
}

}  // namespace

bool parse_edge_line(std::string_view line, VertexId& src, VertexId& dst) {
  size_t pos = 0;
  while (pos < line.size() && is_blank(line[pos])) ++pos;
  if (pos == line.size() || line[pos] == '#') return false;
  if (!next_id(line, pos, src) || !next_id(line, pos, dst)) {
    std::string shown(line.substr(0, 80));
    throw std::invalid_argument("malformed edge line (expected two integer vertex ids, \"src dst\"): \"" + shown +
                                (line.size() > 80 ? "...\"" : "\""));
  }
  return true;
}

Graph<int32_t, int32_t> load_edge_list(Context& ctx, const std::string& path, EdgeListOptions options) {
  if (options.partitions < 0)
    throw std::invalid_argument("load_edge_list: partitions must be at least 0, got " +
                                std::to_string(options.partitions));
  auto edges = ctx.text_file(path, options.partitions).map_partitions(ParseEdges{options.canonical_orientation});
  auto graph = Graph<int32_t, int32_t>::from_edges(edges, 1);
  graph.edge_partitions().cache();
  try {
    graph.num_edges();
  } catch (const std::exception& e) {
    std::string where = locate_bad_line(path);
    throw std::runtime_error("load_edge_list: " + (where.empty() ? std::string(e.what()) : where));
  }
  return graph;
}

}  // namespace brasa::graphx
