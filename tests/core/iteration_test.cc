// Iterative jobs: a job stops walking the lineage at RDDs whose partitions
// are all cached, so its cost does not grow with the iterations behind it;
// a block missing after all (evicted on an executor, or a task that ran
// away from it) makes the job go on with the whole lineage.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "brasa/brasa.h"
#include "test_util.h"

namespace {

using KV = std::pair<int64_t, int64_t>;

TEST(Iteration, JobsStopAtFullyCachedRDDs) {
  auto ctx = brasa_test::make_context();
  auto values = ctx->range(0, 1000, 1, 4).map([](int64_t x) { return KV{x % 50, x}; }).cache();
  values.count();
  for (int i = 0; i < 30; ++i) {
    auto next = values.reduce_by_key([](int64_t a, int64_t b) { return a + b; }, 4)
                    .map([](const KV& kv) { return KV{(kv.first * 7 + 1) % 50, kv.second % 1000003}; })
                    .cache();
    next.count();
    values.unpersist();
    values = next;
  }
  auto stats = ctx->last_job();
  EXPECT_EQ(stats.stages_run, 2);  // the last iteration's shuffle and its count
  EXPECT_EQ(stats.stages_skipped, 0) << "the job walked past the previous iteration's cached result";
  values.count();
  EXPECT_EQ(ctx->last_job().stages_run + ctx->last_job().stages_skipped, 1);
  // The answer is the same as without any caching.
  std::vector<KV> plain(1000);
  for (int64_t x = 0; x < 1000; ++x) plain[size_t(x)] = {x % 50, x};
  auto expected_rdd = ctx->parallelize(plain, 4);
  for (int i = 0; i < 30; ++i)
    expected_rdd = expected_rdd.reduce_by_key([](int64_t a, int64_t b) { return a + b; }, 4)
                       .map([](const KV& kv) { return KV{(kv.first * 7 + 1) % 50, kv.second % 1000003}; });
  EXPECT_EQ(brasa_test::sorted(values.collect()), brasa_test::sorted(expected_rdd.collect()));
}

TEST(Iteration, LostBlocksOfACutLineageAreRecomputed) {
  // Blocks of about 200 KB: an executor's 300 KB budget keeps one, so the
  // second it caches evicts the first after the driver heard it was kept.
  // The next job's plans are cut at the RDD, and some tasks find no block.
  // (In local mode the 64 KB budget keeps none, and nothing is cut.)
  auto ctx = brasa_test::make_context("", {{"brasa.memory.storage", "64k"}, {"brasa.executor.memory", "300k"}});
  auto sums = ctx->range(0, 4000, 1, 4)
                  .map([](int64_t x) { return KV{x % 100, x}; })
                  .reduce_by_key([](int64_t a, int64_t b) { return a + b; }, 4);
  auto rows = sums.map_values([](int64_t s) { return std::vector<int64_t>(1000, s); }).cache();
  EXPECT_EQ(rows.count(), 100);
  for (int round = 0; round < 3; ++round) {
    auto total = rows.map([](const std::pair<int64_t, std::vector<int64_t>>& kv) { return kv.second[999]; })
                     .reduce([](int64_t a, int64_t b) { return a + b; });
    EXPECT_EQ(total, 3999 * 4000 / 2) << "round " << round;
  }
}

}  // namespace

