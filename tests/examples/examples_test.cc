// A user's own program, built as a user builds it: Brasa installed with
// `cmake --install` into a fresh prefix, examples/ configured as a separate
// project with find_package(Brasa), every example run on local[2] and
// local-cluster[2,1]: the same output on both, and the answers checked here.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "installed_project.h"

namespace fs = std::filesystem;

namespace {

using brasa_test::sh;
using Result = brasa_test::ShellResult;

class Examples : public testing::Test {
 protected:
  static inline fs::path dir;
  static inline std::string build_error;

  // Installs Brasa and builds the examples. ctest runs each test in a
  // process of its own, so the prefix and build directory live in the build
  // tree and are brought up to date, not rebuilt, by each (the tests run
  // serially).
  static void SetUpTestSuite() {
    dir = fs::path(BRASA_BUILD_DIR) / "examples-test";
    build_error = brasa_test::build_against_install(dir, "examples");
  }
  void SetUp() override { ASSERT_TRUE(build_error.empty()) << build_error; }

  // The example's output on local[2], checked to be the same on local-cluster[2,1].
  static std::string run_on_both(const std::string& program, const std::string& args_before_master) {
    const std::string cmd = (dir / "build" / program).string() + " " + args_before_master;
    Result local = sh(cmd + " 'local[2]'");
    Result cluster = sh(cmd + " 'local-cluster[2,1]'");
    EXPECT_EQ(local.code, 0) << local.out;
    EXPECT_EQ(cluster.code, 0) << cluster.out;
    EXPECT_EQ(local.out, cluster.out) << program << ": local[2] and local-cluster[2,1] differ";
    return local.out;
  }
};

TEST_F(Examples, InstalledPackageHasConfigAndPkgConfig) {
  EXPECT_TRUE(fs::exists(dir / "prefix/lib/cmake/Brasa/BrasaConfig.cmake"));
  EXPECT_TRUE(fs::exists(dir / "prefix/include/brasa/rdd/rdd.h"));
  EXPECT_TRUE(fs::exists(dir / "prefix/include/brasa/graphx/graphx.h"));
  EXPECT_TRUE(fs::exists(dir / "prefix/include/brasa/mllib/mllib.h"));
  EXPECT_TRUE(fs::exists(dir / "prefix/bin/brasa-pagerank"));
  Result r = sh("PKG_CONFIG_PATH=" + (dir / "prefix/lib/pkgconfig").string() + " pkg-config --libs brasa");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("-lbrasa_core"), std::string::npos) << r.out;
}

TEST_F(Examples, WordCountCountsEveryWord) {
  const std::string text = std::string(BRASA_SOURCE_DIR) + "/datasets/text/gpl-3.txt";
  std::map<std::string, long> want;
  std::ifstream in(text);
  for (std::string w; in >> w;) ++want[w];
  std::map<std::string, long> got;
  std::istringstream out(run_on_both("word_count", text));
  for (std::string line; std::getline(out, line);) {
    const size_t colon = line.rfind(": ");
    ASSERT_NE(colon, std::string::npos) << line;
    got[line.substr(0, colon)] = std::stol(line.substr(colon + 2));
  }
  EXPECT_EQ(got, want);
}

TEST_F(Examples, PageRankMatchesSparkPageRankByHand) {
  const fs::path file = dir / "links.txt";
  std::vector<std::pair<std::string, std::string>> links = {{"a", "b"}, {"a", "c"}, {"b", "c"}, {"c", "a"},
                                                            {"d", "c"}, {"c", "a"}, {"e", "d"}};
  std::ofstream(file) << "a b\na c\nb c\nc a\nd c\nc a\ne d\n";
  // By hand: distinct links grouped by page; pages nobody links to drop out.
  std::map<std::string, std::vector<std::string>> out_links;
  std::set<std::pair<std::string, std::string>> distinct(links.begin(), links.end());
  for (auto& [s, d] : distinct) out_links[s].push_back(d);
  std::map<std::string, double> ranks;
  for (auto& [s, _] : out_links) ranks[s] = 1.0;
  for (int i = 0; i < 10; ++i) {
    std::map<std::string, double> sum;
    for (auto& [s, ds] : out_links)
      if (ranks.count(s))
        for (auto& d : ds) sum[d] += ranks[s] / ds.size();
    ranks.clear();
    for (auto& [page, total] : sum) ranks[page] = 0.15 + 0.85 * total;
  }
  std::istringstream out(run_on_both("page_rank", file.string() + " 10"));
  std::map<std::string, double> got;
  for (std::string page, has, rank_word, rank; out >> page >> has >> rank_word >> rank;) got[page] = std::stod(rank);
  ASSERT_EQ(got.size(), ranks.size());
  for (auto& [page, rank] : ranks) EXPECT_NEAR(got[page], rank, 1e-9) << page;
}

TEST_F(Examples, KMeansFindsTheBlobs) {
  const fs::path file = dir / "points.txt";
  std::mt19937_64 rng(1);
  std::normal_distribution<double> gauss(0, 0.1);
  std::ofstream points(file);
  for (int i = 0; i < 300; ++i) points << (i % 3) * 5 + gauss(rng) << ' ' << (i % 3) * -2 + gauss(rng) << '\n';
  points.close();
  std::istringstream out(run_on_both("kmeans", file.string() + " 3 0.0001"));
  std::string line;
  std::getline(out, line);
  EXPECT_EQ(line, "Final centers:");
  std::vector<std::pair<double, double>> centers;
  for (double x, y; out >> x >> y;) centers.emplace_back(x, y);
  ASSERT_EQ(centers.size(), 3u);
  std::sort(centers.begin(), centers.end());
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(centers[c].first, c * 5, 0.05);
    EXPECT_NEAR(centers[c].second, c * -2, 0.05);
  }
}

