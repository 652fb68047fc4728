// Operations of the second core round that graphx and mllib build on:
// random_split, take_sample, set_name, accumulators with their own merge,
// broadcast unpersist and scoped broadcasts. Results must not depend on the
// master (the suite also runs on local-cluster).
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "brasa/brasa.h"
#include "test_util.h"

namespace {

using brasa_test::sorted;

TEST(RandomSplit, SplitsAreDisjointCoverEverythingAndFollowTheWeights) {
  auto ctx = brasa_test::make_context();
  auto data = ctx->range(0, 20000, 1, 5).cache();
  auto splits = data.random_split({0.6, 0.2, 0.2}, 7);
  ASSERT_EQ(splits.size(), 3u);
  std::vector<int64_t> all;
  std::vector<size_t> sizes;
  for (auto& s : splits) {
    auto part = s.collect();
    sizes.push_back(part.size());
    all.insert(all.end(), part.begin(), part.end());
  }
  auto expected = data.collect();
  EXPECT_EQ(sorted(all), expected) << "the splits must be disjoint and together hold every record";
  EXPECT_NEAR(double(sizes[0]) / 20000, 0.6, 0.02);
  EXPECT_NEAR(double(sizes[1]) / 20000, 0.2, 0.02);
  // The same seed gives the same split; weights are normalised.
  EXPECT_EQ(data.random_split({3, 1, 1}, 7)[1].collect(), splits[1].collect());
  EXPECT_NE(data.random_split({3, 1, 1}, 8)[1].collect(), splits[1].collect());
}

TEST(RandomSplit, SameSplitOnEveryMaster) {
  // The per-partition seeds make the split a function of the data alone.
  auto local = brasa_test::make_context("local[1]");
  auto here = brasa_test::make_context();
  auto a = local->range(0, 5000, 1, 4).random_split({0.5, 0.5}, 3)[0].collect();
  auto b = here->range(0, 5000, 1, 4).random_split({0.5, 0.5}, 3)[0].collect();
  EXPECT_EQ(a, b);
}

TEST(RandomSplit, BadWeightsAreErrors) {
  auto ctx = brasa_test::make_context();
  auto data = ctx->range(0, 10, 1, 2);
  EXPECT_THROW(data.random_split({}), std::invalid_argument);
  EXPECT_THROW(data.random_split({0, 0}), std::invalid_argument);
  EXPECT_THROW(data.random_split({0.5, -0.1}), std::invalid_argument);
  EXPECT_THROW(data.random_split({1, std::numeric_limits<double>::quiet_NaN()}), std::invalid_argument);
}

TEST(TakeSample, WithoutReplacementGivesDistinctRecords) {
  auto ctx = brasa_test::make_context();
  auto data = ctx->range(0, 10000, 1, 6);
  auto s = data.take_sample(false, 100, 11);
  ASSERT_EQ(s.size(), 100u);
  std::set<int64_t> distinct(s.begin(), s.end());
  EXPECT_EQ(distinct.size(), 100u);
  for (int64_t x : s) EXPECT_TRUE(x >= 0 && x < 10000);
  EXPECT_EQ(data.take_sample(false, 100, 11), s) << "a seed gives the same sample";
  EXPECT_NE(data.take_sample(false, 100, 12), s);
  EXPECT_FALSE(std::is_sorted(s.begin(), s.end())) << "the sample comes in random order";
}

TEST(TakeSample, MoreThanTheRDDHoldsAndWithReplacement) {
  auto ctx = brasa_test::make_context();
  auto data = ctx->range(0, 50, 1, 3);
  auto all = data.take_sample(false, 80, 1);
  EXPECT_EQ(sorted(all), data.collect()) << "asking for more than there is gives everything once";
  auto repeated = data.take_sample(true, 200, 1);
  ASSERT_EQ(repeated.size(), 200u);
  std::set<int64_t> distinct(repeated.begin(), repeated.end());
  EXPECT_LT(distinct.size(), 200u) << "with replacement, 200 draws of 50 records must repeat some";
  EXPECT_TRUE(data.take_sample(false, 0).empty());
  EXPECT_TRUE(ctx->range(0, 0, 1, 2).take_sample(false, 5).empty());
  EXPECT_THROW(data.take_sample(false, -1), std::invalid_argument);
}

TEST(SetName, NamesAppearInDebugStrings) {
  auto ctx = brasa_test::make_context();
  auto ranks = ctx->range(0, 10, 1, 2).map([](int64_t x) { return x * 2; });
  EXPECT_EQ(ranks.name(), "");
  ranks.set_name("ranks (iteration 3)");
  EXPECT_EQ(ranks.name(), "ranks (iteration 3)");
  EXPECT_NE(ranks.to_debug_string().find("ranks (iteration 3) map["), std::string::npos) << ranks.to_debug_string();
  EXPECT_EQ(ranks.count(), 10);
}

TEST(Accumulators, CustomZeroAndMerge) {
  auto ctx = brasa_test::make_context();
  auto biggest = ctx->accumulator(std::numeric_limits<int64_t>::min(),
                                  [](int64_t a, int64_t b) { return std::max(a, b); });
  auto seen = ctx->accumulator(std::vector<int64_t>{}, [](std::vector<int64_t>& a, const std::vector<int64_t>& b) {
    a.insert(a.end(), b.begin(), b.end());
  });
  auto total = ctx->accumulator<double>(0.5);
  ctx->range(0, 1000, 1, 7).foreach([biggest, seen, total](int64_t x) {
    biggest.add((x * 37) % 1001);
    if (x % 100 == 0) seen.add({x});
    total.add(1.0);
  });
  EXPECT_EQ(biggest.value(), 1000);  // 37 * 27 = 999 ... x = 460 gives 37 * 460 % 1001 = 1000
  EXPECT_EQ(sorted(seen.value()), (std::vector<int64_t>{0, 100, 200, 300, 400, 500, 600, 700, 800, 900}));
  EXPECT_EQ(total.value(), 1000.5);
  biggest.add(5000);  // on the driver
  EXPECT_EQ(biggest.value(), 5000);
}

TEST(Broadcasts, UnpersistKeepsTheValueForLaterUse) {
  auto ctx = brasa_test::make_context();
  auto b = ctx->broadcast(std::vector<int64_t>{1, 2, 3});
  auto data = ctx->range(0, 100, 1, 4);
  auto sum_with = [&] {
    return data.map([b](int64_t x) { return x * b.value()[2]; }).reduce([](int64_t x, int64_t y) { return x + y; });
  };
  EXPECT_EQ(sum_with(), 3 * 4950);
  b.unpersist();
  EXPECT_EQ(sum_with(), 3 * 4950) << "executors fetch an unpersisted broadcast again";
  b.destroy();
  EXPECT_THROW(sum_with(), std::exception);
}

TEST(Broadcasts, ScopedBroadcastIsDestroyedAtTheEndOfItsScope) {
  auto ctx = brasa_test::make_context();
  auto data = ctx->range(0, 100, 1, 4).cache();
  brasa::Broadcast<double> kept;
  for (int iteration = 1; iteration <= 3; ++iteration) {
    auto weight = ctx->scoped_broadcast(double(iteration));
    auto h = weight.handle();
    double s = data.map([h](int64_t x) { return double(x) * h.value(); }).reduce([](double a, double b) { return a + b; });
    EXPECT_EQ(s, 4950.0 * iteration);
    kept = h;
  }
  EXPECT_THROW(kept.value(), std::runtime_error) << "the last iteration's broadcast should be gone";
}

TEST(Broadcasts, TwoOfOneTypeUsedInTurnKeepTheirValues) {
  auto ctx = brasa_test::make_context();
  auto a = ctx->broadcast(std::vector<double>(1000, 1.0));
  auto b = ctx->broadcast(std::vector<double>(1000, 2.0));
  auto s = ctx->range(0, 10000, 1, 4)
               .map([a, b](int64_t i) { return (i % 2 ? a : b).value()[size_t(i % 1000)]; })
               .reduce([](double x, double y) { return x + y; });
  EXPECT_EQ(s, 5000 * 1.0 + 5000 * 2.0);
}

}  // namespace
