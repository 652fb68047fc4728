// PageRank with graphx: the ten highest-ranked vertices of an edge list
// ("src dst" per line), GraphX's definition, 20 iterations.
//
//   graph_ranks FILE [MASTER]
#include <cstdio>

#include "brasa/brasa.h"
#include "brasa/graphx/graphx.h"

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: graph_ranks FILE [MASTER]\n");
    return 2;
  }
  brasa::Context ctx(brasa::Conf().master(argc > 2 ? argv[2] : "local[2]").app_name("graph_ranks"));
  auto graph = brasa::graphx::load_edge_list(ctx, argv[1]);
  auto ranks = brasa::graphx::page_rank(graph, {.iterations = 20}).vertices().rdd();
  using Rank = std::pair<brasa::graphx::VertexId, double>;
  auto best = ranks.take_ordered(
      10, [](const Rank& a, const Rank& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  for (const auto& [id, rank] : best) std::printf("%lld\t%.12f\n", static_cast<long long>(id), rank);
}