TEST_F(Examples, LogisticRegressionAndTheModules) {
  std::string w = run_on_both("logistic_regression", "5");
  EXPECT_EQ(w.rfind("Final w: ", 0), 0u) << w;
  std::istringstream weights(w.substr(9));
  int n = 0;
  for (double x; weights >> x; ++n) EXPECT_TRUE(std::isfinite(x));
  EXPECT_EQ(n, 10);

  std::istringstream ranks(run_on_both("graph_ranks", std::string(BRASA_SOURCE_DIR) + "/datasets/graphs/karate.txt"));
  int lines = 0;
  for (std::string line; std::getline(ranks, line);) ++lines;
  EXPECT_EQ(lines, 10);

  std::string iris = run_on_both("iris_model", std::string(BRASA_SOURCE_DIR) + "/datasets/ml/iris.libsvm");
  double accuracy = 0;
  ASSERT_EQ(std::sscanf(iris.c_str() + iris.find("test accuracy"), "test accuracy %lf", &accuracy), 1) << iris;
  EXPECT_GT(accuracy, 0.85) << iris;
  EXPECT_NE(iris.find("classes 3"), std::string::npos) << iris;
}

// Every code block of the README that is a program (has a main) compiles
// as written against the headers.
TEST(Readme, ProgramsCompileAsWritten) {
  std::ifstream in(std::string(BRASA_SOURCE_DIR) + "/README.md");
  const std::string readme((std::istreambuf_iterator<char>(in)), {});
  int programs = 0;
  for (size_t at = readme.find("```cpp\n"); at != std::string::npos; at = readme.find("```cpp\n", at)) {
    at += 7;
    const std::string code = readme.substr(at, readme.find("```", at) - at);
    if (code.find("int main") == std::string::npos) continue;
    const fs::path file = fs::path(BRASA_BUILD_DIR) / ("readme-program-" + std::to_string(programs++) + ".cc");
    std::ofstream(file) << code;
    const std::string src = BRASA_SOURCE_DIR;
    Result r = sh("c++ -std=c++20 -fsyntax-only -I" + src + "/core/include -I" + src + "/graphx/include -I" + src +
                  "/mllib/include -I/usr/include/eigen3 " + file.string());
    EXPECT_EQ(r.code, 0) << "README program " << programs << " does not compile:\n" << code << "\n" << r.out;
  }
  EXPECT_GE(programs, 1);
}

// Compiles `program` (saved as `name` in the build directory) against the
// core's headers and expects exactly one error, at `line` of it, reported
// at the user's line ("required from here") with `message`.
void expect_one_error_at(const std::string& name, const std::string& program, int line, const std::string& message) {
  const fs::path file = fs::path(BRASA_BUILD_DIR) / name;
  std::ofstream(file) << program;
  const std::string src = BRASA_SOURCE_DIR;
  Result r = sh("c++ -std=c++20 -fsyntax-only -I" + src + "/core/include " + file.string());
  EXPECT_NE(r.code, 0);
  size_t errors = 0;
  for (size_t at = r.out.find("error:"); at != std::string::npos; at = r.out.find("error:", at + 1)) ++errors;
  EXPECT_EQ(errors, 1u) << r.out;
  EXPECT_NE(r.out.find(name + ":" + std::to_string(line) + ":"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("required from here"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(message), std::string::npos) << r.out;
}

// A record class without a serializer is reported once per line that makes
// an RDD (or a broadcast) of it, at that line, and not again from inside
// the engine's templates.
TEST(Records, AMissingSerializerIsReportedOnceAtTheUsersLine) {
  expect_one_error_at("record-without-serializer.cc", R"(#include "brasa/brasa.h"
class Point {  // not an aggregate (private fields), no serialize
 public:
  explicit Point(double x = 0) : x_(x) {}
 private:
  double x_;
  std::string label_;
};
int main(int argc, char** argv) {
  brasa::init(argc, argv);
  brasa::Context ctx(brasa::Conf().master("local[2]"));
  auto points = ctx.parallelize(std::vector<double>{1, 2}).map([](double x) { return Point(x); });
  return points.cache().collect().size() == 2 && points.count() == 2 ? 0 : 1;
}
)", 12, "this RDD's record type cannot be serialized");
}

// A key type without a hash or == is reported once, at the user's line of
// its first keyed operation, and not again from inside the engine's templates.
TEST(Records, AKeyWithoutHashOrEqualityIsReportedOnceAtTheUsersLine) {
  expect_one_error_at("key-without-hash.cc", R"(#include "brasa/brasa.h"
struct Key {  // a record, but no std::hash and no ==
  int a = 0;
  int b = 0;
};
int main(int argc, char** argv) {
  brasa::init(argc, argv);
  brasa::Context ctx(brasa::Conf().master("local[2]"));
  auto pairs = ctx.parallelize(std::vector<int>{1, 2}).map([](int x) { return std::pair<Key, int>{Key{x, x}, x}; });
  auto sums = pairs.reduce_by_key([](int a, int b) { return a + b; });
  auto joined = pairs.join(sums);
  return sums.count() + joined.count() == 4 ? 0 : 1;
}
)", 10, "needs a hash and ==");
}

}  // namespace
