// brasa-cc: connected components of an edge list ("src dst" per line, '#'
// comments), edges taken in both directions, or with --strongly strongly
// connected components; each vertex is labelled with the smallest vertex id
// of its component, as GraphX does.
//
//   brasa-cc --input edges.txt --output components
//
// --mode memory runs graphx::connected_components (Pregel) on the cached
// graph; --mode disk runs label propagation as a chain of MapReduce jobs,
// each re-reading the edge list and the labels the last one wrote.
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

// Both directions of every edge of the input.
brasa::RDD<Edge> read_edges(brasa::Context& ctx, const std::string& input, int partitions) {
  return ctx.text_file(input, partitions).map_partitions([](const std::vector<std::string>& lines) {
    std::vector<Edge> out;
    out.reserve(2 * lines.size());
    VertexId src, dst;
    for (const auto& line : lines)
      if (brasa::graphx::parse_edge_line(line, src, dst)) {
        out.emplace_back(src, dst);
        out.emplace_back(dst, src);
      }
    return out;
  });
}

// Every vertex starts with its own id; an iteration sends the labels that
// changed to the neighbours, which keep the smallest. Ends when none changes.
brasa::RDD<Label> disk_components(brasa::Context& ctx, const apps::CommonFlags& flags, const apps::ScratchDir& scratch,
                                  apps::Report& report) {
  auto state_path = [&](int i) { return scratch / ("labels-" + std::to_string(i)); };
  apps::with_bad_line_located(
      flags.input,
      [](const std::string& line) {
        VertexId src, dst;
        brasa::graphx::parse_edge_line(line, src, dst);
      },
      [&] {
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
  bool strongly = false;
  app.cli().add_flag("--strongly", strongly,
                     "strongly connected components (edges taken in their direction; GraphX's algorithm)");
  app.cli()
      .add_option("--top", top, "print the sizes of the K largest components")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  if (int code = app.parse(argc, argv); code >= 0) return code;
  if (strongly && app.flags().disk_mode()) {
    std::fprintf(stderr, "brasa-cc: --strongly runs in --mode memory only\n");
    return 2;
  }

  return app.run([&](brasa::Context& ctx, apps::Report& report) {
    const auto& flags = app.flags();
    std::optional<apps::OutputDir> out;
    if (!flags.output.empty()) out.emplace(flags.output, flags.overwrite);
    brasa::RDD<Label> labels;
    std::optional<apps::ScratchDir> scratch;
    if (flags.disk_mode()) {
      labels = disk_components(ctx, flags, scratch.emplace(), report);
    } else {
      auto graph = brasa::graphx::load_edge_list(ctx, flags.input, {.partitions = flags.partitions});
      report.loaded();
      labels = strongly ? brasa::graphx::strongly_connected_components(graph).vertices().rdd()
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
