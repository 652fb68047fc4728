// What a function given to an operation may carry, as Spark's closures do:
// a value shipped beside it (brasa::with), the program's own functions by
// name, plain structs as records without a serialize method; and what a
// closure that captured a pointer into the driver does on a cluster: its
// executor dies, and the job's error says why. Run on local[2] and again on
// local-cluster[2,1] (ctest's cluster: run).
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "brasa/brasa.h"
#include "test_util.h"

namespace {

using brasa_test::make_context;

int64_t square(int64_t x) { return x * x; }
bool is_odd(int64_t x) { return x % 2 != 0; }

// A plain struct: serialized field by field, no serialize method.
struct Visit {
  std::string page;
  std::vector<int32_t> hours;
  double score = 0;
  bool operator==(const Visit&) const = default;
};

struct Session {
  Visit first;
  std::string user;
  std::vector<Visit> rest;
  bool operator==(const Session&) const = default;
};

TEST(With, ShipsItsValueWithTheFunction) {
  auto ctx = make_context();
  const std::vector<double> weights = {0.5, -1.0, 2.0};
  auto points = ctx->parallelize(std::vector<std::vector<double>>{{1, 2, 3}, {0, 1, 0}, {4, 0, 1}}, 3);
  auto dots = points.map(brasa::with(weights, [](const std::vector<double>& w, const std::vector<double>& p) {
    return std::inner_product(w.begin(), w.end(), p.begin(), 0.0);
  }));
  EXPECT_EQ(dots.collect(), (std::vector<double>{4.5, -1.0, 4.0}));
  const std::string prefix = "page-";
  auto names = ctx->range(0, 4, 1, 2).map(
      brasa::with(prefix, [](const std::string& p, int64_t i) { return p + std::to_string(i); }));
  EXPECT_EQ(names.collect(), (std::vector<std::string>{"page-0", "page-1", "page-2", "page-3"}));
  auto kept = ctx->range(0, 10, 1, 3).filter(brasa::with(int64_t{7}, [](int64_t limit, int64_t x) { return x > limit; }));
  EXPECT_EQ(kept.collect(), (std::vector<int64_t>{8, 9}));
}

TEST(FunctionsByName, RunWhereverTheTaskRuns) {
  auto ctx = make_context();
  auto odd_squares = ctx->range(0, 10, 1, 3).filter(is_odd).map(square);
  EXPECT_EQ(odd_squares.collect(), (std::vector<int64_t>{1, 9, 25, 49, 81}));
}

TEST(FunctionsByName, ThoseOfASharedLibraryAreRefusedOnACluster) {
  SKIP_ON_CLUSTER("the refusal needs a cluster; this test starts its own");
  auto local = make_context("local[2]");
  long (*abs_of)(long) = std::labs;  // the C library's: elsewhere in every process
  EXPECT_EQ(local->parallelize(std::vector<long>{-2, 3}, 2).map(abs_of).collect(), (std::vector<long>{2, 3}));
  auto cluster = make_context("local-cluster[2,1]");
  try {
    cluster->parallelize(std::vector<long>{-2, 3}, 2).map(abs_of).collect();
    ADD_FAILURE() << "a shared library's function was shipped by address";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("not in the program itself"), std::string::npos) << e.what();
  }
}

TEST(PlainStructs, AreRecordsWithoutASerializeMethod) {
  const Session s{{"home", {9, 10}, 0.5}, "ana", {{"cart", {11}, 2.0}, {"pay", {}, -1.0}}};
  std::string bytes;
  brasa::ByteWriter(&bytes).write(s);
  brasa::ByteReader r(bytes);
  EXPECT_EQ(r.read<Session>(), s);
  EXPECT_TRUE(r.at_end());

  auto ctx = make_context();
  std::vector<Visit> visits;
  for (int i = 0; i < 100; ++i) visits.push_back(Visit{"p" + std::to_string(i % 7), {i, i + 1}, i * 0.25});
  auto by_page = ctx->parallelize(visits, 4)
                     .map([](const Visit& v) { return std::pair{v.page, v}; })
                     .reduce_by_key([](Visit a, const Visit& b) {
                       a.hours.insert(a.hours.end(), b.hours.begin(), b.hours.end());
                       a.score += b.score;
                       return a;
                     }, 3)
                     .collect_as_map();
  ASSERT_EQ(by_page.size(), 7u);
  EXPECT_EQ(by_page["p0"].hours.size(), 2u * 15);  // pages p0 and p1 get 15 visits, the others 14
  EXPECT_EQ(by_page["p6"].hours.size(), 2u * 14);
  double total = 0;
  for (auto& [page, v] : by_page) total += v.score;
  EXPECT_DOUBLE_EQ(total, 0.25 * 99 * 100 / 2);
}

// A lambda capturing a reference works in local mode, where the executor is
// the driver; on a cluster the address means nothing in the executor, which
// dies of it, and the error says so. The captured object lives in a page
// mapped at a fixed address in the driver only, so the executor's read
// faults every time.
TEST(Closures, ACapturedReferenceKillsTheExecutorAndTheErrorSaysWhy) {
  SKIP_ON_CLUSTER("starts its own local-cluster");
  void* page = ::mmap(reinterpret_cast<void*>(0x6f0000000000), 4096, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (page == MAP_FAILED) GTEST_SKIP() << "cannot map the test's page";
  int64_t& offset = *static_cast<int64_t*>(page);
  offset = 100;
  auto add = [&offset](int64_t x) { return x + offset; };
  auto local = make_context("local[2]");
  EXPECT_EQ(local->range(0, 3, 1, 2).map(add).collect(), (std::vector<int64_t>{100, 101, 102}));
  auto cluster = make_context("local-cluster[2,1]");
  try {
    cluster->range(0, 3, 1, 2).map(add).collect();
    ADD_FAILURE() << "the executors read the driver's memory";
  } catch (const std::exception& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("died of SIGSEGV"), std::string::npos) << what;
    EXPECT_NE(what.find("captures a reference or a pointer"), std::string::npos) << what;
    EXPECT_NE(what.find("closures_test.cc"), std::string::npos) << "the operation's call site: " << what;
  }
  ::munmap(page, 4096);
}

}  // namespace
