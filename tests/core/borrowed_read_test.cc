// Cached partitions are read in place: operators whose functions take
// records (or whole partitions) by const reference copy nothing, and
// zip_partitions hands each cached partition over as it is.
#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "brasa/brasa.h"
#include "test_util.h"

namespace {

std::atomic<int64_t> copies{0};

// A record that counts its copies (moves are free).
struct Counted {
  int64_t v = 0;
  Counted() = default;
  explicit Counted(int64_t x) : v(x) {}
  Counted(const Counted& o) : v(o.v) { copies.fetch_add(1, std::memory_order_relaxed); }
  Counted(Counted&&) noexcept = default;
  Counted& operator=(const Counted& o) {
    v = o.v;
    copies.fetch_add(1, std::memory_order_relaxed);
    return *this;
  }
  Counted& operator=(Counted&&) noexcept = default;
  template <class Ar> void serialize(Ar& ar) { ar(v); }
};

brasa::RDD<Counted> cached_counted(brasa::Context& ctx, int64_t n, int parts) {
  auto rdd = ctx.range(0, n, 1, parts).map([](int64_t x) { return Counted(x); });
  rdd.cache();
  EXPECT_EQ(rdd.count(), n);
  return rdd;
}

TEST(BorrowedRead, ConstReferenceFunctionsCopyNoCachedRecord) {
  SKIP_ON_CLUSTER("counts copies in the driver process");
  auto ctx = brasa_test::make_context();
  auto rdd = cached_counted(*ctx, 20000, 4);
  copies = 0;
  auto sum = rdd.map([](const Counted& c) { return c.v; }).reduce([](int64_t a, int64_t b) { return a + b; });
  EXPECT_EQ(sum, 20000 * 19999 / 2);
  EXPECT_EQ(rdd.filter([](const Counted& c) { return c.v % 1000 == 0; }).count(), 20);
  EXPECT_EQ(rdd.count(), 20000);
  auto folded = rdd.aggregate(int64_t{0}, [](int64_t acc, const Counted& c) { return acc + c.v; },
                              [](int64_t a, int64_t b) { return a + b; });
  EXPECT_EQ(folded, sum);
  EXPECT_EQ(copies.load(), 20) << "only the 20 records the filter kept should have been copied";
}

TEST(BorrowedRead, FunctionsTakingRecordsByRvalueGetCopies) {
  SKIP_ON_CLUSTER("counts copies in the driver process");
  auto ctx = brasa_test::make_context();
  auto rdd = cached_counted(*ctx, 1000, 2);
  copies = 0;
  auto moved = rdd.map([](Counted&& c) { return Counted(std::move(c)); }).collect();
  ASSERT_EQ(moved.size(), 1000u);
  EXPECT_EQ(moved[999].v, 999);
  EXPECT_EQ(copies.load(), 1000) << "a function that consumes its record gets one copy of each";
  // The cache itself is intact.
  EXPECT_EQ(rdd.map([](const Counted& c) { return c.v; }).reduce([](int64_t a, int64_t b) { return a + b; }),
            999 * 1000 / 2);
}

TEST(BorrowedRead, MapPartitionsAndForeachPartitionReadTheBlockItself) {
  SKIP_ON_CLUSTER("compares addresses and counts copies in the driver process");
  auto ctx = brasa_test::make_context();
  auto rdd = cached_counted(*ctx, 8000, 4);
  copies = 0;
  auto where = [](const std::vector<Counted>& part) {
    return std::vector<uintptr_t>{reinterpret_cast<uintptr_t>(part.data())};
  };
  auto first = rdd.map_partitions(where).collect();
  auto second = rdd.map_partitions(where).collect();
  EXPECT_EQ(first, second) << "both jobs should see the cached blocks themselves";
  auto sums = rdd.map_partitions([](std::span<const Counted> part) {
                   int64_t s = 0;
                   for (const auto& c : part) s += c.v;
                   return std::vector<int64_t>{s};
                 }).collect();
  EXPECT_EQ(std::accumulate(sums.begin(), sums.end(), int64_t{0}), 8000 * 7999 / 2);
  rdd.foreach_partition([](const std::vector<Counted>& part) {
    if (part.size() != 2000) throw std::runtime_error("wrong partition size");
  });
  EXPECT_EQ(copies.load(), 0);
  // A function that takes the partition by value gets its own copy to change.
  auto changed = rdd.map_partitions([](std::vector<Counted> part) {
                      for (auto& c : part) c.v = -1;
                      return part;
                    }).count();
  EXPECT_EQ(changed, 8000);
  EXPECT_EQ(copies.load(), 8000);
  EXPECT_EQ(rdd.map([](const Counted& c) { return c.v; }).reduce([](int64_t a, int64_t b) { return std::min(a, b); }),
            0)
      << "the cached block must not have been changed";
}

TEST(BorrowedRead, CoPartitionedJoinCopiesOnlyTheCachedRecordsThatMatch) {
  SKIP_ON_CLUSTER("counts copies in the driver process");
  auto ctx = brasa_test::make_context();
  auto by_key = brasa::Partitioner::hash(4);
  // Left: keys 0..3999, of which only the even ones are on the right.
  auto left = ctx->range(0, 4000, 1, 4)
                  .map([](int64_t k) { return std::pair{k, Counted(k)}; })
                  .partition_by(by_key)
                  .cache();
  auto right = ctx->range(0, 2000, 1, 4)
                   .map([](int64_t i) { return std::pair{2 * i, Counted(-i)}; })
                   .partition_by(by_key)
                   .cache();
  ASSERT_EQ(left.count(), 4000);
  ASSERT_EQ(right.count(), 2000);
  copies = 0;
  auto sums = left.join(right)
                  .map([](const std::pair<int64_t, std::pair<Counted, Counted>>& r) {
                    return r.second.first.v + r.second.second.v;  // k - k / 2
                  })
                  .reduce([](int64_t a, int64_t b) { return a + b; });
  EXPECT_EQ(sums, 1999 * 2000 / 2);  // the sum of i over the 2000 matches
  EXPECT_EQ(ctx->last_job().stages_run, 1);
  EXPECT_EQ(copies.load(), 2000 + 2 * 2000)
      << "each right row once into the table, and each match its left record and right value into its output; "
         "the 2000 left records without a match are not copied";
}

TEST(ZipPartitions, TwoThreeAndFourRDDs) {
  auto ctx = brasa_test::make_context();
  auto a = ctx->range(0, 100, 1, 4);
  auto b = a.map([](int64_t x) { return 2 * x; }).cache();
  auto c = a.map([](int64_t x) { return std::to_string(x); });
  auto d = a.map([](int64_t x) { return double(x) / 2; });
  auto two = a.zip_partitions(b, [](std::vector<int64_t> xs, const std::vector<int64_t>& ys) {
    std::vector<int64_t> out;
    for (size_t i = 0; i < xs.size(); ++i) out.push_back(xs[i] + ys[i]);
    return out;
  });
  auto got2 = two.collect();
  ASSERT_EQ(got2.size(), 100u);
  for (int64_t i = 0; i < 100; ++i) EXPECT_EQ(got2[static_cast<size_t>(i)], 3 * i);
  auto three = a.zip_partitions(b, c, [](std::span<const int64_t> xs, std::span<const int64_t> ys,
                                         const std::vector<std::string>& zs) {
    return std::vector<std::string>{std::to_string(xs.size() + ys.size()) + ":" + (zs.empty() ? "" : zs.front())};
  });
  EXPECT_EQ(three.collect(), (std::vector<std::string>{"50:0", "50:25", "50:50", "50:75"}));
  auto four = a.zip_partitions(b, c, d,
                               [](const std::vector<int64_t>& xs, const std::vector<int64_t>&,
                                  const std::vector<std::string>&, const std::vector<double>& ws) {
                                 double s = 0;
                                 for (size_t i = 0; i < xs.size(); ++i) s += double(xs[i]) - ws[i];
                                 return std::vector<double>{s};
                               });
  auto got4 = four.collect();
  ASSERT_EQ(got4.size(), 4u);
  double total = 0;
  for (double x : got4) total += x;
  EXPECT_DOUBLE_EQ(total, 4950.0 / 2);
}

// GraphX's pattern: cached edges zipped each iteration with freshly shuffled
// vertex data. The cached side is read in place although the other is not
// cached.
TEST(ZipPartitions, CachedSideIsReadInPlaceBesideAComputedOne) {
  SKIP_ON_CLUSTER("counts copies in the driver process");
  auto ctx = brasa_test::make_context();
  auto cached = cached_counted(*ctx, 4000, 4);
  auto computed = ctx->range(0, 4000, 1, 4);
  copies = 0;
  auto sums = cached.zip_partitions(computed, [](const std::vector<Counted>& xs, const std::vector<int64_t>& ys) {
    int64_t s = 0;
    for (size_t i = 0; i < xs.size(); ++i) s += xs[i].v + ys[i];
    return std::vector<int64_t>{s};
  });
  EXPECT_EQ(sums.reduce([](int64_t a, int64_t b) { return a + b; }), 2 * (4000 * 3999 / 2));
  EXPECT_EQ(copies.load(), 0);
}

TEST(ZipPartitions, PreservesPartitioningOnlyWhenAsked) {
  auto ctx = brasa_test::make_context();
  auto kv = ctx->range(0, 60, 1, 3)
                .map([](int64_t x) { return std::pair<int64_t, int64_t>(x % 7, x); })
                .partition_by(brasa::Partitioner::hash(3))
                .cache();
  auto counts = kv.map_values([](int64_t) { return int64_t{1}; });
  auto zipped = kv.zip_partitions(counts, [](const std::vector<std::pair<int64_t, int64_t>>& xs,
                                             const std::vector<std::pair<int64_t, int64_t>>& ys) {
    std::vector<std::pair<int64_t, int64_t>> out;
    for (size_t i = 0; i < xs.size(); ++i) out.emplace_back(xs[i].first, xs[i].second + ys[i].second);
    return out;
  }, true);
  ASSERT_TRUE(zipped.partitioner().has_value());
  EXPECT_EQ(*zipped.partitioner(), brasa::Partitioner::hash(3));
  auto plain = kv.zip_partitions(counts, [](const std::vector<std::pair<int64_t, int64_t>>& xs,
                                            const std::vector<std::pair<int64_t, int64_t>>&) { return xs; });
  EXPECT_FALSE(plain.partitioner().has_value());
  // A join with a co-partitioned RDD needs no shuffle of the zipped side.
  auto joined = zipped.join(kv).count();
  EXPECT_GT(joined, 60);
}

TEST(ZipPartitions, DifferentPartitionCountsAreAnError) {
  auto ctx = brasa_test::make_context();
  auto a = ctx->range(0, 10, 1, 2);
  auto b = ctx->range(0, 10, 1, 3);
  try {
    a.zip_partitions(b, [](const std::vector<int64_t>& x, const std::vector<int64_t>&) { return x; });
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("same number of partitions"), std::string::npos) << e.what();
  }
}

}  // namespace
