// The analytics apps run as a user runs them: as subprocesses, on local[2]
// (or BRASA_TEST_MASTER), checked against answers computed here by hand, in
// both --mode memory and --mode disk; and bad arguments and inputs get the
// documented exit code and message and leave no output behind.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::string master() {
  const char* env = std::getenv("BRASA_TEST_MASTER");
  return env && *env ? env : "local[2]";
}

struct Result {
  int code = -1;
  std::string out, err;
};

// Runs an app from build/apps with the test's master; captures both streams.
Result run(const std::string& app, const std::string& args, bool with_master = true) {
  static int counter = 0;
  const fs::path err_file =
      fs::temp_directory_path() / ("brasa-apps-test-err-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  std::string cmd = std::string(BRASA_APPS_DIR) + "/" + app + " " + args;
  if (with_master) cmd += " --master '" + master() + "'";
  cmd += " 2>" + err_file.string();
  Result r;
  FILE* f = popen(cmd.c_str(), "r");
  char buf[4096];
  while (f && std::fgets(buf, sizeof buf, f)) r.out += buf;
  const int status = f ? pclose(f) : -1;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_file);
  r.err.assign(std::istreambuf_iterator<char>(in), {});
  fs::remove(err_file);
  return r;
}

struct TempDir {
  fs::path path = fs::temp_directory_path() /
                  ("brasa-apps-test-" + std::to_string(getpid()) + "-" + std::to_string(std::random_device{}()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// Every line of every part file of a saved directory.
std::vector<std::string> read_parts(const std::string& dir) {
  std::vector<std::string> lines;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().rfind("part-", 0) != 0) continue;
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  return lines;
}

std::map<int64_t, double> read_ranks(const std::string& dir) {
  std::map<int64_t, double> ranks;
  for (const auto& line : read_parts(dir)) {
    std::istringstream in(line);
    int64_t id;
    double r;
    in >> id >> r;
    ranks[id] = r;
  }
  return ranks;
}

// "vertex<TAB>label" lines of a saved directory.
std::map<int64_t, int64_t> read_labels(const std::string& dir) {
  std::map<int64_t, int64_t> labels;
  for (const auto& line : read_parts(dir)) {
    std::istringstream in(line);
    int64_t v, l;
    in >> v >> l;
    labels[v] = l;
  }
  return labels;
}

// The value of a top-level numeric key of the metrics JSON.
double metric(const std::string& json, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(json, m, std::regex("\"" + key + "\": ([-0-9.eE+]+)"))) return NAN;
  return std::stod(m[1]);
}

std::vector<double> metric_list(const std::string& json, const std::string& key) {
  std::smatch m;
  std::vector<double> out;
  if (!std::regex_search(json, m, std::regex("\"" + key + "\": \\[([^\\]]*)\\]"))) return out;
  std::istringstream in(std::regex_replace(std::string(m[1]), std::regex(","), " "));
  for (double x; in >> x;) out.push_back(x);
  return out;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A directed graph with a dangling vertex, a cycle and a separate component.
std::vector<std::pair<int64_t, int64_t>> small_graph() {
  std::vector<std::pair<int64_t, int64_t>> edges = {{1, 2}, {2, 3}, {3, 1}, {3, 4}, {4, 5},  {5, 3},
                                                    {6, 7}, {7, 6}, {8, 6}, {2, 9}, {10, 11}};
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) edges.emplace_back(20 + rng() % 60, 20 + rng() % 60);
  return edges;
}

std::string edge_text(const std::vector<std::pair<int64_t, int64_t>>& edges) {
  std::string text = "# a test graph\n";
  for (auto [s, d] : edges) text += std::to_string(s) + "\t" + std::to_string(d) + "\n";
  return text;
}

// PageRank by hand. GraphX's (uniform false): ranks start at 1, each
// iteration rank = 0.15 + 0.85 * sum of in-neighbours' rank / out-degree,
// then scaled to sum to the number of vertices. networkx's (uniform true):
// ranks start at 1/N and the dangling vertices' rank is spread over all.
std::map<int64_t, double> page_rank_by_hand(const std::vector<std::pair<int64_t, int64_t>>& edges, int iterations,
                                            bool uniform = false) {
  std::map<int64_t, double> rank;
  std::map<int64_t, int> degree;
  for (auto [s, d] : edges) rank[s] = rank[d] = 0, degree[s]++;
  const double n = static_cast<double>(rank.size());
  for (auto& [v, r] : rank) r = uniform ? 1 / n : 1;
  for (int i = 0; i < iterations; ++i) {
    std::map<int64_t, double> sum;
    double dangling = 0;
    for (auto [v, r] : rank)
      if (!degree.count(v)) dangling += r;
    for (auto [s, d] : edges) sum[d] += rank[s] / degree[s];
    for (auto& [v, r] : rank) r = uniform ? 0.85 * (sum[v] + dangling / n) + 0.15 / n : 0.15 + 0.85 * sum[v];
  }
  if (!uniform) {
    double total = 0;
    for (auto& [v, r] : rank) total += r;
    for (auto& [v, r] : rank) r *= n / total;
  }
  return rank;
}

TEST(PageRankApp, MatchesHandLoopInMemoryAndDiskMode) {
  TempDir dir;
  const auto edges = small_graph();
  write(dir / "edges.txt", edge_text(edges));
  const auto expected = page_rank_by_hand(edges, 7);
  for (std::string mode : {"memory", "disk"}) {
    SCOPED_TRACE(mode);
    Result r = run("brasa-pagerank", "--input " + dir / "edges.txt" + " --iterations 7 --partitions 3 --top 3 --mode " +
                                         mode + " --output " + dir / ("ranks-" + mode) + " --metrics " +
                                         dir / ("metrics-" + mode + ".json"));
    ASSERT_EQ(r.code, 0) << r.err;
    auto ranks = read_ranks(dir / ("ranks-" + mode));
    ASSERT_EQ(ranks.size(), expected.size());
    for (auto [v, want] : expected) EXPECT_NEAR(ranks[v], want, 1e-9 * std::max(1.0, want)) << "vertex " << v;
    // --top 3 prints the three highest ranks, highest first.
    std::vector<std::pair<double, int64_t>> best;
    for (auto [v, rank] : expected) best.emplace_back(-rank, v);
    std::sort(best.begin(), best.end());
    EXPECT_EQ(r.out.substr(0, r.out.find('\t')), std::to_string(best[0].second)) << r.out;
    const std::string json = slurp(dir / ("metrics-" + mode + ".json"));
    EXPECT_NE(json.find("\"app\": \"brasa-pagerank\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"mode\": \"" + mode + "\""), std::string::npos) << json;
    EXPECT_EQ(metric(json, "iterations"), 7) << json;
    EXPECT_EQ(metric_list(json, "iteration_seconds").size(), 7u) << json;
    EXPECT_NEAR(metric(json, "rank_sum"), static_cast<double>(expected.size()), 1e-6);
    EXPECT_GE(metric(json, "total_seconds"), metric(json, "load_seconds"));
  }
}

TEST(PageRankApp, DynamicAndPersonalizedAgreeAcrossModes) {
  TempDir dir;
  write(dir / "edges.txt", edge_text(small_graph()));
  for (std::string extra : {"--tol 1e-4", "--iterations 5 --source 3", "--tol 1e-5 --source 20"}) {
    SCOPED_TRACE(extra);
    std::map<std::string, std::map<int64_t, double>> ranks;
    for (std::string mode : {"memory", "disk"}) {
      const std::string out = dir / (mode + std::to_string(ranks.size()) + std::to_string(extra.size()));
      Result r =
          run("brasa-pagerank", "--input " + dir / "edges.txt" + " " + extra + " --mode " + mode + " --output " + out);
      ASSERT_EQ(r.code, 0) << r.err;
      ranks[mode] = read_ranks(out);
    }
    ASSERT_EQ(ranks["memory"].size(), ranks["disk"].size());
    double sum = 0;
    for (auto [v, rank] : ranks["memory"]) {
      EXPECT_NEAR(ranks["disk"][v], rank, 1e-9 * std::max(1.0, rank)) << "vertex " << v;
      sum += rank;
    }
    const bool personalized = extra.find("--source") != std::string::npos;
    EXPECT_NEAR(sum, personalized ? 1.0 : static_cast<double>(ranks["memory"].size()), 1e-6);
  }
}

TEST(PageRankApp, UniformDanglingIsNetworkxDefinition) {
  TempDir dir;
  const auto edges = small_graph();
  write(dir / "edges.txt", edge_text(edges));
  const auto expected = page_rank_by_hand(edges, 6, true);
  std::map<std::string, std::map<int64_t, double>> converged;
  for (std::string mode : {"memory", "disk"}) {
    SCOPED_TRACE(mode);
    Result r = run("brasa-pagerank", "--input " + dir / "edges.txt" + " --dangling uniform --iterations 6 --mode " +
                                         mode + " --output " + dir / mode);
    ASSERT_EQ(r.code, 0) << r.err;
    auto ranks = read_ranks(dir / mode);
    ASSERT_EQ(ranks.size(), expected.size());
    double sum = 0;
    for (auto [v, want] : expected) {
      EXPECT_NEAR(ranks[v], want, 1e-12) << "vertex " << v;
      sum += ranks[v];
    }
    EXPECT_NEAR(sum, 1.0, 1e-9);
    r = run("brasa-pagerank", "--input " + dir / "edges.txt" + " --dangling uniform --tol 1e-10 --mode " + mode +
                                  " --output " + dir / (mode + "-tol") + " --metrics " + dir / (mode + ".json"));
    ASSERT_EQ(r.code, 0) << r.err;
    converged[mode] = read_ranks(dir / (mode + "-tol"));
    // networkx's stopping test: the last iteration changed the ranks by less than N * tol.
    const auto seconds = metric_list(slurp(dir / (mode + ".json")), "iteration_seconds");
    EXPECT_GT(seconds.size(), 6u);
    const auto one_less = page_rank_by_hand(edges, static_cast<int>(seconds.size()) - 1, true);
    const auto last = page_rank_by_hand(edges, static_cast<int>(seconds.size()), true);
    double change = 0;
    for (auto [v, r] : last) change += std::abs(r - one_less.at(v));
    EXPECT_LT(change, expected.size() * 1e-10);
  }
  for (auto [v, rank] : converged["memory"]) EXPECT_NEAR(converged["disk"][v], rank, 1e-12);
}

TEST(PageRankApp, SeveralSourcesGiveOneColumnEach) {
  TempDir dir;
  write(dir / "edges.txt", edge_text(small_graph()));
  // Each column is the personalized PageRank of its source alone.
  std::map<int64_t, double> single[2];
  const int64_t sources[2] = {3, 20};
  for (int k = 0; k < 2; ++k) {
    Result r =
        run("brasa-pagerank", "--input " + dir / "edges.txt" + " --iterations 6 --source " +
                                  std::to_string(sources[k]) + " --output " + dir / ("one-" + std::to_string(k)));
    ASSERT_EQ(r.code, 0) << r.err;
    single[k] = read_ranks(dir / ("one-" + std::to_string(k)));
  }
  for (std::string mode : {"memory", "disk"}) {
    SCOPED_TRACE(mode);
    Result r = run("brasa-pagerank", "--input " + dir / "edges.txt" + " --iterations 6 --source 3 20 --top 2 --mode " +
                                         mode + " --output " + dir / mode);
    ASSERT_EQ(r.code, 0) << r.err;
    size_t lines = 0;
    for (const auto& line : read_parts(dir / mode)) {
      std::istringstream in(line);
      int64_t v;
      double a, b;
      ASSERT_TRUE(in >> v >> a >> b) << line;
      EXPECT_NEAR(a, single[0][v], 1e-12) << v;
      EXPECT_NEAR(b, single[1][v], 1e-12) << v;
      ++lines;
    }
    EXPECT_EQ(lines, single[0].size());
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 5) << r.out;  // 2 + 2 top lines and the summary
  }
  EXPECT_EQ(run("brasa-pagerank", "--input " + dir / "edges.txt" + " --tol 0.01 --source 3 20").code, 2);
}

