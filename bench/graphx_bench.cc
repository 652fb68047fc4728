// brasa-bench-graphx: graphx against hand-written single-threaded loops on
// the same R-MAT graph (Graph500 parameters, fixed seed), in one run:
//   G1 PageRank, time per iteration: a CSR pull loop with GraphX's
//      semantics, and graphx::page_rank on local[1], local[2],
//      local-cluster[2,1];
//   G2 connected components end to end: Boost.Graph's
//      connected_components, and graphx::connected_components.
// Prints a table and writes graphx.csv and graphx.svg.
//
//   brasa-bench-graphx [--scale-log2 17] [--edges 2000000] [--runs 3] [--out bench/results]
#include <CLI/CLI.hpp>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "brasa/brasa.h"
#include "brasa/graphx/graphx.h"
#include "report.h"
#include "workloads.h"

namespace fs = std::filesystem;
using brasa::bench::Report;
using brasa::bench::Row;
using brasa::bench::Timings;
using brasa::graphx::Edge;
using brasa::graphx::VertexId;

namespace {

struct Options {
  std::string out = "bench/results";
  int scale = 17;
  int64_t edges = 2'000'000;
  int runs = 3;
  int partitions = 4;
  std::vector<std::string> masters = {"local[1]", "local[2]", "local-cluster[2,1]"};
};

brasa::Conf bench_conf(const std::string& master) {
  return brasa::Conf()
      .master(master)
      .app_name("brasa-bench-graphx")
      .set("brasa.ui.show_progress", "false")
      .set("brasa.log.level", "warn");
}

brasa::graphx::RmatOptions rmat_options(const Options& o) { return {.seed = 1, .partitions = o.partitions}; }

// The position of vertex v in the ascending ids.
size_t index_of(const std::vector<VertexId>& ids, VertexId v) {
  return static_cast<size_t>(std::lower_bound(ids.begin(), ids.end(), v) - ids.begin());
}

// GraphX's PageRank as a pull loop over a CSR of in-edges: vertex ids
// compacted to 0..n-1, out-degrees inverted once.
struct HandPageRank {
  std::vector<VertexId> ids;
  std::vector<int64_t> offsets;  // by destination
  std::vector<int32_t> sources;
  std::vector<double> inv_out;

  explicit HandPageRank(const std::vector<Edge<int32_t>>& edges) {
    for (const auto& e : edges) ids.push_back(e.src), ids.push_back(e.dst);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    size_t n = ids.size();
    offsets.assign(n + 1, 0);
    std::vector<int64_t> out(n, 0);
    std::vector<std::pair<int32_t, int32_t>> pairs;
    pairs.reserve(edges.size());
    for (const auto& e : edges) {
      auto s = index_of(ids, e.src), d = index_of(ids, e.dst);
      pairs.emplace_back(static_cast<int32_t>(d), static_cast<int32_t>(s));
      ++out[s];
      ++offsets[d + 1];
    }
    for (size_t v = 0; v < n; ++v) offsets[v + 1] += offsets[v];
    std::sort(pairs.begin(), pairs.end());
    sources.reserve(pairs.size());
    for (auto& p : pairs) sources.push_back(p.second);
    inv_out.resize(n);
    for (size_t v = 0; v < n; ++v) inv_out[v] = out[v] ? 1.0 / static_cast<double>(out[v]) : 0.0;
  }

