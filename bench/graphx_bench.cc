// brasa-bench-graphx: graphx against hand-written single-threaded loops
// and Python's graph libraries on the same R-MAT graphs (Graph500
// parameters, fixed seed; by default 2^17 vertices / 2M edges and 2^20 /
// 16M), in one run:
//   G1 PageRank, time per iteration: a CSR pull loop with GraphX's
//      semantics, SciPy's sparse power iteration, networkx (small graph
//      only), and graphx::page_rank on local[1], local[2],
//      local-cluster[2,1];
//   G2 connected components end to end: Boost.Graph's, SciPy's, igraph's
//      and networkx's (small graph only), and graphx::connected_components;
//   G3 PageRank solved to convergence with networkx's definition: igraph's
//      PRPACK and SciPy's power iteration (graphx's solver is G1's);
//   M  the cached graph's bytes per edge, as the block managers count them;
//   P  a 100-superstep Pregel run (PageRank's messages along out-edges) on
//      the first graph: time per superstep and the resident memory of the
//      driver and executors after supersteps 10 and 100.
// Brasa runs on each master's default parallelism ("brasa graphx") and on
// 4 edge partitions in every mode ("brasa graphx, 4 partitions").
// Prints a table and the targets of issue 21, and writes graphx.csv and
// graphx.svg. The Python peers (bench/graphx_peers.py) read the edges from
// a raw file under /tmp, removed at the end.
//
//   brasa-bench-graphx [--graphs 17:2000000 20:16000000] [--runs 3] [--python /usr/bin/python3]
//                      [--masters local[1] local[2] local-cluster[2,1]] [--partitions 0 4] [--out bench/results]
#include <CLI/CLI.hpp>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "brasa/brasa.h"
#include "brasa/deploy/cluster_backend.h"
#include "brasa/graphx/graphx.h"
#include "brasa/scheduler/event_bus.h"
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
  std::vector<std::string> graphs = {"17:2000000", "20:16000000"};  // scale:edges
  int runs = 3;
  // Edge partitions: 0 is each master's default parallelism (1, 2, 2), what
  // a program gets that names none, and the targets are checked on
  // it; 4 runs every master on the same partitions.
  std::vector<int> partitions = {0, 4};
  int pregel_supersteps = 100;
  int64_t networkx_max_edges = 3'000'000;  // networkx takes minutes beyond
  std::string python = "/usr/bin/python3";
  std::string peers = BRASA_BENCH_SOURCE_DIR "/graphx_peers.py";
  std::vector<std::string> masters = {"local[1]", "local[2]", "local-cluster[2,1]"};
};

struct GraphSize {
  int scale = 17;
  int64_t edges = 0;
  std::string label;  // "2^17, 2M edges"
};

GraphSize parse_size(const std::string& spec) {
  GraphSize g;
  char colon = 0;
  std::istringstream in(spec);
  if (!(in >> g.scale >> colon >> g.edges) || colon != ':' || g.scale < 4 || g.scale > 30 || g.edges < 1)
    throw std::invalid_argument("--graphs: expected SCALE:EDGES such as 17:2000000, got '" + spec + "'");
  char label[64];
  std::snprintf(label, sizeof label, "2^%d, %gM edges", g.scale, static_cast<double>(g.edges) / 1e6);
  g.label = label;
  return g;
}

brasa::Conf bench_conf(const std::string& master) {
  return brasa::Conf()
      .master(master)
      .app_name("brasa-bench-graphx")
      .set("brasa.ui.show_progress", "false")
      .set("brasa.log.level", "warn");
}

// The position of vertex v in the ascending ids.
size_t index_of(const std::vector<VertexId>& ids, VertexId v) {
  return static_cast<size_t>(std::lower_bound(ids.begin(), ids.end(), v) - ids.begin());
}

