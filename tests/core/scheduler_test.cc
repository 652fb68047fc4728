#include "brasa/shuffle/shuffle_manager.h"
#include <filesystem>
#include <unistd.h>
#include <cstdlib>
// The DAG scheduler: retries, job failures, stage planning (shuffles avoided
// on co-partitioned data, skipped map stages), actions inside tasks, and
// determinism across thread counts.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "brasa/scheduler/task_context.h"
#include "test_util.h"

using brasa_test::contains;
using brasa_test::make_context;
using brasa_test::sorted;

namespace {

// Functions go to RDD operations as lambdas (a function pointer does not ship).
constexpr auto add_up = [](int64_t a, int64_t b) { return a + b; };

std::atomic<int> g_attempts{0};

// ---- Retries ------------------------------------------------------------------------------

TEST(Retry, TaskFailingOnFirstAttemptIsRetried) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(brasa_test::iota_vec(100), 4).map([](int x) {
    auto* tc = brasa::TaskContext::current();
    if (tc == nullptr) throw std::logic_error("no task context in a task");
    if (x == 60 && tc->attempt() == 0) throw std::runtime_error("transient failure");
    return x + 1;
  });
  EXPECT_EQ(rdd.collect(), brasa_test::iota_vec(100, 1));
  EXPECT_GE(ctx->last_job().failed_attempts, 1);
  EXPECT_EQ(ctx->last_job().failed_attempts, 1);
}

TEST(Retry, AccumulatorCountsOnlyTheSuccessfulAttempt) {
  auto ctx = make_context();
  auto acc = ctx->accumulator<int64_t>(0);
  auto sum = ctx->accumulator<int64_t>(0);
  // Partition 1 holds 5..9; its first attempt adds for 5, 6, 7 and then throws.
  auto rdd = ctx->parallelize(brasa_test::iota_vec(10), 2).map([acc, sum](int x) {
    acc.add(1);
    sum.add(x);
    if (x == 7 && brasa::TaskContext::current()->attempt() == 0) throw std::runtime_error("flaky");
    return x;
  });
  EXPECT_EQ(rdd.count(), 10);
  EXPECT_EQ(ctx->last_job().failed_attempts, 1);
  EXPECT_EQ(acc.value(), 10);
  EXPECT_EQ(sum.value(), 45);
}

TEST(Retry, ShuffleMapTaskRetryDoesNotDuplicateOutput) {
  auto ctx = make_context();
  auto data = brasa_test::skewed_pairs(5000, 3, 30);
  std::map<int, int64_t> expected;
  for (auto& [k, v] : data) expected[k] += v;
  auto flaky = ctx->parallelize(data, 5).map([](std::pair<int, int64_t> kv) {
    auto* tc = brasa::TaskContext::current();
    if (tc->partition() == 2 && tc->attempt() < 2) throw std::runtime_error("map side hiccup");
    return kv;
  });
  auto out = flaky.reduce_by_key(add_up, 3).collect_as_map();
  EXPECT_EQ(out, expected);
  EXPECT_EQ(ctx->last_job().failed_attempts, 2);
}

TEST(Retry, TaskContextKnowsItsPartition) {
  auto ctx = make_context();
  auto out = ctx->parallelize(brasa_test::iota_vec(12), 4)
                 .map([](int) { return brasa::TaskContext::current()->partition(); })
                 .collect();
  EXPECT_EQ(out, (std::vector<int>{0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3}));
  EXPECT_EQ(brasa::TaskContext::current(), nullptr);  // on the driver
}

// ---- Job failures -------------------------------------------------------------------------------

TEST(JobFailure, AlwaysFailingTaskFailsTheJobWithDetails) {
  SKIP_ON_CLUSTER("counts attempts in a process-wide variable");
  auto ctx = make_context();
  g_attempts = 0;
  auto rdd = ctx->parallelize(brasa_test::iota_vec(20), 4).map([](int x) {
    if (x == 13) {
      ++g_attempts;
      throw std::runtime_error("boom-xyzzy");
    }
    return x;
  });
  try {
    rdd.collect();
    FAIL() << "the job should fail";
  } catch (const brasa::JobError& e) {
    std::string msg = e.what();
    EXPECT_TRUE(contains(msg, "stage")) << msg;
    EXPECT_TRUE(contains(msg, "partition")) << msg;
    EXPECT_TRUE(contains(msg, "boom-xyzzy")) << msg;
  }
  EXPECT_EQ(g_attempts.load(), 4) << "default brasa.task.max_failures is 4 attempts";
  EXPECT_EQ(ctx->last_job().failed_attempts, 4);
  // The context is still usable.
  EXPECT_EQ(ctx->parallelize(brasa_test::iota_vec(50), 3).count(), 50);
  EXPECT_EQ(ctx->parallelize(brasa_test::skewed_pairs(100, 1, 5), 3).reduce_by_key(add_up).count(), 5);
}