namespace {

TEST(LocalCheckpoint, CutsTheLineageAndKeepsTheResults) {
  auto ctx = brasa_test::make_context();
  auto values = ctx->range(0, 2000, 1, 4).map([](int64_t x) { return KV{x % 100, x}; });
  auto expected = values;
  for (int i = 1; i <= 25; ++i) {
    auto step = [](brasa::RDD<KV> r) {
      return r.reduce_by_key([](int64_t a, int64_t b) { return (a + b) % 1000003; }, 4)
          .map([](const KV& kv) { return KV{(kv.first * 3 + 1) % 100, kv.second + kv.first}; });
    };
    values = step(values);
    expected = step(expected);
    if (i % 5 == 0) values.local_checkpoint();
  }
  EXPECT_TRUE(values.is_local_checkpointed());
  auto debug = values.to_debug_string();
  EXPECT_NE(debug.find("[local checkpoint]"), std::string::npos) << debug;
  EXPECT_EQ(debug.find("reduce_by_key"), std::string::npos) << "the lineage should be gone:\n" << debug;
  EXPECT_EQ(brasa_test::sorted(values.collect()), brasa_test::sorted(expected.collect()));
  EXPECT_EQ(ctx->last_job().stages_run + ctx->last_job().stages_skipped, 1);
  EXPECT_THROW(values.unpersist(), std::logic_error);
  // Spark's rule: persisting a local checkpoint asks for its blocks on disk
  // too, so cache() on one (an algorithm's result, say) keeps it as it is.
  EXPECT_NO_THROW(values.cache());
  EXPECT_EQ(values.storage_level(), brasa::StorageLevel::memory_and_disk());
  EXPECT_THROW(values.persist(brasa::StorageLevel::disk_only()), std::logic_error);
}

TEST(LocalCheckpoint, OfAnRDDComputedAlreadyRunsNoJob) {
  auto ctx = brasa_test::make_context();
  auto values = ctx->range(0, 2000, 1, 4)
                    .map([](int64_t x) { return KV{x % 100, x}; })
                    .reduce_by_key([](int64_t a, int64_t b) { return a + b; }, 3);
  values.persist(brasa::StorageLevel::memory_and_disk());
  // Computed as a side effect of the map stage of a job on a child.
  auto child = values.map([](const KV& kv) { return KV{kv.first % 7, kv.second}; })
                   .reduce_by_key([](int64_t a, int64_t b) { return a + b; }, 2);
  child.run_map_stages();
  const int jobs_before = ctx->last_job().job_id;
  values.local_checkpoint();
  EXPECT_EQ(ctx->last_job().job_id, jobs_before) << "the blocks were there; no job was needed";
  EXPECT_TRUE(values.is_local_checkpointed());
  EXPECT_EQ(values.to_debug_string().find("range"), std::string::npos) << values.to_debug_string();
  std::map<int64_t, int64_t> expected;
  for (int64_t x = 0; x < 2000; ++x) expected[x % 100] += x;
  auto got = values.collect();
  EXPECT_EQ((std::map<int64_t, int64_t>(got.begin(), got.end())), expected);
  // Memory only: the blocks cannot take disk, so the checkpoint computes
  // them again at a level with disk, as before.
  auto in_memory = ctx->range(0, 100, 1, 2).map([](int64_t x) { return x * 2; });
  in_memory.cache();
  EXPECT_EQ(in_memory.count(), 100);
  const int before = ctx->last_job().job_id;
  in_memory.local_checkpoint();
  EXPECT_GT(ctx->last_job().job_id, before);
  EXPECT_EQ(in_memory.storage_level(), brasa::StorageLevel::memory_and_disk());
  EXPECT_EQ(in_memory.reduce([](int64_t a, int64_t b) { return a + b; }), 9900);
  // With disk but only some partitions computed: the checkpoint computes them.
  auto some = ctx->range(0, 100, 1, 4).map([](int64_t x) { return x + 1; });
  some.persist(brasa::StorageLevel::memory_and_disk());
  EXPECT_EQ(some.take(1), std::vector<int64_t>{1});
  const int after_take = ctx->last_job().job_id;
  some.local_checkpoint();
  EXPECT_GT(ctx->last_job().job_id, after_take) << "marked with partitions missing";
  EXPECT_EQ(some.count(), 100);
}

TEST(LocalCheckpoint, ALostBlockIsAClearError) {
  SKIP_ON_CLUSTER("removes a block from the driver's block manager");
  auto ctx = brasa_test::make_context();
  auto values = ctx->range(0, 100, 1, 4).map([](int64_t x) { return x * 2; });
  values.local_checkpoint();
  EXPECT_EQ(values.count(), 100);
  ctx->runtime().block_manager().remove(brasa::BlockId{values.id(), 2});
  try {
    values.count();
    FAIL() << "expected an error";
  } catch (const brasa::JobError& e) {
    EXPECT_NE(std::string(e.what()).find("local checkpoint cannot be recomputed"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("rdd_" + std::to_string(values.id()) + "_2"), std::string::npos) << e.what();
  }
}

}  // namespace
