// local-cluster[E,C]: real executor processes (this binary started again),
// tasks shipped as stage plans over gRPC, shuffles fetched between
// executors. Every job must give exactly the local-mode result.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include "brasa/brasa.h"
#include "brasa/deploy/cluster_backend.h"
#include "brasa/scheduler/event_bus.h"
#include "brasa/scheduler/lost_local_checkpoint.h"
#include "test_util.h"

namespace {

using brasa_test::make_context;
using brasa_test::sorted;

// These tests start their own clusters; the copy of the suite that runs with
// BRASA_TEST_MASTER set would only repeat them.
#define SKIP_ON_CLUSTER_ONLY_ONCE() SKIP_ON_CLUSTER("starts its own cluster")

// Marks that an executor has already killed itself (the retry must not).
const char* kill_marker() {
  const char* driver = ::getenv("BRASA_EXECUTOR_PARENT");  // set in executors
  static const std::string path =
      "/tmp/brasa-kill-marker-" + (driver ? std::string(driver) : std::to_string(::getpid()));
  return path.c_str();
}

class LocalCluster : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = make_context("local-cluster[2,1]").release(); }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  static brasa::Context& cluster() { return *cluster_; }
  static inline brasa::Context* cluster_ = nullptr;
};

TEST_F(LocalCluster, StartsExecutorProcesses) {
  ASSERT_NE(cluster().runtime().cluster(), nullptr);
  EXPECT_EQ(cluster().runtime().cluster()->live_executors(), 2);
  EXPECT_EQ(cluster().default_parallelism(), 2);
}

TEST_F(LocalCluster, NarrowJobMatchesLocal) {
  auto local = make_context();
  auto job = [](brasa::Context& ctx) {
    return ctx.range(0, 10000, 1, 5).map([](int64_t x) { return x * 3 % 1001; }).filter([](int64_t x) { return x % 2 == 0; });
  };
  EXPECT_EQ(job(cluster()).collect(), job(*local).collect());
  EXPECT_EQ(job(cluster()).count(), job(*local).count());
  EXPECT_EQ(job(cluster()).reduce([](int64_t a, int64_t b) { return a + b; }),
            job(*local).reduce([](int64_t a, int64_t b) { return a + b; }));
}

TEST_F(LocalCluster, ShuffleJobsMatchLocal) {
  auto local = make_context();
  auto pairs = [](brasa::Context& ctx) {
    return ctx.parallelize(brasa_test::random_values<int64_t>(20000, 7, 0, 999), 6).map([](int64_t x) {
      return std::pair<int64_t, int64_t>{x % 97, x};
    });
  };
  auto sum = [](int64_t a, int64_t b) { return a + b; };
  EXPECT_EQ(pairs(cluster()).reduce_by_key(sum, 4).collect(), pairs(*local).reduce_by_key(sum, 4).collect());
  EXPECT_EQ(pairs(cluster()).group_by_key().map_values([](const std::vector<int64_t>& v) { return v.size(); }).collect(),
            pairs(*local).group_by_key().map_values([](const std::vector<int64_t>& v) { return v.size(); }).collect());
  EXPECT_EQ(pairs(cluster()).sort_by_key().collect(), pairs(*local).sort_by_key().collect());
  auto joined = [&](brasa::Context& ctx) {
    auto names = ctx.parallelize(std::vector<std::pair<int64_t, std::string>>{{1, "one"}, {2, "two"}, {50, "fifty"}}, 2);
    return pairs(ctx).join(names).collect();
  };
  EXPECT_EQ(sorted(joined(cluster())), sorted(joined(*local)));
}

// What the driver frees reaches an executor before its next task: an RDD
// unpersisted and then made a local checkpoint (whose blocks are its only
// copy) must not lose its new blocks to the late removal of its old ones,
// nor to a task on another core that carried the removal.
void unpersist_then_checkpoint(brasa::Context& ctx) {
  for (int i = 0; i < 20; ++i) {
    auto values = ctx.range(0, 1000, 1, 4).map([](int64_t x) { return x * 3; });
    values.cache();
    EXPECT_EQ(values.count(), 1000);
    values.unpersist();
    values.local_checkpoint();
    EXPECT_EQ(values.map([](int64_t x) { return x + 1; }).reduce([](int64_t a, int64_t b) { return a + b; }),
              3 * 999 * 1000 / 2 + 1000)
        << "round " << i;
  }
}

TEST_F(LocalCluster, AnUnpersistedRddCheckpointedAgainKeepsItsNewBlocks) { unpersist_then_checkpoint(cluster()); }