// Union-find labels: the smallest vertex id of each weakly connected component.
std::map<int64_t, int64_t> components_by_hand(const std::vector<std::pair<int64_t, int64_t>>& edges) {
  std::map<int64_t, int64_t> parent;
  std::function<int64_t(int64_t)> find = [&](int64_t v) { return parent[v] == v ? v : parent[v] = find(parent[v]); };
  for (auto [s, d] : edges) parent.emplace(s, s), parent.emplace(d, d);
  for (auto [s, d] : edges) {
    int64_t a = find(s), b = find(d);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
  std::map<int64_t, int64_t> label;
  for (auto& [v, p] : parent) label[v] = find(v);
  return label;
}

TEST(ConnectedComponentsApp, MatchesUnionFindInBothModes) {
  TempDir dir;
  auto edges = small_graph();
  for (int64_t v = 100; v < 130; ++v) edges.emplace_back(v + 1, v);  // a long path, labelled from its far end
  write(dir / "edges.txt", edge_text(edges));
  const auto expected = components_by_hand(edges);
  const std::set<int64_t> labels = [&] {
    std::set<int64_t> s;
    for (auto [v, l] : expected) s.insert(l);
    return s;
  }();
  for (std::string mode : {"memory", "disk"}) {
    SCOPED_TRACE(mode);
    Result r = run("brasa-cc", "--input " + dir / "edges.txt" + " --mode " + mode + " --output " + dir / mode +
                                   " --metrics " + dir / (mode + ".json"));
    ASSERT_EQ(r.code, 0) << r.err;
    const auto got = read_labels(dir / mode);
    EXPECT_EQ(got, expected);
    EXPECT_NE(r.out.find(std::to_string(labels.size()) + " components among"), std::string::npos) << r.out;
    EXPECT_EQ(metric(slurp(dir / (mode + ".json")), "components"), static_cast<double>(labels.size()));
  }
  Result r = run("brasa-cc", "--input " + dir / "edges.txt" + " --stars --output " + dir / "stars");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_labels(dir / "stars"), expected);
  EXPECT_NE(run("brasa-cc", "--input " + dir / "edges.txt" + " --stars --strongly").code, 0);
}

