// brasa-pagerank: PageRank of the vertices of a SNAP-style edge list
// ("src dst" per line, '#' comments), with GraphX's definition.
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
};

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
  const bool dynamic = o.tol > 0;
  auto state_path = [&](int i) { return scratch / ("state-" + std::to_string(i)); };

  auto edges = read_edges(ctx, flags.input, flags.partitions);
  auto degrees = edges.map([](const std::pair<VertexId, VertexId>& e) {
                        return std::pair{e.first, int64_t{1}};
                      })
                     .union_with(edges.map([](const std::pair<VertexId, VertexId>& e) {
                       return std::pair{e.second, int64_t{0}};
                     }))
                     .reduce_by_key([](int64_t a, int64_t b) { return a + b; });
  auto save_start = [&] {
    degrees
        .map([=](const std::pair<VertexId, int64_t>& v) {
          VertexState s{0, 0, v.second, true};
          if (!dynamic) {
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
  };
  apps::with_bad_line_located(flags.input, check_edge_line, save_start);
  report.loaded();

  brasa::IterationClock clock(ctx.runtime(), dynamic ? "pregel" : "pagerank");
  int i = 0;
  for (const int limit = dynamic ? INT_MAX : o.iterations; i < limit;) {
    auto state =
        ctx.text_file(state_path(i), flags.partitions).map([](const std::string& line) { return parse_state(line); });
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
                      if (!dynamic) {
                        const double reset = !personalized || v.first == source ? r : 0.0;
                        s.rank = reset + (1.0 - r) * sum.value_or(0.0);
                      } else {
                        s.active = sum.has_value();
                        if (sum) {
                          const double rank = s.rank + (1.0 - r) * *sum;
                          s.delta = rank - s.rank;
                          s.rank = rank;
                        }
                      }
                      return format_state({v.first, s});
                    });
    if (dynamic && contributions.count() == 0) break;
    next.save_as_text_file(state_path(i + 1));
    clock.lap(++i);
  }
  auto ranks = ctx.text_file(state_path(i), flags.partitions).map([](const std::string& line) {
    auto [id, s] = parse_state(line);
    return std::pair{id, s.rank};
  });
  // GraphX's normalisation: ranks sum to the number of vertices (1 when
  // personalized).
  const double sum = ranks.values().reduce([](double a, double b) { return a + b; });
  const double target = personalized ? 1.0 : static_cast<double>(ranks.count());
  const double factor = sum > 0 ? target / sum : 1.0;
  return ranks.map([=](const std::pair<VertexId, double>& v) { return std::pair{v.first, v.second * factor}; });
}

}  // namespace

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  apps::App app("brasa-pagerank", "PageRank of the vertices of an edge list (GraphX's definition)");
  Options o;
  int top = 0;
  VertexId source = 0;
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
  auto* source_opt = app.cli().add_option("--source", source, "personalized PageRank from this vertex");
  app.cli().add_option("--top", top, "print the K highest-ranked vertices")->check(CLI::NonNegativeNumber);
  if (int code = app.parse(argc, argv); code >= 0) return code;
  if (o.iterations > 0 && o.tol > 0) {
    std::fprintf(stderr, "brasa-pagerank: give --iterations or --tol, not both (see --help)\n");
    return 2;
  }
  if (o.iterations == 0 && o.tol == 0) o.iterations = 10;
  if (*source_opt) o.source = source;

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
      auto result = brasa::graphx::page_rank(
          graph, {.iterations = o.iterations, .tol = o.tol, .reset_prob = o.reset_prob, .source = o.source});
      ranks = result.vertices().rdd();
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