TEST(Removals, AnUnpersistedRddCheckpointedAgainKeepsItsNewBlocksOnEveryCore) {
  SKIP_ON_CLUSTER_ONLY_ONCE();
  unpersist_then_checkpoint(*make_context("local-cluster[1,2]"));
}

TEST_F(LocalCluster, PlansAndResultsLargerThanOneMessage) {
  // 16 MiB of driver data in the plan and 16 MiB of results: both exceed
  // gRPC's 4 MB message limit and must travel in chunks.
  std::vector<std::pair<int64_t, int64_t>> data(1 << 20);
  for (size_t i = 0; i < data.size(); ++i) data[i] = {static_cast<int64_t>(i % 1000), static_cast<int64_t>(i)};
  auto rdd = cluster().parallelize(data, 3);
  EXPECT_EQ(rdd.collect(), data);
  auto sums = rdd.reduce_by_key([](int64_t a, int64_t b) { return a + b; }).collect_as_map();
  ASSERT_EQ(sums.size(), 1000u);
  int64_t key7 = 0;
  for (auto& [k, v] : data)
    if (k == 7) key7 += v;
  EXPECT_EQ(sums.at(7), key7);
}

TEST_F(LocalCluster, BroadcastsAndAccumulatorsCrossProcesses) {
  auto table = cluster().broadcast(std::vector<std::string>{"zero", "one", "two"});
  auto seen = cluster().accumulator<int64_t>(0);
  auto words = cluster()
                   .range(0, 300, 1, 3)
                   .map([table, seen](int64_t x) {
                     seen.add(1);
                     return table.value()[static_cast<size_t>(x % 3)];
                   })
                   .collect();
  ASSERT_EQ(words.size(), 300u);
  EXPECT_EQ(words[4], "one");
  EXPECT_EQ(seen.value(), 300);
}

TEST_F(LocalCluster, TaskErrorsNameTheStageAndMessage) {
  auto rdd = cluster().range(0, 10, 1, 2).map([](int64_t x) {
    if (x == 7) throw std::runtime_error("bad record 7");
    return x;
  });
  try {
    rdd.collect();
    FAIL() << "the job should fail";
  } catch (const brasa::JobError& e) {
    EXPECT_NE(std::string(e.what()).find("bad record 7"), std::string::npos) << e.what();
  }
  EXPECT_EQ(cluster().range(0, 10, 1, 2).count(), 10) << "the cluster still works after a failed job";
}

}  // namespace

namespace {

// ---- Lost executors ------------------------------------------------------------------

// Three stages; an executor kills itself (SIGKILL) in the middle of the
// second, taking its running task and the first stage's map outputs with it.
TEST(ExecutorLoss, KilledDuringAShuffleTheJobStillGivesTheExactResult) {
  SKIP_ON_CLUSTER_ONLY_ONCE();
  auto job = [](brasa::Context& ctx, bool kill) {
    return ctx.range(0, 60000, 1, 6)
        .map([](int64_t x) { return std::pair<int64_t, int64_t>{x % 1000, x}; })
        .reduce_by_key([](int64_t a, int64_t b) { return a + b; }, 4)
        .map([kill](std::pair<int64_t, int64_t> kv) {
          auto* tc = brasa::TaskContext::current();
          if (kill && tc->partition() == 1 && ::access(kill_marker(), F_OK) != 0) {
            ::close(::open(kill_marker(), O_CREAT | O_WRONLY, 0644));
            ::raise(SIGKILL);
          }
          return std::pair<int64_t, int64_t>{kv.second % 97, kv.first};
        })
        .reduce_by_key([](int64_t a, int64_t b) { return a + b; }, 3)
        .collect();
  };
  auto local = make_context("local[2]");
  auto expected = job(*local, false);
  ::unlink(kill_marker());
  auto cluster = make_context("local-cluster[2,1]");
  auto got = job(*cluster, true);
  EXPECT_EQ(::access(kill_marker(), F_OK), 0) << "an executor should have killed itself";
  EXPECT_EQ(cluster->runtime().cluster()->live_executors(), 1);
  EXPECT_EQ(got, expected);
  ::unlink(kill_marker());
}

// An iterative job caches its input; the executor holding part of the cache
// is killed between iterations. The lost partitions are recomputed.
TEST(ExecutorLoss, KilledWhileHoldingCachedPartitions) {
  SKIP_ON_CLUSTER_ONLY_ONCE();
  auto run = [](brasa::Context& ctx, bool kill) {
    auto links = ctx.range(0, 20000, 1, 4)
                     .map([](int64_t x) { return std::pair<int64_t, int64_t>{x % 500, (x * 7) % 500}; })
                     .partition_by(brasa::Partitioner::hash(4))
                     .cache();
    auto ranks = links.map_values([](int64_t) { return 1.0; }).reduce_by_key([](double a, double) { return a; });
    std::vector<std::pair<int64_t, double>> out;
    for (int i = 0; i < 4; ++i) {
      if (kill && i == 2) ::kill(ctx.runtime().cluster()->executor_pids().at(0), SIGKILL);
      ranks = links.join(ranks)
                  .map([](std::pair<int64_t, std::pair<int64_t, double>> kv) {
                    return std::pair<int64_t, double>{kv.second.first, kv.second.second / 40.0};
                  })
                  .reduce_by_key([](double a, double b) { return a + b; }, brasa::Partitioner::hash(4))
                  .map_values([](double r) { return 0.15 + 0.85 * r; });
      out = ranks.collect();
    }
    return out;
  };
  auto local = make_context("local[2]");
  auto expected = run(*local, false);
  auto cluster = make_context("local-cluster[2,1]");
  auto got = run(*cluster, true);
  EXPECT_EQ(cluster->runtime().cluster()->live_executors(), 1);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].first, expected[i].first);
    EXPECT_DOUBLE_EQ(got[i].second, expected[i].second);
  }
}