TEST(JobFailure, FailureInShuffleMapStage) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(brasa_test::skewed_pairs(1000, 2, 10), 4).map([](std::pair<int, int64_t> kv) {
    if (brasa::TaskContext::current()->partition() == 3) throw std::runtime_error("map-stage-broke");
    return kv;
  });
  try {
    rdd.reduce_by_key(add_up, 2).collect();
    FAIL() << "the job should fail";
  } catch (const brasa::JobError& e) {
    EXPECT_TRUE(contains(e.what(), "map-stage-broke")) << e.what();
    EXPECT_TRUE(contains(e.what(), "partition 3")) << e.what();
  }
  EXPECT_EQ(ctx->parallelize(brasa_test::iota_vec(10), 2).collect(), brasa_test::iota_vec(10));
}

TEST(JobFailure, MaxFailuresOneFailsOnFirstThrow) {
  SKIP_ON_CLUSTER("counts attempts in a process-wide variable");
  auto ctx = make_context("", {{"brasa.task.max_failures", "1"}});
  g_attempts = 0;
  auto rdd = ctx->parallelize(brasa_test::iota_vec(10), 2).map([](int x) {
    if (x == 3 && brasa::TaskContext::current()->attempt() == 0) {
      ++g_attempts;
      throw std::runtime_error("only once");
    }
    return x;
  });
  EXPECT_THROW(rdd.collect(), brasa::JobError);
  EXPECT_EQ(g_attempts.load(), 1);
  EXPECT_EQ(ctx->last_job().failed_attempts, 1);
}

TEST(JobFailure, NonStandardExceptionBecomesJobError) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(brasa_test::iota_vec(10), 2).map([](int x) {
    if (x == 4) throw 42;
    return x;
  });
  try {
    rdd.collect();
    FAIL() << "the job should fail";
  } catch (const brasa::JobError& e) {
    EXPECT_TRUE(contains(e.what(), "partition")) << e.what();
  }
  EXPECT_EQ(ctx->parallelize(brasa_test::iota_vec(10), 2).count(), 10);
}

TEST(JobFailure, InvalidMaxFailuresIsRejected) {
  EXPECT_ANY_THROW(make_context("", {{"brasa.task.max_failures", "0"}}));
  EXPECT_ANY_THROW(make_context("", {{"brasa.task.max_failures", "many"}}));
  EXPECT_ANY_THROW(make_context("cluster://nowhere"));
}

TEST(JobFailure, ActionInsideATaskIsRejected) {
  SKIP_ON_CLUSTER("the closure captures the RDD by reference, which cannot ship");
  auto ctx = make_context();
  auto inner = ctx->parallelize(brasa_test::iota_vec(5), 1);
  const brasa::RDD<int>* p = &inner;
  auto outer = ctx->parallelize(brasa_test::iota_vec(3), 1).map([p](int x) { return x + p->count(); });
  try {
    outer.collect();
    FAIL() << "an action inside a task should fail";
  } catch (const brasa::JobError& e) {
    EXPECT_TRUE(contains(e.what(), "inside a task")) << e.what();
  }
  EXPECT_EQ(inner.count(), 5);  // fine on the driver
}

// ---- Stage planning --------------------------------------------------------------------------------

TEST(Stages, ShuffleCreatesTwoStages) {
  auto ctx = make_context();
  auto data = brasa_test::skewed_pairs(1000, 1, 20);
  auto reduced = ctx->parallelize(data, 4).reduce_by_key(add_up, 3);
  reduced.collect();
  auto stats = ctx->last_job();
  EXPECT_EQ(stats.stages_run, 2);
  EXPECT_EQ(stats.stages_skipped, 0);
  EXPECT_EQ(stats.tasks, 4 + 3);
  EXPECT_EQ(stats.failed_attempts, 0);
  ctx->parallelize(data, 4).map_values([](int64_t v) { return v + 1; }).count();
  EXPECT_EQ(ctx->last_job().stages_run, 1);
  EXPECT_EQ(ctx->last_job().tasks, 4);
}