TEST(ConnectedComponentsApp, StronglyConnectedComponents) {
  TempDir dir;
  // Two cycles joined one way, a tail, and a cycle of its own: SCCs
  // {1,2,3}, {4,5}, {6}, {10,11,12}; then a random graph, whose SCCs the
  // modes must agree on.
  write(dir / "small.txt", "1 2\n2 3\n3 1\n3 4\n4 5\n5 4\n5 6\n12 10\n10 11\n11 12\n");
  std::mt19937_64 rng(4);
  std::string random_graph;
  for (int i = 0; i < 150; ++i) random_graph += std::to_string(rng() % 80) + " " + std::to_string(rng() % 80) + "\n";
  write(dir / "random.txt", random_graph);
  std::map<std::string, std::map<int64_t, int64_t>> labels;
  for (std::string mode : {"memory", "disk"}) {
    SCOPED_TRACE(mode);
    Result r = run("brasa-cc", "--input " + dir / "small.txt" + " --strongly --mode " + mode + " --output " +
                                   dir / ("small-" + mode));
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(
        read_labels(dir / ("small-" + mode)),
        (std::map<int64_t, int64_t>{{1, 1}, {2, 1}, {3, 1}, {4, 4}, {5, 4}, {6, 6}, {10, 10}, {11, 10}, {12, 10}}));
    EXPECT_NE(r.out.find("4 components among 9 vertices"), std::string::npos) << r.out;
    r = run("brasa-cc",
            "--input " + dir / "random.txt" + " --strongly --mode " + mode + " --output " + dir / ("random-" + mode));
    ASSERT_EQ(r.code, 0) << r.err;
    labels[mode] = read_labels(dir / ("random-" + mode));
  }
  EXPECT_EQ(labels["memory"], labels["disk"]);
  std::set<int64_t> components;
  for (auto [v, l] : labels["memory"]) components.insert(l);
  EXPECT_GT(components.size(), 1u);
  EXPECT_LT(components.size(), labels["memory"].size());
}