// Backends report lost executors to the scheduler, which publishes them
// (the web UI's executors page listens) and recomputes their map outputs.
TEST(ExecutorLoss, IsPublishedAsAnEventWithTheReason) {
  SKIP_ON_CLUSTER_ONLY_ONCE();
  struct Recorder : brasa::Listener {
    std::mutex mu;
    std::vector<brasa::Event> executor_events;
    void on_event(const brasa::Event& e) override {
      // (The executors' kExecutorAdded events may still be queued when the
      // listener joins: only losses are counted.)
      if (e.type != brasa::Event::Type::kExecutorLost) return;
      std::lock_guard lock(mu);
      executor_events.push_back(e);
    }
  };
  auto ctx = make_context("local-cluster[2,1]");
  auto recorder = std::make_shared<Recorder>();
  ctx->runtime().events().add_listener(recorder);
  auto pairs = ctx->range(0, 1000, 1, 4).map([](int64_t x) { return std::pair<int64_t, int64_t>{x % 7, x}; });
  auto sums = pairs.reduce_by_key([](int64_t a, int64_t b) { return a + b; }, 2);
  EXPECT_EQ(sums.count(), 7);
  ::kill(ctx->runtime().cluster()->executor_pids().at(0), SIGKILL);
  EXPECT_EQ(sums.count(), 7) << "the map outputs of the lost executor are recomputed";
  ctx->runtime().events().flush();
  std::lock_guard lock(recorder->mu);
  ASSERT_EQ(recorder->executor_events.size(), 1u);
  EXPECT_EQ(recorder->executor_events[0].type, brasa::Event::Type::kExecutorLost);
  EXPECT_GE(recorder->executor_events[0].executor_id, 0);
  EXPECT_FALSE(recorder->executor_events[0].error.empty());
}

// A reducer reads a map output written on its own host from the file the
// executor wrote beside it (Spark's host-local shuffle read); without the
// file, or with the read turned off, it fetches the output over RPC.
TEST(HostLocalShuffle, ReducersReadTheFilesOfTheirHostAndFetchWithoutThem) {
  SKIP_ON_CLUSTER_ONLY_ONCE();
  struct BytesRead : brasa::Listener {
    std::atomic<int64_t> remote{0}, local{0};
    void on_event(const brasa::Event& e) override {
      if (e.type != brasa::Event::Type::kTaskEnd) return;
      remote += e.metrics.shuffle_remote_bytes_read;
      local += e.metrics.shuffle_local_bytes_read;
    }
  };
  auto job = [](brasa::Context& ctx) {
    return ctx.range(0, 100000, 1, 4)
        .map([](int64_t x) { return std::pair<int64_t, int64_t>{x % 1000, x}; })
        .reduce_by_key([](int64_t a, int64_t b) { return a + b; }, 4);
  };
  const auto expected = job(*make_context()).collect();
  auto shuffle_files = [](const std::filesystem::path& dir) {  // (executors may be writing and deleting)
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (it->path().filename().string().rfind("shuffle_", 0) == 0) files.push_back(it->path());
    return files;
  };
  for (bool read_host_local : {true, false}) {
    brasa_test::TempDir dir;
    auto ctx = make_context("local-cluster[2,1]", {{"brasa.local.dir", dir.path().string()},
                                                   {"brasa.shuffle.readHostLocalDisk", read_host_local ? "true" : "false"}});
    auto bytes = std::make_shared<BytesRead>();
    ctx->runtime().events().add_listener(bytes);
    {
      auto sums = job(*ctx);
      EXPECT_EQ(sums.collect(), expected);
      ctx->runtime().events().flush();
      EXPECT_GT(bytes->remote + bytes->local, 0);
      if (read_host_local) {
        EXPECT_EQ(bytes->remote, 0) << "every map output was on this host";
        // Without the files the reducers fetch the outputs.
        auto files = shuffle_files(dir.path());
        EXPECT_EQ(files.size(), 4u);
        for (const auto& f : files) std::filesystem::remove(f);
        EXPECT_EQ(sums.collect(), expected);
        ctx->runtime().events().flush();
        EXPECT_GT(bytes->remote, 0);
      } else {
        EXPECT_GT(bytes->remote, 0) << "half of the outputs are on the other executor";
        EXPECT_TRUE(shuffle_files(dir.path()).empty()) << "no reducer reads them: the executors write none";
      }
    }
    // The shuffle is gone with its RDD; the executors delete their files.
    EXPECT_EQ(ctx->range(0, 10, 1, 4).count(), 10);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!shuffle_files(dir.path()).empty() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(shuffle_files(dir.path()).empty());
  }
}

