// Shuffles and aggregations larger than the shuffle memory spill to disk and
// give the same results as the in-memory path.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "brasa/brasa.h"
#include "test_util.h"

namespace {

using KV = std::pair<int64_t, int64_t>;

std::unique_ptr<brasa::Context> make(const char* shuffle_memory) {
  return std::make_unique<brasa::Context>(brasa_test::test_conf().set("brasa.memory.shuffle", shuffle_memory));
}

std::vector<KV> random_pairs(size_t n, int64_t keys, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<KV> out;
  for (size_t i = 0; i < n; ++i) out.emplace_back(static_cast<int64_t>(rng() % keys), static_cast<int64_t>(rng() % 1000));
  return out;
}

using brasa_test::sorted;

// Files in the context's scratch directory whose name starts with "spill-".
size_t spill_files(brasa::Context& ctx) {
  size_t n = 0;
  for (auto& e : std::filesystem::directory_iterator(ctx.runtime().local_dir()))
    n += e.path().filename().string().rfind("spill-", 0) == 0;
  return n;
}

TEST(Spill, ReduceByKeySpillsAndMatchesInMemory) {
  SKIP_ON_CLUSTER("counts spill files in the driver's directory");
  auto data = random_pairs(200000, 50000, 1);
  auto big = make("1g");
  auto expected = sorted(big->parallelize(data, 8).reduce_by_key([](int64_t a, int64_t b) { return a + b; }, 4).collect());
  auto small = make("64k");
  auto rdd = small->parallelize(data, 8).reduce_by_key([](int64_t a, int64_t b) { return a + b; }, 4);
  auto got = sorted(rdd.collect());
  EXPECT_EQ(got, expected);
  EXPECT_GT(spill_files(*small), 0u) << "the 64 KiB budget should have forced map outputs to disk";
}

TEST(Spill, GroupByKeyAndStringsSpillAndMatch) {
  auto data = random_pairs(100000, 3000, 2);
  std::vector<std::pair<std::string, int64_t>> words;
  for (auto& [k, v] : data) words.emplace_back("key-" + std::to_string(k), v);
  auto run = [&](const char* budget) {
    auto ctx = make(budget);
    auto groups = ctx->parallelize(words, 6).group_by_key(brasa::Partitioner::hash(3)).collect();
    for (auto& g : groups) std::sort(g.second.begin(), g.second.end());
    return sorted(groups);
  };
  auto expected = run("1g");
  auto got = run("32k");
  ASSERT_EQ(got.size(), 3000u);
  EXPECT_EQ(got, expected);
}

TEST(Spill, SortByKeySpillsAndStaysSorted) {
  auto data = random_pairs(150000, 1000000, 3);
  auto ctx = make("32k");
  auto out = ctx->parallelize(data, 5).sort_by_key(true, 4).collect();
  ASSERT_EQ(out.size(), data.size());
  EXPECT_TRUE(std::is_sorted(out.begin(), out.end(), [](const KV& a, const KV& b) { return a.first < b.first; }));
  EXPECT_EQ(sorted(out), sorted(data));
}

TEST(Spill, CoPartitionedAggregationSpillsThroughExternalMerge) {
  // Already partitioned: the aggregation is a narrow CombineNode whose table
  // exceeds the budget and is merged from sorted runs.
  auto data = random_pairs(120000, 60000, 4);
  auto ctx = make("16k");
  auto p = brasa::Partitioner::hash(2);
  auto laid_out = ctx->parallelize(data, 4).partition_by(p);
  auto got = sorted(laid_out.reduce_by_key([](int64_t a, int64_t b) { return a + b; }, p).collect());
  std::map<int64_t, int64_t> expected;
  for (auto& [k, v] : data) expected[k] += v;
  ASSERT_EQ(got.size(), expected.size());
  EXPECT_TRUE(std::equal(got.begin(), got.end(), expected.begin(),
                         [](const KV& a, const std::pair<const int64_t, int64_t>& b) { return a.first == b.first && a.second == b.second; }));
}

}  // namespace

namespace {

TEST(Spill, ExternalSortIsStableAndEqualsInMemorySort) {
  // Few distinct keys, so the order among equal keys shows whether the
  // merge of spilled runs keeps the in-memory stable order.
  std::vector<KV> data;
  std::mt19937_64 rng(5);
  for (int64_t i = 0; i < 120000; ++i) data.emplace_back(static_cast<int64_t>(rng() % 50), i);
  auto run = [&](const char* budget, bool ascending) {
    auto ctx = make(budget);
    return ctx->parallelize(data, 3).sort_by_key(ascending, 2).collect();
  };
  for (bool ascending : {true, false}) {
    auto expected = run("1g", ascending);
    auto got = run("16k", ascending);
    ASSERT_EQ(got.size(), data.size());
    EXPECT_EQ(got, expected) << (ascending ? "ascending" : "descending");
  }
}

}  // namespace

namespace {

TEST(Spill, JoinAndCogroupSpillAndMatchInMemory) {
  auto left = random_pairs(60000, 20000, 6);
  auto right = random_pairs(30000, 20000, 7);
  auto run = [&](const char* budget) {
    auto ctx = make(budget);
    auto a = ctx->parallelize(left, 4);
    auto b = ctx->parallelize(right, 3);
    auto joined = sorted(a.join(b, brasa::Partitioner::hash(2)).collect());
    auto outer = sorted(a.full_outer_join(b, brasa::Partitioner::hash(3)).collect());
    return std::make_pair(joined, outer);
  };
  auto expected = run("1g");
  auto got = run("16k");
  // The join's size by a direct count: sum over keys of left count * right count.
  std::map<int64_t, int64_t> lc, rc;
  for (auto& kv : left) lc[kv.first]++;
  for (auto& kv : right) rc[kv.first]++;
  size_t pairs = 0;
  for (auto& [k, n] : lc)
    if (rc.count(k)) pairs += static_cast<size_t>(n * rc[k]);
  ASSERT_EQ(got.first.size(), pairs);
  EXPECT_EQ(got.first, expected.first);
  EXPECT_EQ(got.second, expected.second);
}

}  // namespace

namespace {

TEST(Spill, GroupByKeyCountsTheValuesItCollects) {
  // Few keys with many int values: the table stays tiny while its vectors
  // grow; the aggregation must still notice and spill.
  auto data = random_pairs(200000, 8, 8);
  auto run = [&](const char* budget) {
    auto ctx = make(budget);
    auto p = brasa::Partitioner::hash(2);
    auto groups = ctx->parallelize(data, 2).partition_by(p).group_by_key(p).collect();
    for (auto& g : groups) std::sort(g.second.begin(), g.second.end());
    return sorted(groups);
  };
  auto expected = run("1g");
  auto ctx = make("64k");
  auto p = brasa::Partitioner::hash(2);
  auto grouped = ctx->parallelize(data, 2).partition_by(p).group_by_key(p);
  auto got = grouped.collect();
  for (auto& g : got) std::sort(g.second.begin(), g.second.end());
  EXPECT_EQ(sorted(got), expected);
  // A spilled aggregation emits keys in hash order; in memory, in order of first appearance.
  auto in_memory_order = make("1g")->parallelize(data, 2).partition_by(p).group_by_key(p).keys().collect();
  EXPECT_NE(grouped.keys().collect(), in_memory_order) << "expected the 64 KiB run to take the external path";
}

}  // namespace