// Three well separated blobs in 3 dimensions.
std::string blobs(int n) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0, 0.5);
  std::string text;
  const double centres[3][3] = {{0, 0, 0}, {10, 10, 0}, {0, 10, 10}};
  for (int i = 0; i < n; ++i) {
    const auto& c = centres[i % 3];
    char line[128];
    std::snprintf(line, sizeof line, "%.6f,%.6f,%.6f\n", c[0] + noise(rng), c[1] + noise(rng), c[2] + noise(rng));
    text += line;
  }
  return text;
}

std::vector<std::vector<double>> read_centers(const std::string& path) {
  std::vector<std::vector<double>> centers;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    std::vector<double> c;
    std::istringstream fields(std::regex_replace(line, std::regex("[\\[\\],]"), " "));
    for (double x; fields >> x;) c.push_back(x);
    centers.push_back(c);
  }
  return centers;
}

TEST(KMeansApp, ModesAgreeAndCostIsTheDataCost) {
  TempDir dir;
  const std::string data = blobs(600);
  write(dir / "points.txt", data);
  std::map<std::string, std::vector<std::vector<double>>> centers;
  for (std::string mode : {"memory", "disk"}) {
    SCOPED_TRACE(mode);
    Result r = run("brasa-kmeans", "--input " + dir / "points.txt" + " --k 3 --seed 5 --mode " + mode + " --output " +
                                       dir / mode + " --predictions " + dir / (mode + "-pred") + " --metrics " +
                                       dir / (mode + ".json"));
    ASSERT_EQ(r.code, 0) << r.err;
    centers[mode] = read_centers(dir / mode + "/centers.txt");
    ASSERT_EQ(centers[mode].size(), 3u);
    // The cost in the metrics is the sum of squared distances to the nearest
    // centre.
    std::istringstream in(std::regex_replace(data, std::regex(","), " "));
    double cost = 0;
    for (double x, y, z; in >> x >> y >> z;) {
      double best = INFINITY;
      for (const auto& c : centers[mode])
        best = std::min(best, (x - c[0]) * (x - c[0]) + (y - c[1]) * (y - c[1]) + (z - c[2]) * (z - c[2]));
      cost += best;
    }
    const std::string json = slurp(dir / (mode + ".json"));
    EXPECT_NEAR(metric(json, "cost"), cost, 1e-6 * cost) << json;
    EXPECT_GE(metric(json, "iterations"), 1);
    EXPECT_EQ(read_parts(dir / (mode + "-pred")).size(), 600u);
  }
  for (int j = 0; j < 3; ++j)
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(centers["memory"][j][i], centers["disk"][j][i], 1e-9);
}

