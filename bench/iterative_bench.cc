// brasa-bench-iterative: the in-memory versus disk-based comparison. Runs
// PageRank, connected components, k-means, logistic regression and ALS with
// --mode memory and --mode disk on the same generated inputs, and reports
// per-iteration times (first iteration, median of the later ones), the
// disk/memory ratio per app, as a table, CSV and an SVG chart.
//
//   brasa-bench-iterative --scale 1 --master 'local[2]' --work-dir /tmp/brasa-iterative
//
// The apps run as subprocesses (build/apps/brasa-*), each writing its
// --metrics JSON; the data comes from brasa-generate with fixed seeds and is
// kept in --work-dir between runs.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "report.h"

namespace fs = std::filesystem;
using brasa::bench::human_time;

namespace {

struct Workload {
  std::string app;        // brasa-pagerank, ...
  std::string generate;   // brasa-generate arguments (without --output)
  std::string file;       // input file name in the work dir
  std::string arguments;  // the app's arguments besides --input, --mode, --metrics
};

struct Run {
  double load = 0, total = 0, first = 0, later = 0;  // later: median of iterations 2..n
  int iterations = 0;
};

std::vector<double> json_list(const std::string& json, const std::string& key) {
  std::smatch m;
  std::vector<double> out;
  if (!std::regex_search(json, m, std::regex("\"" + key + "\": \\[([^\\]]*)\\]"))) return out;
  std::istringstream in(std::regex_replace(std::string(m[1]), std::regex(","), " "));
  for (double x; in >> x;) out.push_back(x);
  return out;
}

double json_number(const std::string& json, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(json, m, std::regex("\"" + key + "\": ([-0-9.eE+]+)"))) return NAN;
  return std::stod(m[1]);
}

