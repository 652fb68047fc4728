// brasa-kmeans: k-means clustering of points (one per line: numbers
// separated by commas or blanks, or LIBSVM with --format libsvm), with
// Spark MLlib's KMeans (k-means|| initialisation, its defaults).
//
//   brasa-kmeans --input points.txt --k 10 --output model --predictions
//   clusters
//
// --mode memory runs mllib::KMeans on the cached points. --mode disk runs
// Lloyd's iterations from the same initial centres as a chain of MapReduce
// jobs: each re-reads and re-parses the points and reads the centres the last
// one wrote.
#include <cstdio>
#include <fstream>
#include <optional>

#include "brasa/mllib/mllib.h"
#include "brasa/scheduler/iteration_clock.h"
#include "brasa/util/files.h"
#include "common/app.h"
#include "common/text_state.h"

namespace apps = brasa::apps;
namespace mllib = brasa::mllib;

namespace {

struct Options {
  int k = 2;
  int max_iter = 20;
  double tol = 1e-4;
  std::string init = "kmeans-parallel";
  uint64_t seed = 42;
  std::string format = "dense";
};

brasa::RDD<mllib::Vector> read_points(brasa::Context& ctx, const apps::CommonFlags& flags, const Options& o) {
  if (o.format == "libsvm")
    return mllib::load_libsvm(ctx, flags.input, {.partitions = flags.partitions}).map([](const mllib::LabeledPoint& p) {
      return p.features;
    });
  return mllib::load_dense_vectors(ctx, flags.input, {.partitions = flags.partitions});
}

// k centres of d coordinates, row-major: the disk-mode state.
struct Centers {
  int k = 0, d = 0;
  std::vector<double> x;
  template <class Ar>
  void serialize(Ar& ar) {
    ar(k, d, x);
  }
};

void write_centers(const std::string& path, const Centers& c) {
  std::string text;
  for (int j = 0; j < c.k; ++j) {
    for (int i = 0; i < c.d; ++i) text += (i ? "," : "") + apps::format_double(c.x[size_t(j) * c.d + i]);
    text += "\n";
  }
  brasa::write_file_atomic(path, text);
}

Centers read_centers(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  Centers c;
  std::string line;
  std::vector<double> row;
  while (std::getline(in, line)) {
    if (!mllib::parse_dense_line(line, ',', row)) continue;
    c.d = static_cast<int>(row.size());
    c.x.insert(c.x.end(), row.begin(), row.end());
    ++c.k;
  }
  return c;
}

// Per cluster: the weighted sum of its points and their count; and the cost.
struct LloydSums {
  std::vector<double> sums, counts;
  double cost = 0;
  template <class Ar>
  void serialize(Ar& ar) {
    ar(sums, counts, cost);
  }
};

struct AddPartition {
  brasa::Broadcast<Centers> centers;
  std::vector<LloydSums> operator()(const std::vector<mllib::Vector>& points) const {
    const Centers& c = centers.value();
    LloydSums s{std::vector<double>(size_t(c.k) * c.d, 0.0), std::vector<double>(c.k, 0.0), 0};
    std::vector<double> p(c.d);
    for (const auto& v : points) {
      for (int i = 0; i < c.d; ++i) p[i] = v[i];
      int best = 0;
      double min = INFINITY;
      for (int j = 0; j < c.k; ++j) {
        double dist = 0;
        for (int i = 0; i < c.d; ++i) {
          const double diff = p[i] - c.x[size_t(j) * c.d + i];
          dist += diff * diff;
        }
        if (dist < min) {
          min = dist;
          best = j;
        }
      }
      for (int i = 0; i < c.d; ++i) s.sums[size_t(best) * c.d + i] += p[i];
      s.counts[best] += 1;
      s.cost += min;
    }
    return {std::move(s)};
  }
};

LloydSums add(LloydSums a, const LloydSums& b) {
  for (size_t i = 0; i < a.sums.size(); ++i) a.sums[i] += b.sums[i];
  for (size_t i = 0; i < a.counts.size(); ++i) a.counts[i] += b.counts[i];
  a.cost += b.cost;
  return a;
}

// Disk mode: the initial centres come from mllib::KMeans with no iterations
// (the same k-means|| or random draw as memory mode), then every Lloyd
// iteration is a job over the re-read input.
mllib::KMeansModel disk_kmeans(brasa::Context& ctx, const apps::CommonFlags& flags, const Options& o,
                               const mllib::KMeans& estimator, const apps::ScratchDir& scratch, apps::Report& report) {
  auto state_path = [&](int i) { return scratch / ("centers-" + std::to_string(i)); };
  {
    auto initial = mllib::KMeans(estimator).max_iter(0).fit(read_points(ctx, flags, o));
    const auto& m = initial.centers();
    Centers c{static_cast<int>(m.rows()), static_cast<int>(m.cols()), {}};
    for (int j = 0; j < c.k; ++j)
      for (int i = 0; i < c.d; ++i) c.x.push_back(m(j, i));
    write_centers(state_path(0), c);
  }
  report.loaded();

  brasa::IterationClock clock(ctx.runtime(), "kmeans");
  int i = 0;
  bool converged = false;
  double cost = 0;
  while (i < o.max_iter && !converged) {
    Centers c = read_centers(state_path(i));
    auto centers = ctx.scoped_broadcast(c);
    LloydSums sums = read_points(ctx, flags, o)
                         .map_partitions(AddPartition{centers.handle()})
                         .reduce([](LloydSums a, const LloydSums& b) { return add(std::move(a), b); });
    converged = true;
    for (int j = 0; j < c.k; ++j) {
      if (sums.counts[j] == 0) continue;  // an empty cluster keeps its centre
      double moved = 0;
      for (int d = 0; d < c.d; ++d) {
        double next = sums.sums[size_t(j) * c.d + d] / sums.counts[j];
        moved += (next - c.x[size_t(j) * c.d + d]) * (next - c.x[size_t(j) * c.d + d]);
        c.x[size_t(j) * c.d + d] = next;
      }
      if (moved > o.tol * o.tol) converged = false;
    }
    cost = sums.cost;
    write_centers(state_path(++i), c);
    clock.lap(i, cost);
  }
  Centers c = read_centers(state_path(i));
  mllib::DenseMatrix m(c.k, c.d);
  for (int j = 0; j < c.k; ++j)
    for (int d = 0; d < c.d; ++d) m(j, d) = c.x[size_t(j) * c.d + d];
  return mllib::KMeansModel(m);
}

}  // namespace

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  apps::App app("brasa-kmeans", "k-means clustering with Spark MLlib's KMeans");
  Options o;
  std::string predictions;
  app.cli().add_option("--k", o.k, "number of clusters")->check(CLI::Range(2, 1 << 20))->capture_default_str();
  app.cli()
      .add_option("--max-iter", o.max_iter, "most Lloyd iterations")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.cli()
      .add_option("--tol", o.tol, "converged when no centre moves farther than this")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.cli()
      .add_option("--init", o.init, "initial centres: kmeans-parallel (k-means||) or random")
      ->check(CLI::IsMember({"kmeans-parallel", "random"}))
      ->capture_default_str();
  app.cli().add_option("--seed", o.seed, "random seed")->capture_default_str();
  app.cli()
      .add_option("--format", o.format, "input format: dense (numbers per line) or libsvm")
      ->check(CLI::IsMember({"dense", "libsvm"}))
      ->capture_default_str();
  app.cli().add_option("--predictions", predictions, "directory for each point's cluster (cluster<TAB>point)");
  if (int code = app.parse(argc, argv); code >= 0) return code;
  if (!predictions.empty() && std::filesystem::exists(predictions) && !app.flags().overwrite) {
    std::fprintf(stderr,
                 "brasa-kmeans: --predictions %s exists; pass --overwrite to "
                 "replace it\n",
                 predictions.c_str());
    return 2;
  }

  return app.run([&](brasa::Context& ctx, apps::Report& report) {
    const auto& flags = app.flags();
    std::optional<apps::OutputDir> out, predictions_out;
    if (!flags.output.empty()) out.emplace(flags.output, flags.overwrite);
    if (!predictions.empty()) predictions_out.emplace(predictions, flags.overwrite);
    auto estimator = mllib::KMeans()
                         .k(o.k)
                         .max_iter(o.max_iter)
                         .tol(o.tol)
                         .init_mode(o.init == "random" ? "random" : "k-means||")
                         .seed(o.seed);
    mllib::KMeansModel model;
    brasa::RDD<mllib::Vector> points;
    if (flags.disk_mode()) {
      apps::ScratchDir scratch;
      model = disk_kmeans(ctx, flags, o, estimator, scratch, report);
      points = read_points(ctx, flags, o);
    } else {
      points = read_points(ctx, flags, o);
      report.load(points);
      model = estimator.fit(points);
    }
    const double cost = model.compute_cost(points);
    std::printf("cost %s\n", apps::format_double(cost).c_str());
    for (const auto& c : model.cluster_centers()) std::printf("%s\n", c.to_string().c_str());
    if (out) {
      model.save(*out / "model");
      std::string text;
      for (const auto& c : model.cluster_centers()) text += c.to_string() + "\n";
      brasa::write_file_atomic(*out / "centers.txt", text);
      out->commit();
    }
    if (predictions_out) {
      auto clusters = model.predict(points);
      clusters.zip(points)
          .map([](const std::pair<int, mllib::Vector>& p) {
            return std::to_string(p.first) + "\t" + p.second.to_string();
          })
          .save_as_text_file(predictions_out->staging());
      predictions_out->commit();
    }
    report.set("cost", cost);
    report.set("k", static_cast<double>(model.k()));
    report.summary("k = " + std::to_string(model.k()) + ", cost " + apps::format_double(cost));
  });
}