// Labels from a logistic model of 5 features; the LIBSVM file leaves some
// features out of some lines (sparse).
std::string logistic_data(int n) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> gauss(0, 1);
  std::uniform_real_distribution<double> unit(0, 1);
  const double w[5] = {1.5, -2.0, 0.5, 0.0, 1.0};
  std::string text;
  for (int i = 0; i < n; ++i) {
    double x[5], m = 0.3;
    for (int j = 0; j < 5; ++j) m += w[j] * (x[j] = (i + j) % 4 == 0 ? 0.0 : gauss(rng));
    const int y = unit(rng) < 1.0 / (1.0 + std::exp(-m)) ? 1 : 0;
    text += std::to_string(y);
    for (int j = 0; j < 5; ++j)
      if (x[j] != 0) text += " " + std::to_string(j + 1) + ":" + std::to_string(x[j]);
    text += "\n";
  }
  return text;
}

TEST(LogisticRegressionApp, ModesAgreeOnLossAndAuc) {
  TempDir dir;
  const std::string data = logistic_data(800);
  write(dir / "data.libsvm", data);
  int positives = 0, n = 0;
  for (std::istringstream in(data); !in.eof();) {
    std::string line;
    if (!std::getline(in, line) || line.empty()) continue;
    ++n;
    positives += line[0] == '1';
  }
  // The loss at the starting point (no coefficients, the intercept at the
  // log-odds of the labels) is the entropy of the label frequency.
  const double p = static_cast<double>(positives) / n;
  const double initial_loss = -(p * std::log(p) + (1 - p) * std::log(1 - p));
  std::map<std::string, std::string> json;
  for (std::string mode : {"memory", "disk"}) {
    SCOPED_TRACE(mode);
    Result r = run("brasa-logreg", "--input " + dir / "data.libsvm" + " --reg 0.01 --elastic-net 0.3 --mode " + mode +
                                       " --output " + dir / mode + " --metrics " + dir / (mode + ".json"));
    ASSERT_EQ(r.code, 0) << r.err;
    json[mode] = slurp(dir / (mode + ".json"));
    auto history = metric_list(json[mode], "loss_history");
    ASSERT_GE(history.size(), 3u) << json[mode];
    EXPECT_NEAR(history[0], initial_loss, 1e-9);
    EXPECT_LT(history.back(), history[0]);
    EXPECT_EQ(metric(json[mode], "iterations"), static_cast<double>(history.size() - 1));
    EXPECT_GT(metric(json[mode], "auc"), 0.8);
    EXPECT_TRUE(fs::exists(dir / mode + "/model"));
  }
  auto memory = metric_list(json["memory"], "loss_history"), disk = metric_list(json["disk"], "loss_history");
  ASSERT_EQ(memory.size(), disk.size());
  for (size_t i = 0; i < memory.size(); ++i) EXPECT_NEAR(memory[i], disk[i], 1e-9) << "iteration " << i;
  EXPECT_NEAR(metric(json["memory"], "auc"), metric(json["disk"], "auc"), 1e-6);
}

// Three classes around three centres in 4 dimensions, as LIBSVM.
std::string three_classes(int n) {
  std::mt19937_64 rng(13);
  std::normal_distribution<double> gauss(0, 1);
  const double centre[3][4] = {{0, 0, 1, 2}, {2, 1, 0, 0}, {1, 2, 2, 1}};
  std::string text;
  for (int i = 0; i < n; ++i) {
    const int y = i % 3;
    text += std::to_string(y);
    for (int j = 0; j < 4; ++j) text += " " + std::to_string(j + 1) + ":" + std::to_string(centre[y][j] + gauss(rng));
    text += "\n";
  }
  return text;
}

TEST(LogisticRegressionApp, MultinomialModesAgree) {
  TempDir dir;
  write(dir / "data.libsvm", three_classes(600));
  std::map<std::string, std::string> json;
  for (std::string mode : {"memory", "disk"}) {
    SCOPED_TRACE(mode);
    Result r = run("brasa-logreg", "--input " + dir / "data.libsvm" + " --reg 0.01 --max-iter 20 --mode " + mode +
                                       " --output " + dir / mode + " --metrics " + dir / (mode + ".json"));
    ASSERT_EQ(r.code, 0) << r.err;
    json[mode] = slurp(dir / (mode + ".json"));
    auto history = metric_list(json[mode], "loss_history");
    ASSERT_GE(history.size(), 3u) << json[mode];
    // Balanced classes: Spark's centred log1p(count) intercepts are all 0,
    // so the first loss is log 3.
    EXPECT_NEAR(history[0], std::log(3.0), 1e-12);
    EXPECT_GT(metric(json[mode], "accuracy"), 0.7) << json[mode];
    EXPECT_EQ(json[mode].find("\"auc\""), std::string::npos) << "no AUC for three classes";
  }
  auto memory = metric_list(json["memory"], "loss_history"), disk = metric_list(json["disk"], "loss_history");
  ASSERT_EQ(memory.size(), disk.size());
  for (size_t i = 0; i < memory.size(); ++i) EXPECT_NEAR(memory[i], disk[i], 1e-9) << "iteration " << i;
  EXPECT_EQ(metric(json["memory"], "accuracy"), metric(json["disk"], "accuracy"));
}

