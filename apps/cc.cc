// brasa-cc: connected components of an edge list ("src dst" per line, '#'
// comments), edges taken in both directions, or with --strongly strongly
// connected components; each vertex is labelled with the smallest vertex id
// of its component, as GraphX does.
//
//   brasa-cc --input edges.txt --output components
//
// --mode memory runs graphx::connected_components (Pregel),
// star_connected_components (--stars) or strongly_connected_components on
// the cached graph; --mode disk runs label
// propagation (or, --strongly, colouring rounds) as a chain of MapReduce
// jobs, each re-reading the edge list and the labels the last one wrote.
#include <cstdio>
#include <optional>

#include "brasa/graphx/graphx.h"
#include "brasa/scheduler/iteration_clock.h"
#include "common/app.h"
#include "common/text_state.h"

using brasa::graphx::VertexId;
namespace apps = brasa::apps;

namespace {

using Edge = std::pair<VertexId, VertexId>;
using Label = std::pair<VertexId, VertexId>;  // vertex, component

// Disk-mode state line: vertex, label, 1 if the label changed last iteration.
std::string format_state(VertexId id, VertexId label, bool changed) {
  return apps::join_fields({std::to_string(id), std::to_string(label), changed ? "1" : "0"});
}

// The edges of the input, each also reversed unless `directed`.
brasa::RDD<Edge> read_edges(brasa::Context& ctx, const std::string& input, int partitions, bool directed = false) {
  return ctx.text_file(input, partitions).map_partitions([directed](const std::vector<std::string>& lines) {
    std::vector<Edge> out;
    out.reserve(2 * lines.size());
    VertexId src, dst;
    for (const auto& line : lines)
      if (brasa::graphx::parse_edge_line(line, src, dst)) {
        out.emplace_back(src, dst);
        if (!directed) out.emplace_back(dst, src);
      }
    return out;
  });
}

void check_edge_line(const std::string& line) {
  VertexId src, dst;
  brasa::graphx::parse_edge_line(line, src, dst);
}

// Disk mode of --strongly: the state of a vertex between two jobs.
struct SccVertex {
  VertexId label = 0;    // its component's smallest id, once final
  bool final = false;    // its component is known
  VertexId color = 0;    // this round: the smallest id that reaches it
  bool reached = false;  // this round: it reaches the root of its colour
};
using SccRecord = std::pair<VertexId, SccVertex>;

std::string format_scc(const SccRecord& v) {
  return apps::join_fields({std::to_string(v.first), std::to_string(v.second.label), v.second.final ? "1" : "0",
                            std::to_string(v.second.color), v.second.reached ? "1" : "0"});
}

SccRecord parse_scc(const std::string& line) {
  apps::Fields f(line, 5);
  return {f.int64(0), SccVertex{f.int64(1), f.int64(2) != 0, f.int64(3), f.int64(4) != 0}};
}

// Strongly connected components as MapReduce jobs, in rounds: every vertex
// not yet final takes its own id as colour; forward jobs give each the
// smallest colour that reaches it along edges between such vertices;
// backward jobs mark, from each colour's root (the vertex whose id it is),
// the vertices of that colour that reach it: they are the root's
// component. Every job re-reads the edge list and the last state.
brasa::RDD<Label> disk_strong_components(brasa::Context& ctx, const apps::CommonFlags& flags,
                                         const apps::ScratchDir& scratch, apps::Report& report) {
  int step = 0;
  auto path = [&](int i) { return scratch / ("scc-" + std::to_string(i)); };
  auto edges = [&] { return read_edges(ctx, flags.input, flags.partitions, /*directed=*/true); };
  auto state = [&] {
    return ctx.text_file(path(step), flags.partitions).map([](const std::string& line) { return parse_scc(line); });
  };
  apps::with_bad_line_located(flags.input, check_edge_line, [&] {
    read_edges(ctx, flags.input, flags.partitions)
        .keys()
        .distinct()
        .map([](VertexId id) {
          return format_scc({id, SccVertex{id, false, id, false}});
        })
        .save_as_text_file(path(0));
  });
  report.loaded();
  brasa::IterationClock clock(ctx.runtime(), "scc");
  // Writes the next state; returns how many vertices `update` changed.
  auto next_state = [&](const auto& updated) {
    auto changes = ctx.accumulator<int64_t>(0);
    updated
        .map([changes](const std::pair<SccRecord, bool>& v) {
          if (v.second) changes.add(1);
          return format_scc(v.first);
        })
        .save_as_text_file(path(++step));
    clock.lap(step, static_cast<double>(changes.value()));
    return changes.value();
  };
  for (;;) {
    // A new round: colours start at the vertices' own ids.
    const int64_t open = next_state(state().map([](const SccRecord& v) {
      SccRecord out{v.first, SccVertex{v.second.label, v.second.final, v.first, false}};
      return std::pair{out, !v.second.final};
    }));
    if (open == 0) break;
    for (;;) {  // forward: the smallest colour along edges between open vertices
      auto offers = edges()
                        .join(state().filter([](const SccRecord& v) { return !v.second.final; }))
                        .map([](const std::pair<VertexId, std::pair<VertexId, SccVertex>>& e) {
                          return std::pair{e.second.first, e.second.second.color};
                        })
                        .reduce_by_key([](VertexId a, VertexId b) { return std::min(a, b); });
      auto updated = state().left_outer_join(offers).map(
          [](const std::pair<VertexId, std::pair<SccVertex, std::optional<VertexId>>>& v) {
            SccVertex s = v.second.first;
            const bool smaller = !s.final && v.second.second && *v.second.second < s.color;
            if (smaller) s.color = *v.second.second;
            return std::pair{SccRecord{v.first, s}, smaller};
          });
      if (next_state(updated) == 0) break;
    }
    // Backward: roots are reached; so is an open vertex with an edge to a
    // reached vertex of its colour.
    next_state(state().map([](const SccRecord& v) {
      SccVertex s = v.second;
      s.reached = !s.final && s.color == v.first;
      return std::pair{SccRecord{v.first, s}, s.reached};
    }));
    for (;;) {
      auto reached_by = edges()
                            .map([](const Edge& e) {
                              return std::pair{e.second, e.first};
                            })
                            .join(state().filter([](const SccRecord& v) { return v.second.reached; }))
                            .map([](const std::pair<VertexId, std::pair<VertexId, SccVertex>>& e) {
                              return std::pair{e.second.first, e.second.second.color};
                            })
                            .join(state())
                            .filter([](const std::pair<VertexId, std::pair<VertexId, SccVertex>>& v) {
                              const SccVertex& s = v.second.second;
                              return !s.final && !s.reached && s.color == v.second.first;
                            })
                            .map([](const std::pair<VertexId, std::pair<VertexId, SccVertex>>& v) {
                              return std::pair{v.first, uint8_t{1}};  // not bool: no vector<bool> records
                            })
                            .reduce_by_key([](uint8_t a, uint8_t) { return a; });
      auto updated = state()
                         .left_outer_join(reached_by)
                         .map([](const std::pair<VertexId, std::pair<SccVertex, std::optional<uint8_t>>>& v) {
                           SccVertex s = v.second.first;
                           const bool newly = v.second.second.has_value();
                           s.reached = s.reached || newly;
                           return std::pair{SccRecord{v.first, s}, newly};
                         });
      if (next_state(updated) == 0) break;
    }
    // The reached vertices are the components of their roots.
    next_state(state().map([](const SccRecord& v) {
      SccVertex s = v.second;
      if (s.reached) s.final = true, s.label = s.color, s.reached = false;
      return std::pair{SccRecord{v.first, s}, false};
    }));
  }
  return state().map([](const SccRecord& v) { return Label{v.first, v.second.label}; });
}

// Every vertex starts with its own id; an iteration sends the labels that
// changed to the neighbours, which keep the smallest. Ends when none changes.
brasa::RDD<Label> disk_components(brasa::Context& ctx, const apps::CommonFlags& flags, const apps::ScratchDir& scratch,
                                  apps::Report& report) {
  auto state_path = [&](int i) { return scratch / ("labels-" + std::to_string(i)); };
  apps::with_bad_line_located(flags.input, check_edge_line, [&] {
    read_edges(ctx, flags.input, flags.partitions)
        .keys()
        .distinct()
        .map([](VertexId id) { return format_state(id, id, true); })
        .save_as_text_file(state_path(0));
  });
  report.loaded();

  brasa::IterationClock clock(ctx.runtime(), "label-propagation");
  int i = 0;
  for (;;) {
    auto state = ctx.text_file(state_path(i), flags.partitions).map([](const std::string& line) {
      apps::Fields f(line, 3);
      return std::pair{f.int64(0), std::pair{f.int64(1), f.int64(2) != 0}};
    });
    auto offers = read_edges(ctx, flags.input, flags.partitions)
                      .join(state.filter([](const auto& v) { return v.second.second; }))
                      .map([](const std::pair<VertexId, std::pair<VertexId, std::pair<VertexId, bool>>>& e) {
                        return std::pair{e.second.first, e.second.second.first};
                      })
                      .reduce_by_key([](VertexId a, VertexId b) { return std::min(a, b); });
    auto changes = ctx.accumulator<int64_t>(0);
    state.left_outer_join(offers)
        .map([changes](const std::pair<VertexId, std::pair<std::pair<VertexId, bool>, std::optional<VertexId>>>& v) {
          const VertexId label = v.second.first.first;
          const VertexId next = std::min(label, v.second.second.value_or(label));
          if (next < label) changes.add(1);
          return format_state(v.first, next, next < label);
        })
        .save_as_text_file(state_path(i + 1));
    ++i;
    if (changes.value() == 0) break;
    clock.lap(i, static_cast<double>(changes.value()));
  }
  return ctx.text_file(state_path(i), flags.partitions).map([](const std::string& line) {
    apps::Fields f(line, 3);
    return Label{f.int64(0), f.int64(1)};
  });
}

}  // namespace

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  apps::App app("brasa-cc",
                "Connected components of an edge list, labelled by "
                "their smallest vertex id");
  int top = 5;
  bool strongly = false, stars = false;
  app.cli().add_flag("--strongly", strongly,
                     "strongly connected components (edges taken in their direction; GraphX's algorithm)");
  app.cli()
      .add_flag("--stars", stars,
                "large-star/small-star rounds instead of Pregel: rounds grow with the log of the diameter "
                "(for long paths)")
      ->excludes("--strongly");
  app.cli()
      .add_option("--top", top, "print the sizes of the K largest components")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  if (int code = app.parse(argc, argv); code >= 0) return code;

  return app.run([&](brasa::Context& ctx, apps::Report& report) {
    const auto& flags = app.flags();
    std::optional<apps::OutputDir> out;
    if (!flags.output.empty()) out.emplace(flags.output, flags.overwrite);
    brasa::RDD<Label> labels;
    std::optional<apps::ScratchDir> scratch;
    if (flags.disk_mode()) {
      labels = strongly ? disk_strong_components(ctx, flags, scratch.emplace(), report)
                        : disk_components(ctx, flags, scratch.emplace(), report);
    } else {
      auto graph = brasa::graphx::load_edge_list(ctx, flags.input, {.partitions = flags.partitions});
      report.loaded();
      labels = strongly ? brasa::graphx::strongly_connected_components(graph).vertices().rdd()
               : stars  ? brasa::graphx::star_connected_components(graph).vertices().rdd()
                        : brasa::graphx::connected_components(graph).vertices().rdd();
    }
    labels.cache();
    const int64_t vertices = labels.count();
    if (out) {
      labels.map([](const Label& v) { return std::to_string(v.first) + "\t" + std::to_string(v.second); })
          .save_as_text_file(out->staging());
      out->commit();
    }
    auto sizes = labels.map([](const Label& v) {
                         return std::pair{v.second, int64_t{1}};
                       })
                     .reduce_by_key([](int64_t a, int64_t b) { return a + b; });
    sizes.cache();
    const int64_t components = sizes.count();
    auto largest =
        sizes.take_ordered(top, [](const std::pair<VertexId, int64_t>& a, const std::pair<VertexId, int64_t>& b) {
          return a.second != b.second ? a.second > b.second : a.first < b.first;
        });
    std::printf("%lld component%s among %lld vertices\n", static_cast<long long>(components),
                components == 1 ? "" : "s", static_cast<long long>(vertices));
    std::vector<double> largest_sizes;
    for (const auto& [label, size] : largest) {
      std::printf("component %lld: %lld vertices\n", static_cast<long long>(label), static_cast<long long>(size));
      largest_sizes.push_back(static_cast<double>(size));
    }
    report.set("vertices", static_cast<double>(vertices));
    report.set("components", static_cast<double>(components));
    report.set("largest_sizes", largest_sizes);
    report.summary(std::to_string(components) + " components");
  });
}