// GraphX's PageRank as a pull loop over a CSR of in-edges: vertex ids
// compacted to 0..n-1, out-degrees inverted once.
struct HandPageRank {
  std::vector<VertexId> ids;
  std::vector<std::array<int32_t, 2>> ends;  // per edge, its source's and destination's index in ids
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
    ends.reserve(edges.size());
    for (const auto& e : edges) {
      auto s = index_of(ids, e.src), d = index_of(ids, e.dst);
      ends.push_back({static_cast<int32_t>(s), static_cast<int32_t>(d)});
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

// Over the loop's compacted edges: the clock does not count finding the
// vertices' indices.
std::map<VertexId, VertexId> boost_components(const HandPageRank& graph, Timings& t) {
  const auto& ids = graph.ids;
  std::map<VertexId, VertexId> out;
  t.time([&] {
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS> g(ids.size());
    for (const auto& [s, d] : graph.ends) boost::add_edge(s, d, g);
    std::vector<int> comp(ids.size());
    boost::connected_components(g, comp.data());
    std::unordered_map<int, VertexId> smallest;
    for (size_t i = 0; i < ids.size(); ++i) smallest.emplace(comp[i], ids[i]);  // ids ascending: first is smallest
    for (size_t i = 0; i < ids.size(); ++i) out[ids[i]] = smallest[comp[i]];
    return 0;
  });
  return out;
}

// The latest size of every cached block (kBlockUpdated events), so that
// the bytes of an RDD are summed over the block managers that hold it.
class CachedBytes : public brasa::Listener {
 public:
  void on_event(const brasa::Event& e) override {
    if (e.type != brasa::Event::Type::kBlockUpdated) return;
    std::lock_guard lock(mu_);
    blocks_[{e.rdd_id, e.partition, e.executor_id}] = e.memory_bytes;
  }
  int64_t of(const std::vector<int>& rdds) const {
    std::lock_guard lock(mu_);
    int64_t sum = 0;
    for (const auto& [key, bytes] : blocks_)
      if (std::find(rdds.begin(), rdds.end(), std::get<0>(key)) != rdds.end()) sum += bytes;
    return sum;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::tuple<int, int, int>, int64_t> blocks_;
};

// Resident memory of a process (VmRSS), in bytes; 0 when it is gone.
int64_t rss_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  return 0;
}

// The driver's resident memory plus its executors' (local-cluster).
int64_t total_rss(brasa::Context& ctx) {
  int64_t sum = rss_bytes(::getpid());
  if (auto* cluster = ctx.runtime().cluster())
    for (pid_t pid : cluster->executor_pids()) sum += rss_bytes(pid);
  return sum;
}

// Samples total_rss after each Pregel superstep.
class RssPerSuperstep : public brasa::Listener {
 public:
  explicit RssPerSuperstep(brasa::Context& ctx) : ctx_(ctx) {}
  void on_event(const brasa::Event& e) override {
    if (e.type != brasa::Event::Type::kIterationEnd || e.name != "pregel") return;
    std::lock_guard lock(mu_);
    rss_[e.iteration] = total_rss(ctx_);
  }
  int64_t at(int superstep) const {
    std::lock_guard lock(mu_);
    auto it = rss_.find(superstep);
    return it == rss_.end() ? 0 : it->second;
  }

 private:
  brasa::Context& ctx_;
  mutable std::mutex mu_;
  std::map<int, int64_t> rss_;
};

// PageRank as a Pregel program that never stops by itself: every vertex
// with in-edges gets a message each superstep.
struct RankProgram {
  double operator()(VertexId, double, double sum) const { return 0.15 + 0.85 * sum; }
};
struct SendRankAlongEdge {
  template <class Ctx> void operator()(Ctx& ctx) const { ctx.send_to_dst(ctx.src_attr() * ctx.attr()); }
};
struct AddRanks {
  double operator()(double a, double b) const { return a + b; }
};
struct OneOverOutDegree {
  template <class VD> double operator()(VertexId, const VD&, std::optional<int> d) const {
    return d ? 1.0 / *d : 0.0;
  }
};
struct SourceAttr {
  template <class ED> double operator()(const brasa::graphx::EdgeTriplet<double, ED>& t) const { return t.src_attr; }
};

// What one graph's peers said, and their rows.
struct PeerRows {
  std::vector<Row> rows;
  std::vector<double> scipy_ranks;
};

PeerRows run_peers(const Options& o, const HandPageRank& graph, const std::string& g1, const std::string& g2,
                   const std::string& g3, const std::map<VertexId, VertexId>& boost_labels) {
  const auto& ids = graph.ids;
  const auto& edges = graph.ends;
  PeerRows out;
  if (!fs::exists(o.python)) {
    std::printf("skip: Python peers: %s not found (install python3-scipy python3-igraph python3-networkx)\n",
                o.python.c_str());
    return out;
  }
  const std::string base = (fs::temp_directory_path() / ("brasa-bench-graphx-" + std::to_string(::getpid()))).string();
  const std::string edge_file = base + ".edges", ranks_file = base + ".ranks";
  {
    std::ofstream f(edge_file, std::ios::binary);
    f.write(reinterpret_cast<const char*>(edges.data()),
            static_cast<std::streamsize>(edges.size() * sizeof(edges[0])));
  }
  // Boost's answer in the peers' terms: the component count and the sum of
  // each vertex's smallest index in its component.
  int64_t want_components = 0, want_digest = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    size_t smallest = index_of(ids, boost_labels.at(ids[i]));
    want_components += smallest == i;
    want_digest += static_cast<int64_t>(smallest);
  }
  std::vector<std::string> lines;
  try {
    const bool networkx = static_cast<int64_t>(edges.size()) <= o.networkx_max_edges;
    lines = brasa::bench::run_child(o.python + " " + o.peers + " " + edge_file + " " + std::to_string(ids.size()) +
                                    " " + std::to_string(o.runs) + " " + (networkx ? "1 " : "0 ") + ranks_file +
                                    " 2>/dev/null");
  } catch (const std::exception& e) {
    std::printf("skip: Python peers failed: %s\n", e.what());
  }
  for (const auto& line : lines) {
    auto f = brasa::bench::fields(line);
    if (f.count("skip")) std::printf("skip: %s\n", f["skip"].c_str());
    if (f.count("info")) std::printf("peers: %s\n", f["info"].c_str());
    if (!f.count("workload")) continue;
    Timings t;
    std::istringstream secs(f["seconds"]);
    for (std::string v; std::getline(secs, v, ',');) t.seconds.push_back(std::stod(v));
    Row row{"", f["system"], f["config"], t.median(), static_cast<double>(edges.size()), false, f["note"]};
    if (f["workload"] == "G1") {
      row.workload = g1;
      if (row.note == "ranks") {
        std::ifstream in(ranks_file, std::ios::binary);
        out.scipy_ranks.resize(ids.size());
        in.read(reinterpret_cast<char*>(out.scipy_ranks.data()),
                static_cast<std::streamsize>(ids.size() * sizeof(double)));
        row.note = in ? "" : "no ranks written";
      }
    } else if (f["workload"] == "G2") {
      row.workload = g2;
      row.note = std::stoll(f["components"]) == want_components && std::stoll(f["digest"]) == want_digest
                     ? "components match Boost"
                     : "WRONG components";
    } else {
      row.workload = g3;
      row.note = f.count("note") ? f["note"] : "L1 distance to SciPy's " + f["l1"];
    }
    out.rows.push_back(row);
  }
  fs::remove(edge_file);
  fs::remove(ranks_file);
  return out;
}

struct Targets {
  std::vector<std::string> lines;
  void check(bool met, const std::string& what) { lines.push_back(std::string(met ? "met   " : "MISSED") + "  " + what); }
};

std::string ratio(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fx", x);
  return buf;
}

// The largest relative difference between rank_of(v) and the loop's rank of v.
template <class RankOf>
double worst_rank_error(const HandPageRank& hand, const std::vector<double>& want, RankOf rank_of) {
  double worst = 0;
  for (size_t v = 0; v < hand.ids.size(); ++v)
    worst = std::max(worst, std::abs(rank_of(v) - want[v]) / std::max(1.0, want[v]));
  return worst;
}

// What graphx's rows are checked against: the loop's ranks, Boost's components.
struct Reference {
  const HandPageRank& hand;
  const std::vector<double>& ranks;
  const std::map<VertexId, VertexId>& components;
  double loop_seconds;  // per iteration
  std::string g1, g2;   // the workloads' labels
};

void run_brasa(const Options& o, const GraphSize& size, int partitions, bool with_pregel, const Reference& ref,
               Report& report, Targets& targets);

void run_graph(const Options& o, const GraphSize& size, bool with_pregel, Report& report, Targets& targets) {
  const std::string g1 = "G1 PageRank iteration, " + size.label, g2 = "G2 connected components, " + size.label,
                    g3 = "G3 PageRank solve, " + size.label;
  std::vector<Edge<int32_t>> edges;
  {
    brasa::Context ctx(bench_conf("local[2]"));  // the same edges for any partition count
    edges = brasa::graphx::rmat_edges(ctx, size.scale, size.edges, {.seed = 1, .partitions = 4}).collect();
  }
  const double m = static_cast<double>(edges.size());
  HandPageRank hand(edges);
  Timings t;
  auto want = hand.run(10, t);
  Timings later{1, std::vector<double>(t.seconds.begin() + 1, t.seconds.end())};  // the first pays for faults
  report.add({g1, "hand loop (CSR pull)", "1 thread", later.median(), m, false, ""});
  Timings tb{o.runs, {}};
  auto components = boost_components(hand, tb);
  report.add({g2, "Boost.Graph connected_components", "1 thread", tb.median(), m, false, ""});

  PeerRows peers = run_peers(o, hand, g1, g2, g3, components);
  for (auto& row : peers.rows) {
    if (row.workload == g1 && row.system.rfind("SciPy", 0) == 0)
      row.note = peers.scipy_ranks.size() == hand.ids.size() &&
                         worst_rank_error(hand, want, [&](size_t v) { return peers.scipy_ranks[v]; }) < 1e-9
                     ? "ranks match the loop"
                     : "WRONG ranks";
    report.add(row);
  }

  const Reference ref{hand, want, components, later.median(), g1, g2};
  for (const int partitions : o.partitions)
    run_brasa(o, size, partitions, with_pregel && partitions == o.partitions.front(), ref, report, targets);
}

// graphx's rows on one partition count (0: each master's default).
void run_brasa(const Options& o, const GraphSize& size, int partitions, bool with_pregel, const Reference& ref,
               Report& report, Targets& targets) {
  const std::string& g1 = ref.g1;
  const std::string& g2 = ref.g2;
  const std::string p = "P Pregel superstep, " + size.label;
  const HandPageRank& hand = ref.hand;
  const double loop = ref.loop_seconds;
  const brasa::graphx::RmatOptions rmat{.seed = 1, .partitions = partitions};
  const std::string system = partitions == 0 ? "brasa graphx" : "brasa graphx, " + std::to_string(partitions) + " partitions";
  const std::string setting = partitions == 0 ? "default parallelism" : std::to_string(partitions) + " edge partitions";
  const double m = static_cast<double>(hand.ends.size());
  std::map<std::string, double> per_iteration_of;
  for (const auto& master : o.masters) {
    brasa::Context ctx(bench_conf(master));
    auto bytes = std::make_shared<CachedBytes>();
    ctx.runtime().events().add_listener(bytes);
    auto g = brasa::graphx::rmat_graph(ctx, size.scale, size.edges, rmat);
    g.cache();
    g.num_edges();
    g.num_vertices();
    ctx.runtime().events().flush();
    const double per_edge =
        static_cast<double>(bytes->of({g.edge_partitions().id(), g.vertices().partitions().id()})) / m;
    std::printf("M  cached graph, %s, %s: %.1f bytes per edge (edges and vertices)\n", size.label.c_str(),
                master.c_str(), per_edge);
    if (master == o.masters.front())
      targets.check(per_edge <= 24, "cached graph (" + size.label + ", " + setting + ") at most 24 bytes per edge: " +
                                        std::to_string(per_edge).substr(0, 5));
    // Per iteration: the difference between runs of 22 and 2 iterations,
    // which share the set-up (degrees, edge weights) and the rescaling.
    Timings per_iteration;
    for (int r = 0; r < o.runs; ++r) {
      double a = Timings::now();
      brasa::graphx::page_rank(g, {.iterations = 2});
      double b = Timings::now();
      brasa::graphx::page_rank(g, {.iterations = 22});
      double c = Timings::now();
      per_iteration.seconds.push_back(((c - b) - (b - a)) / 20);
    }
    // The ranks after the loop's 10 iterations.
    const auto ranks10 = brasa::graphx::page_rank(g, {.iterations = 10}).vertices().collect();
    const std::map<VertexId, double> got(ranks10.begin(), ranks10.end());
    const double worst = worst_rank_error(hand, ref.ranks, [&](size_t v) {
      auto it = got.find(hand.ids[v]);
      return it == got.end() ? -1.0 : it->second;
    });
    report.add({g1, system, master, per_iteration.median(), m, true,
                std::string(worst < 1e-9 && got.size() == hand.ids.size() ? "ranks match the loop" : "WRONG ranks") +
                    "; edge partitions: " + std::to_string(g.edge_partitions().num_partitions())});
    per_iteration_of[master] = per_iteration.median();

    Timings tc{o.runs, {}};
    auto collected = tc.time([&] { return brasa::graphx::connected_components(g).vertices().collect(); });
    std::map<VertexId, VertexId> labels(collected.begin(), collected.end());
    report.add({g2, system, master, tc.median(), m, true,
                labels == ref.components ? "labels match Boost" : "WRONG labels"});

    if (!with_pregel) continue;
    auto rss = std::make_shared<RssPerSuperstep>(ctx);
    ctx.runtime().events().add_listener(rss);
    auto weighted = g.outer_join_vertices(g.out_degrees(), OneOverOutDegree{})
                        .map_triplets(SourceAttr{}, brasa::graphx::TripletFields::src());
    double start = Timings::now();
    auto ranks = brasa::graphx::pregel(weighted, 0.0,
                                       {.max_iterations = o.pregel_supersteps,
                                        .direction = brasa::graphx::EdgeDirection::Out},
                                       RankProgram{}, SendRankAlongEdge{}, AddRanks{});
    ranks.vertices().count();
    const double seconds = Timings::now() - start;
    ctx.runtime().events().flush();
    const int last = o.pregel_supersteps, early = std::min(10, last);
    const double growth = rss->at(early) > 0 ? static_cast<double>(rss->at(last)) / rss->at(early) : 0;
    char note[128];
    std::snprintf(note, sizeof note, "resident %.0f MB after superstep %d, %.0f MB after %d (%s)",
                  rss->at(early) / 1e6, early, rss->at(last) / 1e6, last, ratio(growth).c_str());
    report.add({p, "brasa graphx pregel", master, seconds / last, m, true, note});
    targets.check(growth > 0 && growth <= 1.10, "Pregel on " + master + ": memory after superstep " +
                                                    std::to_string(last) + " within 10% of superstep " +
                                                    std::to_string(early) + " (" + ratio(growth) + ")");
  }
  if (per_iteration_of.count("local[1]"))
    targets.check(per_iteration_of["local[1]"] <= 1.5 * loop,
                  "PageRank (" + size.label + ", " + setting + ") local[1] at most 1.5x the hand loop: " +
                      ratio(per_iteration_of["local[1]"] / loop));
  if (per_iteration_of.count("local[1]") && per_iteration_of.count("local[2]"))
    targets.check(per_iteration_of["local[1]"] >= 1.6 * per_iteration_of["local[2]"],
                  "PageRank (" + size.label + ", " + setting + ") local[2] at least 1.6x faster than local[1]: " +
                      ratio(per_iteration_of["local[1]"] / per_iteration_of["local[2]"]));
  if (per_iteration_of.count("local[2]") && per_iteration_of.count("local-cluster[2,1]"))
    targets.check(per_iteration_of["local-cluster[2,1]"] <= 2 * per_iteration_of["local[2]"],
                  "PageRank (" + size.label + ", " + setting + ") local-cluster[2,1] at most 2x local[2]: " +
                      ratio(per_iteration_of["local-cluster[2,1]"] / per_iteration_of["local[2]"]));
}

int run(const Options& o) {
  std::vector<GraphSize> sizes;
  for (const auto& spec : o.graphs) sizes.push_back(parse_size(spec));
  fs::create_directories(o.out);
  Report report;
  report.set_title("brasa-bench-graphx: time per workload (log scale; shorter is faster)",
                   "orange: Brasa; grey: hand-written C++, Boost.Graph and Python's graph libraries");
  report.print_header();
  Targets targets;
  for (size_t i = 0; i < sizes.size(); ++i) run_graph(o, sizes[i], i == 0, report, targets);
  std::printf("\ntargets (issue 21):\n");
  for (const auto& line : targets.lines) std::printf("  %s\n", line.c_str());
  report.write_csv((fs::path(o.out) / "graphx.csv").string());
  report.write_svg((fs::path(o.out) / "graphx.svg").string());
  std::printf("\nwrote %s/graphx.csv and graphx.svg\n", o.out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  CLI::App app{"brasa-bench-graphx: graphx PageRank, connected components and Pregel against hand loops, "
               "Boost.Graph, SciPy, igraph and networkx"};
  Options o;
  app.add_option("--out", o.out, "directory for graphx.csv and graphx.svg");
  app.add_option("--graphs", o.graphs, "R-MAT graphs as SCALE:EDGES (2^SCALE vertices), space-separated");
  app.add_option("--runs", o.runs, "timed runs per configuration (the median is reported)")->check(CLI::PositiveNumber);
  app.add_option("--partitions", o.partitions,
                 "edge partition counts, space-separated (0: each master's default parallelism; the targets are "
                 "checked on each)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--pregel-supersteps", o.pregel_supersteps, "supersteps of the Pregel memory run (first graph)")
      ->check(CLI::Range(10, 100000));
  app.add_option("--python", o.python, "Python with SciPy, igraph and networkx (Debian's python3-*)");
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