TEST(LogisticRegressionApp, TestFractionHoldsOutTheSamePointsInBothModes) {
  TempDir dir;
  write(dir / "data.libsvm", logistic_data(600));
  std::map<std::string, std::string> json;
  for (std::string mode : {"memory", "disk"}) {
    SCOPED_TRACE(mode);
    Result r = run("brasa-logreg", "--input " + dir / "data.libsvm" + " --test-fraction 0.25 --seed 7 --mode " + mode +
                                       " --metrics " + dir / (mode + ".json"));
    ASSERT_EQ(r.code, 0) << r.err;
    json[mode] = slurp(dir / (mode + ".json"));
    EXPECT_GT(metric(json[mode], "test_auc"), 0.75) << json[mode];
    EXPECT_GT(metric(json[mode], "test_accuracy"), 0.6) << json[mode];
  }
  auto memory = metric_list(json["memory"], "loss_history"), disk = metric_list(json["disk"], "loss_history");
  ASSERT_EQ(memory.size(), disk.size());
  for (size_t i = 0; i < memory.size(); ++i) EXPECT_NEAR(memory[i], disk[i], 1e-9) << "iteration " << i;
  EXPECT_NEAR(metric(json["memory"], "test_auc"), metric(json["disk"], "test_auc"), 1e-9);
  EXPECT_EQ(metric(json["memory"], "test_accuracy"), metric(json["disk"], "test_accuracy"));
}

// Ratings of a rank-2 model with a little noise, as "user::item::rating".
std::string low_rank_ratings(int users, int items) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> gauss(0, 1);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<double> u(2 * users), v(2 * items);
  for (auto& x : u) x = gauss(rng);
  for (auto& x : v) x = gauss(rng);
  std::string text;
  for (int i = 0; i < users; ++i)
    for (int j = 0; j < items; ++j)
      if (unit(rng) < 0.5) {
        const double r = 3 + u[2 * i] * v[2 * j] + u[2 * i + 1] * v[2 * j + 1] + 0.05 * gauss(rng);
        text += std::to_string(i) + "::" + std::to_string(j) + "::" + std::to_string(r) + "\n";
      }
  return text;
}

TEST(ALSApp, ModesAgreeOnRmseAndRecommendations) {
  TempDir dir;
  write(dir / "ratings.dat", low_rank_ratings(40, 30));
  std::map<std::string, std::string> json;
  for (std::string mode : {"memory", "disk"}) {
    SCOPED_TRACE(mode);
    Result r =
        run("brasa-als", "--input " + dir / "ratings.dat" + " --rank 3 --max-iter 6 --reg 0.05 --recommend 4" +
                             " --mode " + mode + " --output " + dir / mode + " --metrics " + dir / (mode + ".json"));
    ASSERT_EQ(r.code, 0) << r.err;
    json[mode] = slurp(dir / (mode + ".json"));
    EXPECT_EQ(metric(json[mode], "iterations"), 6);
    EXPECT_LT(metric(json[mode], "train_rmse"), 0.3) << json[mode];
    EXPECT_LT(metric(json[mode], "test_rmse"), 1.5) << json[mode];
    auto recommendations = read_parts(dir / mode + "/recommendations");
    EXPECT_EQ(recommendations.size(), 40u);
    for (const auto& line : recommendations) EXPECT_EQ(std::count(line.begin(), line.end(), '\t'), 4) << line;
  }
  EXPECT_NEAR(metric(json["memory"], "train_rmse"), metric(json["disk"], "train_rmse"), 1e-4);
  EXPECT_NEAR(metric(json["memory"], "test_rmse"), metric(json["disk"], "test_rmse"), 1e-4);
}