  std::vector<double> run(int iterations, Timings& t) const {
    size_t n = ids.size();
    std::vector<double> rank(n, 1.0), contrib(n), next(n);
    t.seconds.clear();
    for (int it = 0; it < iterations; ++it) {
      double start = Timings::now();
      for (size_t v = 0; v < n; ++v) contrib[v] = rank[v] * inv_out[v];
      for (size_t v = 0; v < n; ++v) {
        double sum = 0;
        for (int64_t j = offsets[v]; j < offsets[v + 1]; ++j) sum += contrib[static_cast<size_t>(sources[static_cast<size_t>(j)])];
        next[v] = 0.15 + 0.85 * sum;
      }
      rank.swap(next);
      t.seconds.push_back(Timings::now() - start);
    }
    double total = 0;
    for (double r : rank) total += r;
    for (double& r : rank) r *= static_cast<double>(n) / total;
    return rank;
  }
};

std::map<VertexId, VertexId> boost_components(const std::vector<Edge<int32_t>>& edges, const std::vector<VertexId>& ids,
                                              Timings& t) {
  std::map<VertexId, VertexId> out;
  t.time([&] {
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS> g(ids.size());
    for (const auto& e : edges) boost::add_edge(index_of(ids, e.src), index_of(ids, e.dst), g);
    std::vector<int> comp(ids.size());
    boost::connected_components(g, comp.data());
    std::unordered_map<int, VertexId> smallest;
    for (size_t i = 0; i < ids.size(); ++i) smallest.emplace(comp[i], ids[i]);  // ids ascending: first is smallest
    for (size_t i = 0; i < ids.size(); ++i) out[ids[i]] = smallest[comp[i]];
    return 0;
  });
  return out;
}

int run(const Options& o) {
  fs::create_directories(o.out);
  Report report;
  report.print_header();
  const std::string g1 = "G1 PageRank iteration", g2 = "G2 connected components";
  char graph_name[96];
  std::snprintf(graph_name, sizeof graph_name, "R-MAT 2^%d vertices, %lld edges", o.scale,
                static_cast<long long>(o.edges));
  std::vector<Edge<int32_t>> edges;
  {
    brasa::Context ctx(bench_conf("local[2]"));
    edges = brasa::graphx::rmat_edges(ctx, o.scale, o.edges, rmat_options(o)).collect();
  }
  const double m = static_cast<double>(edges.size());
  HandPageRank hand(edges);
  Timings t;
  auto want = hand.run(10, t);
  Timings later{1, std::vector<double>(t.seconds.begin() + 1, t.seconds.end())};  // the first pays for faults
  Row hand_row{g1, "hand loop (CSR pull)", "1 thread", later.median(), m, false, graph_name};
  report.add(hand_row);
  Timings tb{o.runs, {}};
  auto components = boost_components(edges, hand.ids, tb);
  Row boost_row{g2, "Boost.Graph connected_components", "1 thread", tb.median(), m, false, graph_name};
  report.add(boost_row);

  for (const auto& master : o.masters) {
    brasa::Context ctx(bench_conf(master));
    auto g = brasa::graphx::rmat_graph(ctx, o.scale, o.edges, rmat_options(o));
    g.cache();
    g.num_edges();
    g.num_vertices();
    // Per iteration: the difference between runs of 10 and 2 iterations,
    // which share the set-up (degrees, edge weights) and the rescaling.
    Timings per_iteration;
    std::map<VertexId, double> got;
    for (int r = 0; r < o.runs; ++r) {
      double a = Timings::now();
      brasa::graphx::page_rank(g, {.iterations = 2});
      double b = Timings::now();
      auto ranks = brasa::graphx::page_rank(g, {.iterations = 10});
      double c = Timings::now();
      per_iteration.seconds.push_back(((c - b) - (b - a)) / 8);
      if (r == 0) {
        auto collected = ranks.vertices().collect();
        got = std::map<VertexId, double>(collected.begin(), collected.end());
      }
    }
    double worst = 0;
    for (size_t v = 0; v < hand.ids.size(); ++v) {
      auto it = got.find(hand.ids[v]);
      worst = std::max(worst, it == got.end() ? 1.0 : std::abs(it->second - want[v]) / std::max(1.0, want[v]));
    }
    Row pr{g1, "brasa graphx", master, per_iteration.median(), m, true,
           worst < 1e-9 && got.size() == hand.ids.size() ? "ranks match the loop" : "WRONG ranks"};
    report.add(pr);

    Timings tc{o.runs, {}};
    auto collected = tc.time([&] { return brasa::graphx::connected_components(g).vertices().collect(); });
    std::map<VertexId, VertexId> labels(collected.begin(), collected.end());
    Row cc{g2, "brasa graphx", master, tc.median(), m, true, labels == components ? "labels match Boost" : "WRONG labels"};
    report.add(cc);
  }
  report.write_csv((fs::path(o.out) / "graphx.csv").string());
  report.write_svg((fs::path(o.out) / "graphx.svg").string());
  std::printf("\nwrote %s/graphx.csv and graphx.svg\n", o.out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  CLI::App app{"brasa-bench-graphx: graphx PageRank and connected components against hand loops and Boost.Graph"};
  Options o;
  app.add_option("--out", o.out, "directory for graphx.csv and graphx.svg");
  app.add_option("--scale-log2", o.scale, "R-MAT vertices: 2^this")->check(CLI::Range(4, 30));
  app.add_option("--edges", o.edges, "R-MAT edges")->check(CLI::PositiveNumber);
  app.add_option("--runs", o.runs, "timed runs per configuration (the median is reported)")->check(CLI::PositiveNumber);
  app.add_option("--partitions", o.partitions, "edge partitions")->check(CLI::PositiveNumber);
  app.add_option("--masters", o.masters, "Brasa masters, space-separated")
      ->check(CLI::IsMember({"local[1]", "local[2]", "local-cluster[2,1]"}));
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "brasa-bench-graphx: %s\n", e.what());
    return 1;
  }
}
