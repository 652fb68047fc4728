// The benchmark workloads at tiny sizes: every Brasa job must give the hand
// loop's answer, on local[2] and (second ctest run) on local-cluster[2,1];
// the Python peers must rebuild the same data; and the whole suite must run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "brasa/brasa.h"
#include "workloads.h"
#include "brasa/scheduler/backend.h"

namespace fs = std::filesystem;
using namespace brasa::bench;

namespace {

brasa::Conf conf() {
  const char* env = std::getenv("BRASA_TEST_MASTER");
  return brasa::Conf()
      .master(env && *env ? env : "local[2]")
      .set("brasa.ui.show_progress", "false")
      .set("brasa.log.level", "off");
}

struct TempFile {
  fs::path path = fs::temp_directory_path() / ("brasa-workloads-test-" + std::to_string(getpid()));
  ~TempFile() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string run(const std::string& cmd, int* status) {
  FILE* f = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (f && std::fgets(buf, sizeof buf, f)) out += buf;
  *status = f ? pclose(f) : -1;
  return out;
}

TEST(Workloads, ReduceByKeyMatchesHandLoop) {
  brasa::Context ctx(conf());
  Timings t;
  Answer hand = reduce_by_key_hand(20000, 300, t);
  EXPECT_EQ(hand.records, 300);
  EXPECT_EQ(reduce_by_key_expected(20000, 300), hand);
  auto run = reduce_by_key_brasa(ctx, 20000, 300, 7, t);
  EXPECT_EQ(run.answer, hand) << to_string(run.answer) << " vs " << to_string(hand);
  EXPECT_EQ(t.seconds.size(), 1u);
}

TEST(Workloads, WordCountMatchesHandLoopAndShell) {
  TempFile file;
  write_words(file.path.string(), 50000);
  Timings t;
  Answer hand = word_count_hand(file.path.string(), t);
  EXPECT_GT(hand.records, 100);
  EXPECT_EQ(word_count_shell(file.path.string(), t), hand);
  brasa::Context ctx(conf());
  EXPECT_EQ(word_count_brasa(ctx, file.path.string(), 5, WordCount::kCountByValue, t), hand);
  EXPECT_EQ(word_count_brasa(ctx, file.path.string(), 5, WordCount::kReduceByKey, t), hand);
}

TEST(Workloads, SortMatchesStdSort) {
  Timings t;
  Answer hand = sort_hand(30000, t);
  EXPECT_EQ(hand.sum, 1.0);
  brasa::Context ctx(conf());
  Answer got = sort_brasa(ctx, 30000, 6, t);
  EXPECT_EQ(got, hand) << to_string(got);
}

TEST(Workloads, JoinMatchesHandLoopAndCoPartitionedJoinDoesNotShuffle) {
  Timings t;
  Answer hand = join_hand(20000, 2000, t);
  EXPECT_EQ(hand.records, 20000);
  brasa::Context ctx(conf());
  auto shuffled = join_brasa(ctx, 20000, 2000, 5, false)();
  EXPECT_EQ(shuffled.answer, hand);
  EXPECT_EQ(shuffled.stages, 3);  // two map stages, one result stage
  auto co = join_brasa(ctx, 20000, 2000, 5, true)();
  EXPECT_EQ(co.answer, hand);
  EXPECT_EQ(co.stages, 1);
}

TEST(Workloads, TinyJobCountsTwo) {
  brasa::Context ctx(conf());
  EXPECT_EQ(tiny_job(ctx), 2);
  EXPECT_EQ(empty_tasks(ctx, 50), 50);
}

TEST(Workloads, PageRankMatchesCsrLoop) {
  Timings t;
  Answer hand = pagerank_hand(10, 8000, 5, t);
  EXPECT_EQ(t.seconds.size(), 5u);
  EXPECT_GT(hand.records, 100);
  brasa::Context ctx(conf());
  double join_copied = -1, zip_copied = -1;
  Answer got = pagerank_brasa(ctx, 10, 8000, 5, 4, PageRankForm::kJoin, t, &join_copied);
  EXPECT_EQ(got, hand) << to_string(got) << " vs " << to_string(hand);
  Answer zipped = pagerank_brasa(ctx, 10, 8000, 5, 4, PageRankForm::kZipPartitions, t, &zip_copied);
  EXPECT_EQ(zipped, hand) << to_string(zipped) << " vs " << to_string(hand);
  // Copies are counted where tasks run: in this process unless on a cluster.
  if (ctx.runtime().backend().ships_plans()) return;
  EXPECT_EQ(join_copied, 0);  // the join reads the cached links in place (its output records are new)
  EXPECT_EQ(zip_copied, 0);   // zip_partitions reads links and ranks in place
}

TEST(Workloads, CachedSumMatchesArrayLoop) {
  Answer hand = cached_sum_hand(100000)();
  EXPECT_EQ(hand.digest, uint64_t{100000} * 99999 / 2);
  brasa::Context ctx(conf());
  Timings th, tb;
  auto got = time_in_turn<Answer>(3, {{&th, cached_sum_hand(100000)}, {&tb, cached_sum_brasa(ctx, 100000, 7)}});
  EXPECT_EQ(got[0], hand);
  EXPECT_EQ(got[1], hand);
  EXPECT_EQ(th.seconds.size(), 3u);
  EXPECT_EQ(tb.seconds.size(), 3u);
}

TEST(Workloads, JoinLoopMatchesHandLoop) {
  Timings t;
  std::vector<double> rss;
  brasa::Context ctx(conf());
  Answer got = join_loop_brasa(ctx, 5000, 12, 4, t, &rss);
  EXPECT_EQ(got, join_loop_hand(5000, 12)) << to_string(got);
  EXPECT_EQ(got.records, 5000);
  EXPECT_EQ(t.seconds.size(), 12u);
  ASSERT_EQ(rss.size(), 12u);
  EXPECT_GT(rss.back(), 1.0);
  EXPECT_EQ(ctx.last_job().stages_run, 1) << "the co-partitioned loop must not shuffle";
}

TEST(Workloads, RmatGraphIsSkewed) {
  auto edges = rmat_edges(10, 20000);
  std::vector<int> degree(1024);
  for (auto& [s, d] : edges) {
    ASSERT_LT(s, 1024);
    ASSERT_LT(d, 1024);
    ++degree[static_cast<size_t>(s)];
  }
  // R-MAT puts most edges on low vertex ids: vertex 0 has far more than the mean.
  EXPECT_GT(degree[0], 20 * 20000 / 1024);
}

// The whole suite at a tiny scale, with the Python peers when Debian's
// python3-numpy, -pandas and -dask are installed (they rebuild the data
// from the same generators, so their answers must match too). It exits 0
// only when every system gave the right answer.
TEST(Suite, RunsEveryWorkloadAndWritesCsvAndSvg) {
  if (std::getenv("BRASA_TEST_MASTER")) GTEST_SKIP() << "the suite picks its own masters; runs once";
  TempFile out;
  int status = 0;
  run("/usr/bin/python3 -c 'import numpy, pandas, dask, distributed' 2>&1", &status);
  bool peers = status == 0;
  std::string log = run(std::string(BRASA_BENCH_BINARY) + " --scale 0.0002 --runs 1 --out " + out.path.string() +
                            " 2>&1",
                        &status);
  ASSERT_EQ(status, 0) << log;
  EXPECT_EQ(log.find("WRONG"), std::string::npos) << log;
  if (peers) {
    EXPECT_EQ(log.find("skip:"), std::string::npos) << log;
    for (const char* system : {"numpy bincount", "pandas groupby", "dask dataframe groupby", "dask bag foldby",
                               "dask dataframe sort_values", "dask client.submit", "dask LocalCluster"})
      EXPECT_NE(log.find(system), std::string::npos) << system << " missing:\n" << log;
  } else {
    EXPECT_NE(log.find("skip: 1 reduce_by_key peers"), std::string::npos) << log;
  }
  std::ifstream csv(out.path / "core.csv");
  std::string header, row;
  std::getline(csv, header);
  EXPECT_EQ(header, "workload,system,configuration,seconds,records_per_second,ratio_to_best_reference,note");
  int rows = 0;
  while (std::getline(csv, row)) ++rows;
  EXPECT_GE(rows, 25);
  EXPECT_GT(fs::file_size(out.path / "core.svg"), 1000u);
  std::ifstream targets(out.path / "targets.txt");
  std::string first;
  EXPECT_TRUE(std::getline(targets, first)) << "no target lines";
}

}  // namespace
