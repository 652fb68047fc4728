// brasa-pagerank: PageRank of the vertices of a SNAP-style edge list
// ("src dst" per line, '#' comments). --dangling drop (the default) is
// GraphX's definition: a dangling vertex's rank goes nowhere and the ranks
// are scaled to sum to the number of vertices. --dangling uniform is
// networkx's and igraph's: a dangling vertex's rank is spread over every
// vertex (over the source when personalized) and the ranks sum to 1; with
// --tol it stops as networkx does, when the ranks changed by less than
// N * tol in all.
//
//   brasa-pagerank --input edges.txt --iterations 20 --top 10 --output ranks
//
// --mode memory runs graphx::page_rank on the cached graph. --mode disk runs
// the same iterations as a chain of MapReduce jobs: each one re-reads and
// re-parses the edge list, reads the ranks the last one wrote, and writes
// its own.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <optional>

#include "brasa/graphx/graphx.h"
#include "brasa/scheduler/iteration_clock.h"
#include "common/app.h"
#include "common/text_state.h"

using brasa::graphx::VertexId;
namespace apps = brasa::apps;

namespace {

struct Options {
  int iterations = 0;
  double tol = 0;
  double reset_prob = 0.15;
  std::optional<VertexId> source;
  bool uniform = false;  // --dangling uniform
};

// --dangling uniform in memory mode: the rank, its change in the last
// iteration, and the out-degree of each vertex.
struct UniformRank {
  double rank = 0;
  double change = 0;
  int out_degree = 0;
};

double plus(double a, double b) { return a + b; }

// networkx's PageRank on the cached graph with graphx's aggregate_messages:
// rank = (1 - reset) * (in-neighbours' rank / out-degree + dangling mass *
// p(v)) + reset * p(v), where p is uniform or the source's indicator.
brasa::RDD<std::pair<VertexId, double>> uniform_page_rank(const brasa::graphx::Graph<int32_t, int32_t>& graph,
                                                          const Options& o) {
  using brasa::graphx::VertexPartition;
  const double d = 1.0 - o.reset_prob;
  const bool personalized = o.source.has_value(), converge = o.tol > 0;
  const VertexId source = o.source.value_or(0);
  auto weighted =
      graph
          .outer_join_vertices(graph.out_degrees(),
                               [](VertexId, int32_t, std::optional<int> degree) { return degree.value_or(0); })
          .map_triplets([](const brasa::graphx::EdgeTriplet<int, int32_t>& t) { return 1.0 / t.src_attr; },
                        brasa::graphx::TripletFields::src());
  const double n = static_cast<double>(weighted.num_vertices());
  auto p = [=](VertexId id) { return personalized ? (id == source ? 1.0 : 0.0) : 1.0 / n; };
  brasa::graphx::Graph<UniformRank, double> ranks = weighted.map_vertices([=](VertexId id, int degree) {
    return UniformRank{p(id), 0, degree};
  });
  ranks.cache();
  brasa::IterationClock clock(ranks.edge_partitions().node()->runtime(), "pagerank");
  for (int i = 0; converge ? i < 10000 : i < o.iterations; ++i) {
    const double dangling = ranks.vertices().partitions().aggregate(
        0.0,
        [](double acc, const VertexPartition<UniformRank>& part) {
          for (size_t k = 0; k < part.size(); ++k)
            if (part.has(k) && part.values[k].out_degree == 0) acc += part.values[k].rank;
          return acc;
        },
        [](double a, double b) { return plus(a, b); });
    auto sums = ranks.template aggregate_messages<double>(
        [](auto& ctx) { ctx.send_to_dst(ctx.src_attr().rank * ctx.attr()); },
        [](double a, double b) { return plus(a, b); }, brasa::graphx::TripletFields::src());
    auto next = ranks.outer_join_vertices(sums, [=](VertexId id, const UniformRank& v, std::optional<double> sum) {
      const double rank = d * (sum.value_or(0.0) + dangling * p(id)) + (1.0 - d) * p(id);
      return UniformRank{rank, std::abs(rank - v.rank), v.out_degree};
    });
    next.vertices().cache();
    if ((i + 1) % 10 == 0) next.vertices().partitions().local_checkpoint();
    const double change = next.vertices().partitions().aggregate(
        0.0,
        [](double acc, const VertexPartition<UniformRank>& part) {
          for (size_t k = 0; k < part.size(); ++k)
            if (part.has(k)) acc += part.values[k].change;
          return acc;
        },
        [](double a, double b) { return plus(a, b); });
    if (!ranks.vertices().partitions().is_local_checkpointed()) ranks.vertices().unpersist();
    ranks = next;
    clock.lap(i + 1, change);
    if (converge && change < n * o.tol) break;
  }
  return ranks.vertices().rdd().map([](const std::pair<VertexId, UniformRank>& v) {
    return std::pair{v.first, v.second.rank};
  });
}

// A vertex's state between two disk-mode iterations: its rank, the change
// of its rank in the last iteration (dynamic PageRank), its out-degree, and
// whether it received messages in the last iteration.
struct VertexState {
  double rank = 0;
  double delta = 0;
  int64_t out_degree = 0;
  bool active = true;
};

using StateRecord = std::pair<VertexId, VertexState>;

std::string format_state(const StateRecord& v) {
  return apps::join_fields({std::to_string(v.first), apps::format_double(v.second.rank),
                            apps::format_double(v.second.delta), std::to_string(v.second.out_degree),
                            v.second.active ? "1" : "0"});
}

StateRecord parse_state(const std::string& line) {
  apps::Fields f(line, 5);
  return {f.int64(0), VertexState{f.real(1), f.real(2), f.int64(3), f.int64(4) != 0}};
}

void check_edge_line(const std::string& line) {
  VertexId src, dst;
  brasa::graphx::parse_edge_line(line, src, dst);
}

brasa::RDD<std::pair<VertexId, VertexId>> read_edges(brasa::Context& ctx, const std::string& input, int partitions) {
  return ctx.text_file(input, partitions).map_partitions([](const std::vector<std::string>& lines) {
    std::vector<std::pair<VertexId, VertexId>> out;
    out.reserve(lines.size());
    VertexId src, dst;
    for (const auto& line : lines)
      if (brasa::graphx::parse_edge_line(line, src, dst)) out.emplace_back(src, dst);
    return out;
  });
}

// Disk mode. Iteration 0 (the load) writes every vertex with its out-degree
// and starting rank; iteration i reads the edges and state i-1 and writes
// state i. Static PageRank: rank = reset + (1 - reset) * sum of in-neighbours'
// rank / out-degree. Dynamic: GraphX's delta propagation as Pregel runs it.
brasa::RDD<std::pair<VertexId, double>> disk_page_rank(brasa::Context& ctx, const apps::CommonFlags& flags,
                                                       const Options& o, const apps::ScratchDir& scratch,
                                                       apps::Report& report) {
  const double r = o.reset_prob;
  const bool personalized = o.source.has_value();
  const VertexId source = o.source.value_or(0);
  const bool dynamic = o.tol > 0 && !o.uniform, uniform = o.uniform, converge = o.tol > 0;
  auto state_path = [&](int i) { return scratch / ("state-" + std::to_string(i)); };

  auto edges = read_edges(ctx, flags.input, flags.partitions);
  auto degrees = edges.map([](const std::pair<VertexId, VertexId>& e) {
                        return std::pair{e.first, int64_t{1}};
                      })
                     .union_with(edges.map([](const std::pair<VertexId, VertexId>& e) {
                       return std::pair{e.second, int64_t{0}};
                     }))
                     .reduce_by_key([](int64_t a, int64_t b) { return a + b; });
  double n = 0;
  auto save_start = [&] {
    degrees.cache();
    n = static_cast<double>(degrees.count());
    degrees
        .map([=](const std::pair<VertexId, int64_t>& v) {
          VertexState s{0, 0, v.second, true};
          if (uniform) {
            s.rank = personalized ? (v.first == source ? 1.0 : 0.0) : 1.0 / n;
          } else if (!dynamic) {
            s.rank = !personalized || v.first == source ? 1.0 : 0.0;
          } else if (!personalized) {  // the initial message r / (1 - r) reaches
                                       // every vertex
            s.rank = 0 + (1.0 - r) * (r / (1.0 - r));
            s.delta = s.rank - 0;
          } else {
            s.rank = s.delta = v.first == source ? 1.0 : 0.0;
          }
          return format_state({v.first, s});
        })
        .save_as_text_file(state_path(0));
    degrees.unpersist();
  };
  apps::with_bad_line_located(flags.input, check_edge_line, save_start);
  report.loaded();

  brasa::IterationClock clock(ctx.runtime(), dynamic ? "pregel" : "pagerank");
  int i = 0;
  for (const int limit = dynamic ? INT_MAX : converge ? 10000 : o.iterations; i < limit;) {
    auto state =
        ctx.text_file(state_path(i), flags.partitions).map([](const std::string& line) { return parse_state(line); });
    // --dangling uniform: the rank of the dangling vertices, spread over all.
    const double dangling =
        !uniform
            ? 0.0
            : state.aggregate(
                  0.0,
                  [](double acc, const StateRecord& v) { return v.second.out_degree == 0 ? acc + v.second.rank : acc; },
                  [](double a, double b) { return plus(a, b); });
    auto change = ctx.accumulator<double>(0.0);   // uniform: the ranks' change in all
    auto received = ctx.accumulator<int64_t>(0);  // dynamic: vertices that got a message
    auto contributions = read_edges(ctx, flags.input, flags.partitions)
                             .join(state)
                             .filter([=](const std::pair<VertexId, std::pair<VertexId, VertexState>>& e) {
                               const VertexState& s = e.second.second;
                               return !dynamic || (s.active && s.delta > o.tol);
                             })
                             .map([=](const std::pair<VertexId, std::pair<VertexId, VertexState>>& e) {
                               const VertexState& s = e.second.second;
                               const double share = 1.0 / static_cast<double>(s.out_degree);
                               return std::pair{e.second.first, (dynamic ? s.delta : s.rank) * share};
                             })
                             .reduce_by_key([](double a, double b) { return a + b; });
    auto next = state.left_outer_join(contributions)
                    .map([=](const std::pair<VertexId, std::pair<VertexState, std::optional<double>>>& v) {
                      VertexState s = v.second.first;
                      const std::optional<double>& sum = v.second.second;
                      if (uniform) {
                        const double p = personalized ? (v.first == source ? 1.0 : 0.0) : 1.0 / n;
                        const double rank = (1.0 - r) * (sum.value_or(0.0) + dangling * p) + r * p;
                        change.add(std::abs(rank - s.rank));
                        s.rank = rank;
                      } else if (!dynamic) {
                        const double reset = !personalized || v.first == source ? r : 0.0;
                        s.rank = reset + (1.0 - r) * sum.value_or(0.0);
                      } else {
                        s.active = sum.has_value();
                        if (sum) {
                          received.add(1);
                          const double rank = s.rank + (1.0 - r) * *sum;
                          s.delta = rank - s.rank;
                          s.rank = rank;
                        }
                      }
                      return format_state({v.first, s});
                    });
    next.save_as_text_file(state_path(++i));
    // Dynamic: no vertex got a message, so no rank changed; Pregel ends here.
    if (dynamic && received.value() == 0) break;
    clock.lap(i, uniform ? change.value() : NAN);
    if (uniform && converge && change.value() < n * o.tol) break;
  }
  auto ranks = ctx.text_file(state_path(i), flags.partitions).map([](const std::string& line) {
    auto [id, s] = parse_state(line);
    return std::pair{id, s.rank};
  });
  if (uniform) return ranks;
  // GraphX's normalisation: ranks sum to the number of vertices (1 when
  // personalized).
  const double sum = ranks.values().reduce([](double a, double b) { return a + b; });
  const double target = personalized ? 1.0 : static_cast<double>(ranks.count());
  const double factor = sum > 0 ? target / sum : 1.0;
  return ranks.map([=](const std::pair<VertexId, double>& v) { return std::pair{v.first, v.second * factor}; });
}

// Several sources: a column of personalized ranks per source. Memory mode
// runs graphx's parallel personalized PageRank; disk mode runs one chain of
// jobs per source.
void several_sources(brasa::Context& ctx, const apps::CommonFlags& flags, const Options& o,
                     const std::vector<VertexId>& sources, int top, apps::Report& report) {
  using Ranks = std::pair<VertexId, std::vector<double>>;
  std::optional<apps::OutputDir> out;
  if (!flags.output.empty()) out.emplace(flags.output, flags.overwrite);
  brasa::RDD<Ranks> ranks;
  std::vector<apps::ScratchDir> scratch(flags.disk_mode() ? sources.size() : 0);
  if (flags.disk_mode()) {
    brasa::RDD<std::pair<VertexId, std::pair<int, double>>> columns;
    for (size_t k = 0; k < sources.size(); ++k) {
      Options one = o;
      one.source = sources[k];
      auto column = disk_page_rank(ctx, flags, one, scratch[k], report).map([k](const std::pair<VertexId, double>& v) {
        return std::pair{v.first, std::pair{static_cast<int>(k), v.second}};
      });
      columns = k == 0 ? column : columns.union_with(column);
    }
    const size_t n = sources.size();
    ranks = columns.group_by_key().map([n](const std::pair<VertexId, std::vector<std::pair<int, double>>>& v) {
      std::vector<double> r(n, 0.0);
      for (const auto& [k, rank] : v.second) r[k] = rank;
      return Ranks{v.first, r};
    });
  } else {
    auto graph = brasa::graphx::load_edge_list(ctx, flags.input, {.partitions = flags.partitions});
    report.loaded();
    ranks = brasa::graphx::parallel_personalized_page_rank(graph, sources, o.iterations, o.reset_prob).vertices().rdd();
  }
  ranks.cache();
  const int64_t vertices = ranks.count();
  if (out) {
    ranks
        .map([](const Ranks& v) {
          std::string line = std::to_string(v.first);
          for (double r : v.second) line += "\t" + apps::format_double(r);
          return line;
        })
        .save_as_text_file(out->staging());
    out->commit();
  }
  std::vector<double> sums(sources.size(), 0.0);
  for (size_t k = 0; k < sources.size(); ++k) {
    auto column = ranks.map([k](const Ranks& v) { return std::pair{v.first, v.second[k]}; });
    sums[k] = column.values().reduce([](double a, double b) { return a + b; });
    for (const auto& [id, rank] : column.take_ordered(top, [](const auto&a, const auto&b) {
           return a.second != b.second ? a.second > b.second : a.first < b.first;
         }))
      std::printf("%lld\t%lld\t%s\n", static_cast<long long>(sources[k]), static_cast<long long>(id),
                  apps::format_double(rank).c_str());
  }
  report.set("vertices", static_cast<double>(vertices));
  report.set("rank_sums", sums);
  report.summary(std::to_string(vertices) + " vertices, " + std::to_string(sources.size()) + " sources");
}

}  // namespace

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  apps::App app("brasa-pagerank", "PageRank of the vertices of an edge list (GraphX's definition)");
  Options o;
  int top = 0;
  std::vector<VertexId> sources;
  app.cli()
      .add_option("--iterations", o.iterations, "static PageRank: this many iterations (default 10 unless --tol)")
      ->check(CLI::PositiveNumber);
  app.cli()
      .add_option("--tol", o.tol, "dynamic PageRank: iterate until no rank changes by more than this")
      ->check(CLI::PositiveNumber);
  app.cli()
      .add_option("--reset-prob", o.reset_prob, "probability of a random jump")
      ->check(CLI::Range(1e-9, 1.0 - 1e-9))
      ->capture_default_str();
  std::string dangling = "drop";
  app.cli()
      .add_option("--dangling", dangling,
                  "drop: GraphX's PageRank (ranks sum to the number of vertices); uniform: networkx's and igraph's "
                  "(a dangling vertex's rank is spread over all vertices; ranks sum to 1)")
      ->check(CLI::IsMember({"drop", "uniform"}))
      ->capture_default_str();
  app.cli().add_option("--source", sources,
                       "personalized PageRank from this vertex; several: one column of ranks per source "
                       "(GraphX's parallel personalized PageRank, static only)");
  app.cli()
      .add_option("--top", top, "print the K highest-ranked vertices (per source with several)")
      ->check(CLI::NonNegativeNumber);
  if (int code = app.parse(argc, argv); code >= 0) return code;
  if (o.iterations > 0 && o.tol > 0) {
    std::fprintf(stderr, "brasa-pagerank: give --iterations or --tol, not both (see --help)\n");
    return 2;
  }
  if (o.iterations == 0 && o.tol == 0) o.iterations = 10;
  o.uniform = dangling == "uniform";
  if (sources.size() == 1) o.source = sources[0];
  if (sources.size() > 1 && (o.tol > 0 || o.uniform)) {
    std::fprintf(stderr, "brasa-pagerank: several --source take --iterations and --dangling drop (see --help)\n");
    return 2;
  }
  if (sources.size() > 1)
    return app.run(
        [&](brasa::Context& ctx, apps::Report& report) { several_sources(ctx, app.flags(), o, sources, top, report); });

  return app.run([&](brasa::Context& ctx, apps::Report& report) {
    const auto& flags = app.flags();
    std::optional<apps::OutputDir> out;
    if (!flags.output.empty()) out.emplace(flags.output, flags.overwrite);
    brasa::RDD<std::pair<VertexId, double>> ranks;
    std::optional<apps::ScratchDir> scratch;  // disk mode's state, until the ranks are saved
    if (flags.disk_mode()) {
      ranks = disk_page_rank(ctx, flags, o, scratch.emplace(), report);
    } else {
      auto graph = brasa::graphx::load_edge_list(ctx, flags.input, {.partitions = flags.partitions});
      report.loaded();
      if (o.uniform) {
        ranks = uniform_page_rank(graph, o);
      } else {
        auto result = brasa::graphx::page_rank(
            graph, {.iterations = o.iterations, .tol = o.tol, .reset_prob = o.reset_prob, .source = o.source});
        ranks = result.vertices().rdd();
      }
    }
    ranks.cache();
    const int64_t vertices = ranks.count();
    if (out) {
      ranks
          .map([](const std::pair<VertexId, double>& v) {
            return std::to_string(v.first) + "\t" + apps::format_double(v.second);
          })
          .save_as_text_file(out->staging());
      out->commit();
    }
    if (top > 0) {
      auto best =
          ranks.take_ordered(top, [](const std::pair<VertexId, double>& a, const std::pair<VertexId, double>& b) {
            return a.second != b.second ? a.second > b.second : a.first < b.first;
          });
      for (const auto& [id, rank] : best)
        std::printf("%lld\t%s\n", static_cast<long long>(id), apps::format_double(rank).c_str());
    }
    const double sum = ranks.values().reduce([](double a, double b) { return a + b; });
    report.set("vertices", static_cast<double>(vertices));
    report.set("rank_sum", sum);
    report.summary(std::to_string(vertices) + " vertices");
  });
}
