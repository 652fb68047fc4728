// Stage plans: a node chain written on the driver and rebuilt in another
// runtime (as an executor would) computes the same partitions; corrupt
// plans are rejected with an error, not a crash.
#include <gtest/gtest.h>

#include <climits>
#include <cstring>
#include <random>
#include <string>

#include "brasa/brasa.h"
#include "test_util.h"

namespace {

using brasa_test::make_context;

// Writes the plan of "collect partition p of rdd", rebuilds it in a fresh
// runtime, runs it there and decodes the result.
template <class T> std::vector<T> run_rebuilt(const brasa::RDD<T>& rdd, int p) {
  brasa::ResultTask<T, brasa::act::Collect> task(rdd.node(), brasa::act::Collect{});
  brasa::PlanWriter w;
  task.write_plan(w);
  auto executor = std::make_shared<brasa::Runtime>(brasa_test::test_conf());
  brasa::PlanReader r(executor, w.bytes());
  auto body = r.task();
  brasa::TaskContext tc(*executor, 0, p, 0);
  brasa::TaskContext::Scope scope(&tc);
  brasa::ByteWriter out;
  body->run(p, out);
  brasa::ByteReader in(out.bytes());
  return in.read<std::vector<T>>();
}

TEST(StagePlan, NarrowChainRebuildsToTheSamePartitions) {
  auto ctx = make_context();
  int offset = 7;
  auto rdd = ctx->parallelize(brasa_test::random_values<int64_t>(1000, 3, 0, 1000), 4)
                 .map([offset](int64_t x) { return x % 100 + offset; })
                 .filter([](int64_t x) { return x % 3 != 0; })
                 .flat_map([](int64_t x) { return std::vector<int64_t>{x, -x}; });
  auto expected = rdd.glom().collect();
  for (int p = 0; p < rdd.num_partitions(); ++p) EXPECT_EQ(run_rebuilt(rdd, p), expected[static_cast<size_t>(p)]);
}

TEST(StagePlan, SharedParentIsWrittenOnceAndSourcesTravel) {
  auto ctx = make_context();
  auto words = ctx->parallelize(std::vector<std::string>{"a", "bb", "ccc", "dddd", "ee"}, 2);
  auto both = words.union_with(words).zip(ctx->range(0, 10, 1, 4));
  auto expected = both.glom().collect();
  for (int p = 0; p < both.num_partitions(); ++p) EXPECT_EQ(run_rebuilt(both, p), expected[static_cast<size_t>(p)]);
}

TEST(StagePlan, GarbageIsAnErrorNotACrash) {
  auto executor = std::make_shared<brasa::Runtime>(brasa_test::test_conf());
  std::mt19937_64 rng(5);
  int rejected = 0;
  for (int i = 0; i < 200; ++i) {
    std::string bytes(static_cast<size_t>(rng() % 64), '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    try {
      brasa::PlanReader r(executor, bytes);
      r.task();
    } catch (const std::runtime_error&) {
      ++rejected;
    }
  }
  EXPECT_EQ(rejected, 200);
}

// A few bytes that claim 2^31 - 1 slices of a parallelize must end in an
// error at once (the fuzzer's find: the rebuilt node sliced an empty
// collection that many times first).
TEST(StagePlan, AShortPlanClaimingManySlicesIsRefusedAtOnce) {
  auto ctx = make_context();
  auto numbers = ctx->parallelize(std::vector<int64_t>{1, 2, 3}, 3);
  brasa::PlanWriter w;
  numbers.node()->write_plan(w);
  std::string fields = w.bytes().substr(sizeof(uint64_t));  // after the type key: slices, inline, the slices
  const int claimed = INT32_MAX;
  std::memcpy(fields.data(), &claimed, sizeof claimed);
  auto executor = std::make_shared<brasa::Runtime>(brasa_test::test_conf());
  brasa::PlanReader r(executor, fields);
  EXPECT_THROW(brasa::ParallelCollectionNode<int64_t>::rebuild(r), std::runtime_error);

  const int none = 0;
  std::memcpy(fields.data(), &none, sizeof none);
  brasa::PlanReader zero(executor, fields);
  EXPECT_THROW(brasa::ParallelCollectionNode<int64_t>::rebuild(zero), std::runtime_error);
}

}  // namespace

namespace {

TEST(StagePlan, LargeCollectionsTravelOutsideThePlan) {
  auto ctx = make_context();
  auto small = ctx->parallelize(brasa_test::iota_vec(100), 4);
  auto big = ctx->parallelize(brasa_test::iota_vec(1000000), 8);
  brasa::PlanWriter ws, wb;
  ws.node(*small.node());
  wb.node(*big.node());
  EXPECT_GT(ws.bytes().size(), 400u) << "a small collection goes inside the plan";
  EXPECT_LT(wb.bytes().size(), 200u) << "4 MB of records must not go into every stage plan";
  // A rebuilt executor-side node fetches its slice as a broadcast.
  auto executor = std::make_shared<brasa::Runtime>(brasa_test::test_conf());
  executor->broadcasts().set_fetcher([&](uint64_t id) { return ctx->runtime().broadcasts().encoded(id); });
  {
    brasa::PlanReader r(executor, wb.bytes());
    auto node = r.node<int>();
    brasa::TaskContext tc(*executor, 0, 3, 0);
    brasa::TaskContext::Scope scope(&tc);
    auto slice = node->materialize(3);
    ASSERT_EQ(slice.size(), 125000u);
    EXPECT_EQ(slice.front(), 375000);
  }
  EXPECT_EQ(big.map([](int x) { return int64_t{x}; }).reduce([](int64_t a, int64_t b) { return a + b; }),
            int64_t{999999} * 1000000 / 2);
}

}  // namespace

namespace {
std::shared_ptr<brasa::RDDBase> rebuild_one(brasa::PlanReader&) { return nullptr; }
std::shared_ptr<brasa::RDDBase> rebuild_other(brasa::PlanReader&) { return nullptr; }
}  // namespace

// Two types that share a name (functors in anonymous namespaces of two
// files) would be confused by executors: registering the second one fails.
TEST(StagePlan, TwoTypesWithOneNameAreRefused) {
  const char* name = "brasa_test::TwoTypesWithOneName";
  const uint64_t key = brasa::register_plan_type(name, &rebuild_one);
  EXPECT_EQ(brasa::register_plan_type(name, &rebuild_one), key) << "the same type registers twice harmlessly";
  try {
    brasa::register_plan_type(name, &rebuild_other);
    ADD_FAILURE() << "a second type with the same name was accepted";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("two different types are named brasa_test::TwoTypesWithOneName"),
              std::string::npos)
        << e.what();
  }
}