TEST(ALSApp, NonnegativeFactorsAgreeAcrossModes) {
  TempDir dir;
  write(dir / "ratings.dat", low_rank_ratings(30, 20));
  std::map<std::string, std::string> json;
  for (std::string mode : {"memory", "disk"}) {
    SCOPED_TRACE(mode);
    Result r = run("brasa-als", "--input " + dir / "ratings.dat" + " --rank 3 --max-iter 5 --nonnegative --recommend " +
                                    "20 --mode " + mode + " --output " + dir / mode + " --metrics " + dir / (mode + ".json"));
    ASSERT_EQ(r.code, 0) << r.err;
    json[mode] = slurp(dir / (mode + ".json"));
    // Non-negative factors give non-negative predictions for every pair.
    for (const auto& line : read_parts(dir / mode + "/recommendations"))
      for (size_t colon = line.find(':'); colon != std::string::npos; colon = line.find(':', colon + 1))
        EXPECT_GE(std::stod(line.substr(colon + 1)), 0.0) << line;
  }
  EXPECT_LT(metric(json["memory"], "train_rmse"), 1.5) << json["memory"];
  EXPECT_NEAR(metric(json["memory"], "train_rmse"), metric(json["disk"], "train_rmse"), 1e-4);
  EXPECT_NEAR(metric(json["memory"], "test_rmse"), metric(json["disk"], "test_rmse"), 1e-4);
}

TEST(ALSApp, ImplicitFeedbackReportsRankingMetrics) {
  TempDir dir;
  write(dir / "ratings.dat", low_rank_ratings(40, 30));
  std::map<std::string, std::string> json;
  for (std::string mode : {"memory", "disk"}) {
    SCOPED_TRACE(mode);
    Result r = run("brasa-als", "--input " + dir / "ratings.dat" + " --rank 3 --max-iter 4 --implicit --alpha 2" +
                                    " --recommend 5 --mode " + mode + " --metrics " + dir / (mode + ".json"));
    ASSERT_EQ(r.code, 0) << r.err;
    json[mode] = slurp(dir / (mode + ".json"));
    for (const char* key : {"precision_at_5", "map", "ndcg_at_5"}) {
      EXPECT_GT(metric(json[mode], key), 0) << key << json[mode];
      EXPECT_LE(metric(json[mode], key), 1) << key << json[mode];
    }
    EXPECT_TRUE(std::isnan(metric(json[mode], "train_rmse")));
  }
  EXPECT_NEAR(metric(json["memory"], "ndcg_at_5"), metric(json["disk"], "ndcg_at_5"), 1e-2);
}

TEST(LinearRegressionApp, RmseIsTheLeastSquaresResidual) {
  TempDir dir;
  // y = 1 + 2 x1 - 3 x2 + noise; least squares by hand from the 3 x 3
  // normal equations.
  std::mt19937_64 rng(9);
  std::normal_distribution<double> gauss(0, 1);
  std::string text;
  std::vector<std::array<double, 3>> rows;
  for (int i = 0; i < 300; ++i) {
    const double x1 = gauss(rng), x2 = gauss(rng), y = 1 + 2 * x1 - 3 * x2 + 0.3 * gauss(rng);
    char line[128];
    std::snprintf(line, sizeof line, "%.17g 1:%.17g 2:%.17g\n", y, x1, x2);
    text += line;
    rows.push_back({y, x1, x2});
  }
  write(dir / "data.libsvm", text);
  double a[3][4] = {};
  for (const auto& [y, x1, x2] : rows) {
    const double x[3] = {1, x1, x2};
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) a[i][j] += x[i] * x[j];
      a[i][3] += x[i] * y;
    }
  }
  for (int i = 0; i < 3; ++i)
    for (int k = i + 1; k < 3; ++k) {
      const double f = a[k][i] / a[i][i];
      for (int j = i; j < 4; ++j) a[k][j] -= f * a[i][j];
    }
  double beta[3];
  for (int i = 2; i >= 0; --i) {
    beta[i] = a[i][3];
    for (int j = i + 1; j < 3; ++j) beta[i] -= a[i][j] * beta[j];
    beta[i] /= a[i][i];
  }
  double sse = 0;
  for (const auto& [y, x1, x2] : rows) sse += std::pow(y - beta[0] - beta[1] * x1 - beta[2] * x2, 2);
  Result r = run("brasa-linreg", "--input " + dir / "data.libsvm" + " --metrics " + dir / "m.json");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string json = slurp(dir / "m.json");
  EXPECT_NEAR(metric(json, "rmse"), std::sqrt(sse / 300), 1e-9) << json;
  EXPECT_GT(metric(json, "r2"), 0.95);
  // The normal equations on disk: one pass over the uncached files.
  r = run("brasa-linreg", "--input " + dir / "data.libsvm" + " --mode disk --solver normal --metrics " + dir / "d.json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NEAR(metric(slurp(dir / "d.json"), "rmse"), std::sqrt(sse / 300), 1e-9);

  // L-BFGS in memory and on disk: the same objective at every iteration. At
  // the start (coefficients 0, intercept the label's mean) it is half the
  // label's variance over its spread squared: (n - 1) / 2n.
  std::map<std::string, std::vector<double>> history;
  for (std::string mode : {"memory", "disk"}) {
    SCOPED_TRACE(mode);
    r = run("brasa-linreg", "--input " + dir / "data.libsvm" + " --solver l-bfgs --reg 0.1 --elastic-net 0.5 --mode " +
                                mode + " --metrics " + dir / (mode + ".json"));
    ASSERT_EQ(r.code, 0) << r.err;
    history[mode] = metric_list(slurp(dir / (mode + ".json")), "loss_history");
    ASSERT_GE(history[mode].size(), 3u);
    EXPECT_NEAR(history[mode][0], 299.0 / 600.0, 1e-12);
  }
  ASSERT_EQ(history["memory"].size(), history["disk"].size());
  for (size_t i = 0; i < history["memory"].size(); ++i)
    EXPECT_NEAR(history["memory"][i], history["disk"][i], 1e-9) << "iteration " << i;
}