double median(std::vector<double> xs) {
  if (xs.empty()) return NAN;
  std::sort(xs.begin(), xs.end());
  return xs.size() % 2 ? xs[xs.size() / 2] : (xs[xs.size() / 2 - 1] + xs[xs.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"In-memory versus disk-based runs of the iterative apps", "brasa-bench-iterative"};
  double scale = 1;
  std::string master = "local[2]", work_dir = (fs::temp_directory_path() / "brasa-iterative").string();
  std::string csv = "bench/results/iterative.csv", svg = "bench/results/iterative.svg";
  std::vector<std::string> only;
  int iterations = 5;
  cli.add_option("--scale", scale, "input size factor (1: hundreds of MB per app)")->capture_default_str();
  cli.add_option("--master", master, "master for every run")->capture_default_str();
  cli.add_option("--iterations", iterations, "iterations per run (connected components runs to the end)")
      ->check(CLI::Range(2, 1000))
      ->capture_default_str();
  cli.add_option("--work-dir", work_dir, "where inputs are generated and kept")->capture_default_str();
  cli.add_option("--apps", only, "only these apps (pagerank, cc, kmeans, logreg, als)");
  cli.add_option("--csv", csv, "CSV output")->capture_default_str();
  cli.add_option("--svg", svg, "SVG chart output")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);

  const std::string bin = fs::canonical("/proc/self/exe").parent_path().parent_path() / "apps";
  auto n = [&](double x) { return std::to_string(std::max<int64_t>(1000, std::llround(x * scale))); };
  const std::string it = std::to_string(iterations);
  const int rmat_scale = std::clamp(static_cast<int>(std::lround(20 + std::log2(scale))), 10, 30);
  std::vector<Workload> workloads = {
      {"brasa-pagerank", "rmat --scale " + std::to_string(rmat_scale) + " --edges " + n(8e6), "rmat.txt",
       "--iterations " + it},
      {"brasa-cc", "rmat --scale " + std::to_string(rmat_scale) + " --edges " + n(8e6), "rmat.txt", ""},
      {"brasa-kmeans", "blobs --points " + n(2e6) + " --dims 10 --k 10 --spread 6", "blobs.csv",
       "--k 10 --tol 0 --max-iter " + it},
      {"brasa-logreg", "logistic --points " + n(4e5) + " --dims 50", "logistic.libsvm", "--tol 0 --max-iter " + it},
      {"brasa-als", "ratings --users " + n(1e5) + " --items " + n(1e4) + " --ratings " + n(5e6) + " --rank 10",
       "ratings.csv", "--rank 10 --test-fraction 0 --max-iter " + it},
  };
  fs::create_directories(work_dir);
  brasa::bench::Report report;
  report.set_title("brasa-bench-iterative: median time of a later iteration (log scale; shorter is faster)",
                   "orange: --mode memory; grey: --mode disk (MapReduce-style)");
  std::ofstream out_csv;
  if (!csv.empty()) {
    fs::create_directories(fs::path(csv).parent_path().empty() ? "." : fs::path(csv).parent_path());
    out_csv.open(csv);
    out_csv << "app,mode,master,input_bytes,iterations,load_seconds,first_iteration_seconds,"
               "later_iteration_median_seconds,total_seconds\n";
  }
  report.print_header();
  std::vector<std::tuple<std::string, double, double>> ratios;
  for (const auto& w : workloads) {
    const std::string short_name = w.app.substr(6);
    if (!only.empty() && std::find(only.begin(), only.end(), short_name) == only.end()) continue;
    // The input, named by its generator arguments so a changed size regenerates it.
    const std::string input = work_dir + "/" + std::to_string(std::hash<std::string>{}(w.generate)) + "-" + w.file;
    if (!fs::exists(input))
      brasa::bench::run_child(bin + "/brasa-generate " + w.generate + " --output " + input + ".tmp && mv " + input +
                              ".tmp " + input);
    const double bytes = static_cast<double>(fs::file_size(input));
    Run runs[2];
    for (int m = 0; m < 2; ++m) {
      const std::string mode = m == 0 ? "memory" : "disk";
      const std::string metrics = work_dir + "/metrics-" + short_name + "-" + mode + ".json";
      brasa::bench::run_child(bin + "/" + w.app + " --input " + input + " --mode " + mode + " --master '" + master +
                              "' --metrics " + metrics + " " + w.arguments + " > /dev/null");
      std::ifstream in(metrics);
      const std::string json((std::istreambuf_iterator<char>(in)), {});
      auto seconds = json_list(json, "iteration_seconds");
      Run& r = runs[m];
      r.iterations = static_cast<int>(seconds.size());
      r.load = json_number(json, "load_seconds");
      r.total = json_number(json, "total_seconds");
      r.first = seconds.empty() ? NAN : seconds[0];
      r.later = seconds.size() > 1 ? median(std::vector<double>(seconds.begin() + 1, seconds.end())) : r.first;

      if (out_csv)
        out_csv << w.app << ',' << mode << ',' << master << ',' << static_cast<int64_t>(bytes) << ',' << r.iterations
                << ',' << r.load << ',' << r.first << ',' << r.later << ',' << r.total << '\n';
      char note[160];
      std::snprintf(note, sizeof note, "%d iterations, first %s, load %s, total %s, input %.0f MB", r.iterations,
                    human_time(r.first).c_str(), human_time(r.load).c_str(), human_time(r.total).c_str(), bytes / 1e6);
      report.add({short_name, "--mode " + mode, master, r.later, 0, m == 0, note});
    }
    ratios.emplace_back(w.app, runs[1].first / runs[0].first, runs[1].later / runs[0].later);
  }
  std::printf("\n%-16s %14s %14s\n", "app", "disk/memory", "disk/memory");
  std::printf("%-16s %14s %14s\n", "", "first iter", "later iters");
  for (const auto& [app, first, later] : ratios) std::printf("%-16s %13.1fx %13.1fx\n", app.c_str(), first, later);
  if (!svg.empty()) report.write_svg(svg);
  return 0;
}