TEST(Stages, JobIdsIncrease) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(brasa_test::iota_vec(10), 2);
  rdd.count();
  int first = ctx->last_job().job_id;
  rdd.count();
  EXPECT_GT(ctx->last_job().job_id, first);
}

TEST(Stages, ReduceByKeyOnCoPartitionedDataNeedsNoShuffle) {
  auto ctx = make_context();
  auto data = brasa_test::skewed_pairs(3000, 4, 25);
  std::map<int, int64_t> expected;
  for (auto& [k, v] : data) expected[k] += v;
  auto p = brasa::Partitioner::hash(4);
  auto parted = ctx->parallelize(data, 3).partition_by(p);
  parted.count();  // materialise the layout

  auto same = parted.reduce_by_key(add_up, p);
  EXPECT_EQ(same.collect_as_map(), expected);
  EXPECT_EQ(ctx->last_job().stages_run, 1) << "co-partitioned reduce_by_key must not shuffle";
  EXPECT_TRUE(same.partitioner().has_value() && *same.partitioner() == p);
  // Default partitioner: the one the data already has.
  EXPECT_EQ(parted.reduce_by_key(add_up).collect_as_map(), expected);
  EXPECT_EQ(ctx->last_job().stages_run, 1);

  auto unparted = ctx->parallelize(data, 3).reduce_by_key(add_up, p);
  EXPECT_EQ(unparted.collect_as_map(), expected);
  EXPECT_EQ(ctx->last_job().stages_run, 2) << "an unpartitioned input needs a shuffle";

  auto other = parted.reduce_by_key(add_up, brasa::Partitioner::hash(5));
  EXPECT_EQ(other.collect_as_map(), expected);
  EXPECT_EQ(ctx->last_job().stages_run, 2) << "a different partitioner needs a shuffle";
}

TEST(Stages, JoinOfCoPartitionedMaterialisedRDDsRunsOneStage) {
  auto ctx = make_context();
  auto p = brasa::Partitioner::hash(6);
  auto left_data = brasa_test::skewed_pairs(2000, 5, 30);
  auto right_data = brasa_test::skewed_pairs(1000, 6, 40);
  auto left = ctx->parallelize(left_data, 4).partition_by(p);
  auto right = ctx->parallelize(right_data, 3).partition_by(p);
  left.cache();
  right.cache();
  left.count();
  right.count();
  auto joined = left.join(right);
  EXPECT_EQ(joined.num_partitions(), 6);
  auto out = joined.collect();
  EXPECT_EQ(ctx->last_job().stages_run, 1);

  std::multimap<int, int64_t> r;
  for (auto& kv : right_data) r.insert(kv);
  std::vector<std::pair<int, std::pair<int64_t, int64_t>>> expected;
  for (auto& [k, v] : left_data) {
    auto [b, e] = r.equal_range(k);
    for (auto it = b; it != e; ++it) expected.push_back({k, {v, it->second}});
  }
  EXPECT_EQ(sorted(out), sorted(expected));

  // Without a shared partitioner, both sides are shuffled: 3 stages.
  auto plain = ctx->parallelize(left_data, 4).join(ctx->parallelize(right_data, 3));
  EXPECT_EQ(sorted(plain.collect()), sorted(expected));
  EXPECT_EQ(ctx->last_job().stages_run, 3);
}

TEST(Stages, SecondActionSkipsTheMapStage) {
  auto ctx = make_context();
  auto acc = ctx->accumulator<int64_t>(0);
  auto reduced = ctx->parallelize(brasa_test::skewed_pairs(2000, 7, 20), 4)
                     .map([acc](std::pair<int, int64_t> kv) {
                       acc.add(1);
                       return kv;
                     })
                     .reduce_by_key(add_up, 3);
  auto first = reduced.collect();
  EXPECT_EQ(ctx->last_job().stages_run, 2);
  EXPECT_EQ(acc.value(), 2000);
  auto second = reduced.collect();
  EXPECT_EQ(second, first);
  EXPECT_GE(ctx->last_job().stages_skipped, 1);
  EXPECT_EQ(ctx->last_job().stages_run, 1);
  EXPECT_EQ(acc.value(), 2000) << "the map side ran again";
  // A new RDD on top of the same shuffle also reuses it.
  EXPECT_EQ(reduced.map_values([](int64_t v) { return -v; }).count(), static_cast<int64_t>(first.size()));
  EXPECT_GE(ctx->last_job().stages_skipped, 1);
  EXPECT_EQ(acc.value(), 2000);
}