TEST(ExecutorLoss, NoExecutorLeftFailsTheJobWithoutHanging) {
  SKIP_ON_CLUSTER_ONLY_ONCE();
  auto cluster = make_context("local-cluster[1,1]");
  ::kill(cluster->runtime().cluster()->executor_pids().at(0), SIGKILL);
  try {
    cluster->range(0, 100, 1, 2).count();
    FAIL() << "the job should fail";
  } catch (const brasa::JobError& e) {
    EXPECT_NE(std::string(e.what()).find("no executors left"), std::string::npos) << e.what();
  }
}

}  // namespace

namespace {

// Spills happen per task at the same size whatever the thread or executor
// count, so even the order of a spilled aggregation's output is the same.
TEST(Determinism, SpillingAggregationIsIdenticalOnEveryMaster) {
  SKIP_ON_CLUSTER_ONLY_ONCE();
  auto run = [](const std::string& master) {
    auto ctx = make_context(master, {{"brasa.memory.shuffle", "64k"}});
    return ctx->parallelize(brasa_test::random_values<int64_t>(200000, 9, 0, 1 << 20), 6)
        .map([](int64_t x) { return std::pair<int64_t, double>{x % 5003, static_cast<double>(x) * 0.1}; })
        .reduce_by_key([](double a, double b) { return a + b; }, 4)
        .collect();
  };
  auto one = run("local[1]");
  EXPECT_EQ(run("local[3]"), one);
  EXPECT_EQ(run("local-cluster[2,1]"), one);
}

TEST(ExecutorLoss, LocalCheckpointOnALostExecutorFailsTheJobClearly) {
  SKIP_ON_CLUSTER_ONLY_ONCE();
  auto ctx = make_context("local-cluster[2,1]");
  auto values = ctx->range(0, 1000, 1, 4).map([](int64_t x) { return x * 3; });
  values.local_checkpoint();
  // Tasks run where the blocks are, however busy that executor is.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(values.count(), 1000);
  ::kill(ctx->runtime().cluster()->executor_pids().at(0), SIGKILL);
  try {
    for (int i = 0; i < 3; ++i) values.count();
    FAIL() << "expected the job to fail: half the local checkpoint died with its executor";
  } catch (const brasa::LostLocalCheckpoint& e) {
    EXPECT_NE(std::string(e.what()).find("local checkpoint"), std::string::npos) << e.what();
  }
}

// An algorithm that lost a local checkpoint runs again from its input.
TEST(ExecutorLoss, ALostLocalCheckpointRestartsTheAlgorithmFromItsInput) {
  SKIP_ON_CLUSTER_ONLY_ONCE();
  auto ctx = make_context("local-cluster[2,1]");
  auto input = ctx->range(0, 1000, 1, 4);
  int attempts = 0;
  const int64_t sum = brasa::restart_on_lost_local_checkpoint("sum of triples", [&] {
    ++attempts;
    auto triples = input.map([](int64_t x) { return x * 3; });
    triples.local_checkpoint();
    if (attempts == 1) {
      ::kill(ctx->runtime().cluster()->executor_pids().at(0), SIGKILL);
      for (int i = 0; i < 1000 && ctx->runtime().cluster()->live_executors() > 1; ++i) ::usleep(10000);
    }
    return triples.reduce([](int64_t a, int64_t b) { return a + b; });
  });
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(sum, 3 * 999 * 1000 / 2);
}

}  // namespace
