// local-cluster[E,C]: real executor processes (this binary started again),
// tasks shipped as stage plans over gRPC, shuffles fetched between
// executors. Every job must give exactly the local-mode result.
#include <gtest/gtest.h>

#include <string>

#include "brasa/brasa.h"
#include "brasa/deploy/cluster_backend.h"
#include "test_util.h"

namespace {

using brasa_test::make_context;
using brasa_test::sorted;

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