TEST(Stages, RunMapStagesWritesTheShufflesAndNotTheLastStage) {
  auto ctx = make_context();
  auto mapped = ctx->accumulator<int64_t>(0);
  auto reduced_side = ctx->accumulator<int64_t>(0);
  auto data = brasa_test::skewed_pairs(2000, 7, 20);
  auto reduced = ctx->parallelize(data, 4)
                     .map([mapped](std::pair<int, int64_t> kv) {
                       mapped.add(1);
                       return kv;
                     })
                     .reduce_by_key(add_up, 3)
                     .map([reduced_side](std::pair<int, int64_t> kv) {
                       reduced_side.add(1);
                       return kv;
                     });
  reduced.cache();
  auto regrouped = reduced.map([](std::pair<int, int64_t> kv) { return std::pair<int, int64_t>(kv.first % 5, kv.second); })
                       .reduce_by_key(add_up, 2);
  regrouped.run_map_stages();
  EXPECT_EQ(ctx->last_job().stages_run, 2) << "both map stages, and not the last one";
  EXPECT_EQ(mapped.value(), 2000);
  std::map<int, int64_t> sums;
  for (auto& [k, v] : data) sums[k] += v;
  EXPECT_EQ(reduced_side.value(), static_cast<int64_t>(sums.size()));
  // The cached RDD inside the second map stage was cached there.
  EXPECT_EQ(reduced.count(), static_cast<int64_t>(sums.size()));
  EXPECT_EQ(ctx->last_job().stages_run, 1);
  EXPECT_EQ(reduced_side.value(), static_cast<int64_t>(sums.size())) << "the cached RDD was computed again";
  // An action on the RDD runs its own stage only.
  std::map<int, int64_t> expected;
  for (auto& [k, s] : sums) expected[k % 5] += s;
  auto got = regrouped.collect();
  EXPECT_EQ(ctx->last_job().stages_run, 1);
  EXPECT_GE(ctx->last_job().stages_skipped, 1);
  EXPECT_EQ((std::map<int, int64_t>(got.begin(), got.end())), expected);
  EXPECT_EQ(mapped.value(), 2000) << "the first map stage ran again";
  // Without a shuffle to write there is nothing to run.
  auto narrow = ctx->parallelize(brasa_test::iota_vec(10), 2).map([mapped](int x) {
    mapped.add(1);
    return x;
  });
  narrow.run_map_stages();
  EXPECT_EQ(ctx->last_job().stages_run, 0);
  EXPECT_EQ(ctx->last_job().stages_skipped, 0) << "the result stage was never to run";
  EXPECT_EQ(mapped.value(), 2000);
}

TEST(Stages, MultiShufflePipeline) {
  auto ctx = make_context();
  auto data = brasa_test::skewed_pairs(4000, 8, 50);
  auto counts = ctx->parallelize(data, 5)
                    .reduce_by_key(add_up, 4)
                    .map([](std::pair<int, int64_t> kv) { return std::pair<int64_t, int>(kv.second % 7, kv.first); })
                    .group_by_key(brasa::Partitioner::hash(3))
                    .map_values([](std::vector<int> v) { return static_cast<int64_t>(v.size()); });
  auto out = counts.collect();
  EXPECT_EQ(ctx->last_job().stages_run, 3);
  std::map<int, int64_t> sums;
  for (auto& [k, v] : data) sums[k] += v;
  std::map<int64_t, int64_t> expected;
  for (auto& [k, s] : sums) expected[s % 7]++;
  std::map<int64_t, int64_t> got(out.begin(), out.end());
  EXPECT_EQ(got, expected);
}

// ---- Determinism across thread counts ----------------------------------------------------------------------

std::vector<std::pair<int, std::pair<int64_t, int64_t>>> pipeline(const std::string& master) {
  auto ctx = make_context(master);
  auto a = ctx->parallelize(brasa_test::skewed_pairs(20000, 11, 300), 9).reduce_by_key(add_up, 7);
  auto b = ctx->parallelize(brasa_test::skewed_pairs(5000, 12, 200), 5)
               .map_values([](int64_t v) { return v * 2; })
               .reduce_by_key([](int64_t x, int64_t y) { return std::max(x, y); }, 4);
  return a.join(b, brasa::Partitioner::hash(6)).collect();
}