TEST(AppArguments, BadFlagsExitWithTwoAndNameTheFlag) {
  TempDir dir;
  write(dir / "edges.txt", "1 2\n");
  Result r = run("brasa-pagerank", "--input " + dir / "edges.txt" + " --bogus 3");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--bogus"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  r = run("brasa-pagerank", "--input " + dir / "edges.txt" + " --iterations 0");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--iterations"), std::string::npos) << r.err;

  r = run("brasa-pagerank", "--input " + dir / "edges.txt" + " --iterations 3 --tol 0.1");
  EXPECT_EQ(r.code, 2);

  r = run("brasa-kmeans", "--input " + dir / "edges.txt" + " --k 0");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--k"), std::string::npos) << r.err;

  r = run("brasa-cc", "--input " + dir / "edges.txt" + " --mode tape");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--mode"), std::string::npos) << r.err;

  r = run("brasa-logreg", "", false);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--input"), std::string::npos) << r.err;

  r = run("brasa-pagerank", "--help", false);
  EXPECT_EQ(r.code, 0);
  for (const char* flag : {"--iterations", "--tol", "--reset-prob", "--master", "--mode", "--metrics", "--output"})
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag << " missing from --help";
}

TEST(AppArguments, AnExistingOutputIsLeftAlone) {
  TempDir dir;
  write(dir / "edges.txt", "1 2\n2 3\n");
  fs::create_directories(dir / "out");
  write(dir / "out/keep.txt", "mine");
  Result r = run("brasa-pagerank", "--input " + dir / "edges.txt" + " --output " + dir / "out");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--overwrite"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(dir / "out/keep.txt"), "mine");
  // With --overwrite the directory is replaced by the result.
  r = run("brasa-pagerank", "--input " + dir / "edges.txt" + " --output " + dir / "out --overwrite");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(fs::exists(dir / "out/keep.txt"));
  EXPECT_EQ(read_ranks(dir / "out").size(), 3u);
}

// An output that could not be created is refused before any job runs, with
// the flag's name: here its parent is a file.
TEST(AppArguments, AnOutputThatCannotBeCreatedIsRefusedFirst) {
  TempDir dir;
  write(dir / "edges.txt", "1 2\n2 3\n");
  Result r = run("brasa-pagerank", "--input " + dir / "edges.txt" + " --output " + dir / "edges.txt/deeper/out");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--output"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("is not a directory"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("Stage"), std::string::npos) << "no job ran: " << r.err;
  r = run("brasa-pagerank", "--input " + dir / "edges.txt" + " --output " + dir / "new/deeper/out");
  ASSERT_EQ(r.code, 0) << "missing parents are created: " << r.err;
  EXPECT_EQ(read_ranks(dir / "new/deeper/out").size(), 3u);
}

TEST(AppInput, MissingFilesAndBadLinesExitWithOneAndLeaveNoOutput) {
  TempDir dir;
  for (std::string mode : {"memory", "disk"}) {
    SCOPED_TRACE(mode);
    Result r = run("brasa-pagerank", "--input " + dir / "nothing.txt" + " --mode " + mode + " --output " + dir / "out");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("nothing.txt"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "out"));

    write(dir / "bad.txt", "1 2\n2 3\n3 x\n");
    r = run("brasa-cc", "--input " + dir / "bad.txt" + " --mode " + mode + " --output " + dir / "out");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("bad.txt:3"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "out"));

    write(dir / "bad.libsvm", "1 1:0.5\n0 2:x\n");
    r = run("brasa-logreg", "--input " + dir / "bad.libsvm" + " --mode " + mode + " --output " + dir / "out");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("bad.libsvm:2"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "out"));
    for (const auto& e : fs::directory_iterator(dir.path))
      EXPECT_EQ(e.path().filename().string().find("staging"), std::string::npos) << e.path();
  }
}

}  // namespace