TEST(Determinism, SameOutputUnderOneTwoAndFourThreads) {
  auto one = pipeline("local[1]");
  auto two = pipeline("local[2]");
  auto four = pipeline("local[4]");
  ASSERT_FALSE(one.empty());
  EXPECT_EQ(one, two);
  EXPECT_EQ(one, four);
  // And the same again in the same process.
  EXPECT_EQ(pipeline("local[2]"), two);
}

TEST(Determinism, SortAndDistinctAcrossThreadCounts) {
  auto run = [](const std::string& master) {
    auto ctx = make_context(master);
    auto data = brasa_test::random_ints(20000, 13, 0, 5000);
    auto distinct = ctx->parallelize(data, 8).distinct(5).collect();
    auto pairs = ctx->parallelize(brasa_test::skewed_pairs(10000, 14, 100), 6).sort_by_key(true, 5).collect();
    return std::make_pair(distinct, pairs);
  };
  auto one = run("local[1]");
  EXPECT_EQ(run("local[2]"), one);
  EXPECT_EQ(run("local[4]"), one);
}

// ---- Debug strings ------------------------------------------------------------------------------------------

TEST(DebugString, ShowsShuffleBoundary) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(brasa_test::skewed_pairs(100, 1, 5), 3)
                 .map_values([](int64_t v) { return v + 1; })
                 .reduce_by_key(add_up, 2);
  std::string s = rdd.to_debug_string();
  EXPECT_TRUE(contains(s, "+-")) << s;
  EXPECT_TRUE(contains(s, "parallelize")) << s;
  EXPECT_TRUE(contains(s, "(3)")) << s;
  EXPECT_TRUE(contains(s, "(2)")) << s;
  EXPECT_TRUE(contains(s, "scheduler_test.cc")) << s;
  std::string narrow = ctx->parallelize(brasa_test::iota_vec(10), 2).map([](int x) { return x; }).to_debug_string();
  EXPECT_FALSE(contains(narrow, "+-")) << narrow;
  rdd.cache();
  EXPECT_TRUE(contains(rdd.to_debug_string(), "MEMORY_ONLY")) << rdd.to_debug_string();
}

}  // namespace

namespace {

TEST(Closures, EachTaskGetsItsOwnCopyOfAStatefulFunction) {
  brasa::Context ctx(brasa::Conf().master("local[2]").set("brasa.ui.show_progress", "false"));
  std::vector<int> data(12, 0);
  auto numbered = ctx.parallelize(data, 4).map([n = 0](int) mutable { return ++n; }).collect();
  EXPECT_EQ(numbered, (std::vector<int>{1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3}));
}

TEST(Partitioners, HashNeedsAtLeastOnePartition) {
  EXPECT_THROW(brasa::Partitioner::hash(0), std::invalid_argument);
  EXPECT_EQ(brasa::Partitioner::hash(3).num_partitions(), 3);
}

TEST(Conf, UnknownLogLevelIsAnErrorNamingTheKey) {
  ::unsetenv("BRASA_LOG_LEVEL");  // the environment would take precedence
  try {
    brasa::Context ctx(brasa::Conf().master("local[1]").set("brasa.log.level", "verbose"));
    FAIL() << "a bad log level was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("brasa.log.level"), std::string::npos) << e.what();
  }
}

}  // namespace

namespace {

TEST(Checkpoint, ReleasesTheLineageAndItsShuffleOutputs) {
  brasa::Context ctx(brasa::Conf().master("local[2]").set("brasa.ui.show_progress", "false"));
  auto dir = std::filesystem::temp_directory_path() / ("brasa-ckpt-" + std::to_string(::getpid()));
  std::vector<std::pair<int, int64_t>> data;
  for (int i = 0; i < 1000; ++i) data.emplace_back(i % 10, i);
  auto sums = ctx.parallelize(data, 4).reduce_by_key([](int64_t a, int64_t b) { return a + b; }, 3);
  auto before = sums.collect();
  EXPECT_EQ(ctx.runtime().shuffle_manager().num_shuffles(), 1u);
  sums.checkpoint(dir.string());
  EXPECT_EQ(ctx.runtime().shuffle_manager().num_shuffles(), 0u) << "the checkpointed RDD still holds its shuffle";
  EXPECT_EQ(sums.collect(), before);
  EXPECT_EQ(ctx.last_job().stages_run, 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
