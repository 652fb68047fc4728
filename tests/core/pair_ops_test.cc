// Operations by key and other wide transformations, checked against plain
// sequential computations on std::map, on random inputs with skewed keys.
#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "test_util.h"

using brasa_test::make_context;
using brasa_test::sorted;

namespace {

using KV = std::pair<int, int64_t>;

// Functions go to RDD operations as lambdas (a function pointer does not ship).
constexpr auto add = [](int64_t a, int64_t b) { return a + b; };

template <class K, class V> std::vector<std::pair<K, V>> as_vector(const std::map<K, V>& m) {
  return std::vector<std::pair<K, V>>(m.begin(), m.end());
}

std::map<int, std::vector<int64_t>> groups_of(const std::vector<KV>& data) {
  std::map<int, std::vector<int64_t>> g;
  for (auto& [k, v] : data) g[k].push_back(v);
  for (auto& [k, vs] : g) std::sort(vs.begin(), vs.end());
  return g;
}

// ---- Property tests over seeds and partition counts ---------------------------------

class PairProperty : public ::testing::TestWithParam<std::tuple<uint64_t, int>> {
 protected:
  void SetUp() override {
    seed_ = std::get<0>(GetParam());
    parts_ = std::get<1>(GetParam());
    data_ = brasa_test::skewed_pairs(6000, seed_, 50);
    other_ = brasa_test::skewed_pairs(3000, seed_ + 1000, 80);
    // Keys 0..79 on the right, 0..49 on the left: some keys only on one
    // side. The right side's hot key moves to 1 (a cold key on the left), so
    // that the joins stay small.
    for (auto& kv : other_) kv.first = (kv.first * 7 + 1) % 80;
  }
  uint64_t seed_ = 0;
  int parts_ = 1;
  std::vector<KV> data_, other_;
};

TEST_P(PairProperty, ReduceByKeyMatchesSequentialSum) {
  auto ctx = make_context();
  std::map<int, int64_t> expected;
  for (auto& [k, v] : data_) expected[k] += v;
  auto rdd = ctx->parallelize(data_, parts_);
  auto out = rdd.reduce_by_key([](int64_t a, int64_t b) { return a + b; }).collect();
  EXPECT_EQ(sorted(out), as_vector(expected));
  auto out7 = rdd.reduce_by_key(add, 7);
  EXPECT_EQ(out7.num_partitions(), 7);
  EXPECT_EQ(sorted(out7.collect()), as_vector(expected));
  // A non-commutative-looking but associative and commutative op: max.
  std::map<int, int64_t> mx;
  for (auto& [k, v] : data_) mx[k] = mx.count(k) ? std::max(mx[k], v) : v;
  EXPECT_EQ(sorted(rdd.reduce_by_key([](int64_t a, int64_t b) { return std::max(a, b); }).collect()), as_vector(mx));
}

// A trivially copyable combiner for aggregate_by_key (see
// AggregateByKey.PairZeroValueIsAccepted for std::pair).
struct SumCount {
  int64_t sum = 0;
  int64_t count = 0;
  auto operator<=>(const SumCount&) const = default;
};

TEST_P(PairProperty, FoldByKeyAndAggregateByKey) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(data_, parts_);
  std::map<int, int64_t> sum;
  std::map<int, SumCount> sum_count;
  for (auto& [k, v] : data_) {
    sum[k] += v;
    sum_count[k].sum += v;
    sum_count[k].count += 1;
  }
  EXPECT_EQ(sorted(rdd.fold_by_key(0, [](int64_t a, int64_t b) { return a + b; }).collect()), as_vector(sum));
  auto agg = rdd.aggregate_by_key(
                    SumCount{}, [](SumCount acc, int64_t v) { return SumCount{acc.sum + v, acc.count + 1}; },
                    [](SumCount a, SumCount b) { return SumCount{a.sum + b.sum, a.count + b.count}; })
                 .collect();
  EXPECT_EQ(sorted(agg), as_vector(sum_count));
}

TEST_P(PairProperty, CombineByKeyCollectsAllValues) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(data_, parts_);
  using Vec = std::vector<int64_t>;
  auto out = rdd.combine_by_key([](int64_t v) { return Vec{v}; }, [](Vec& c, int64_t v) { c.push_back(v); },
                                [](Vec& c, Vec&& more) { c.insert(c.end(), more.begin(), more.end()); })
                 .collect();
  for (auto& kv : out) std::sort(kv.second.begin(), kv.second.end());
  EXPECT_EQ(sorted(out), as_vector(groups_of(data_)));
}

TEST_P(PairProperty, GroupByKeyAndCountByKey) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(data_, parts_);
  auto grouped = rdd.group_by_key().collect();
  for (auto& kv : grouped) std::sort(kv.second.begin(), kv.second.end());
  auto expected = groups_of(data_);
  EXPECT_EQ(sorted(grouped), as_vector(expected));
  std::map<int, int64_t> counts;
  for (auto& [k, vs] : expected) counts[k] = static_cast<int64_t>(vs.size());
  EXPECT_EQ(rdd.count_by_key(), counts);
}

TEST_P(PairProperty, Joins) {
  auto ctx = make_context();
  auto left = ctx->parallelize(data_, parts_);
  auto right = ctx->parallelize(other_, std::max(1, parts_ / 2 + 1));
  auto lg = groups_of(data_);
  auto rg = groups_of(other_);
  using Opt = std::optional<int64_t>;
  std::vector<std::pair<int, std::pair<int64_t, int64_t>>> inner;
  std::vector<std::pair<int, std::pair<int64_t, Opt>>> left_outer;
  std::vector<std::pair<int, std::pair<Opt, int64_t>>> right_outer;
  std::vector<std::pair<int, std::pair<Opt, Opt>>> full_outer;
  std::set<int> keys;
  for (auto& [k, _] : lg) keys.insert(k);
  for (auto& [k, _] : rg) keys.insert(k);
  for (int k : keys) {
    auto l = lg.count(k) ? lg[k] : std::vector<int64_t>{};
    auto r = rg.count(k) ? rg[k] : std::vector<int64_t>{};
    for (auto v : l)
      for (auto w : r) inner.push_back({k, {v, w}});
    for (auto v : l) {
      if (r.empty()) left_outer.push_back({k, {v, std::nullopt}});
      for (auto w : r) left_outer.push_back({k, {v, w}});
    }
    for (auto w : r) {
      if (l.empty()) right_outer.push_back({k, {std::nullopt, w}});
      for (auto v : l) right_outer.push_back({k, {v, w}});
    }
    if (l.empty())
      for (auto w : r) full_outer.push_back({k, {std::nullopt, w}});
    else if (r.empty())
      for (auto v : l) full_outer.push_back({k, {v, std::nullopt}});
    else
      for (auto v : l)
        for (auto w : r) full_outer.push_back({k, {v, w}});
  }
  EXPECT_EQ(sorted(left.join(right).collect()), sorted(inner));
  EXPECT_EQ(sorted(left.left_outer_join(right).collect()), sorted(left_outer));
  EXPECT_EQ(sorted(left.right_outer_join(right).collect()), sorted(right_outer));
  EXPECT_EQ(sorted(left.full_outer_join(right).collect()), sorted(full_outer));
  EXPECT_EQ(left.join(right, brasa::Partitioner::hash(5)).num_partitions(), 5);
}

TEST_P(PairProperty, CogroupAndSubtractByKey) {
  auto ctx = make_context();
  auto left = ctx->parallelize(data_, parts_);
  auto right = ctx->parallelize(other_, 3);
  auto lg = groups_of(data_);
  auto rg = groups_of(other_);
  std::map<int, std::pair<std::vector<int64_t>, std::vector<int64_t>>> expected;
  for (auto& [k, vs] : lg) expected[k].first = vs;
  for (auto& [k, ws] : rg) expected[k].second = ws;
  auto out = left.cogroup(right).collect();
  for (auto& g : out) {
    std::sort(g.second.first.begin(), g.second.first.end());
    std::sort(g.second.second.begin(), g.second.second.end());
  }
  EXPECT_EQ(sorted(out), as_vector(expected));

  std::vector<KV> subtracted;
  for (auto& kv : data_)
    if (!rg.count(kv.first)) subtracted.push_back(kv);
  EXPECT_EQ(sorted(left.subtract_by_key(right).collect()), sorted(subtracted));
}

TEST_P(PairProperty, DistinctAndIntersection) {
  auto ctx = make_context();
  auto a = ctx->parallelize(data_, parts_);
  std::set<KV> da(data_.begin(), data_.end());
  auto d = a.distinct().collect();
  EXPECT_EQ(sorted(d), std::vector<KV>(da.begin(), da.end()));
  EXPECT_EQ(a.keys().distinct(3).num_partitions(), 3);
  auto ka = a.keys();
  auto kb = ctx->parallelize(other_, 4).keys();
  auto ka_all = ka.collect();
  std::set<int> sa(ka_all.begin(), ka_all.end());
  std::set<int> both;
  for (auto& kv : other_)
    if (sa.count(kv.first)) both.insert(kv.first);
  EXPECT_EQ(sorted(ka.intersection(kb).collect()), std::vector<int>(both.begin(), both.end()));
}

TEST_P(PairProperty, SortByKeyIsGloballySorted) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(data_, parts_);
  for (bool ascending : {true, false}) {
    for (int n : {1, 4, 13}) {
      auto s = rdd.sort_by_key(ascending, n);
      EXPECT_LE(s.num_partitions(), n);
      EXPECT_GE(s.num_partitions(), 1);
      auto out = s.collect();
      ASSERT_EQ(out.size(), data_.size());
      for (size_t i = 1; i < out.size(); ++i) {
        if (ascending)
          ASSERT_LE(out[i - 1].first, out[i].first) << "at " << i << ", n=" << n;
        else
          ASSERT_GE(out[i - 1].first, out[i].first) << "at " << i << ", n=" << n;
      }
      EXPECT_EQ(sorted(out), sorted(data_));
    }
  }
}

TEST_P(PairProperty, PartitionByPlacesEveryKeyInItsPartition) {
  auto ctx = make_context();
  auto p = brasa::Partitioner::hash(7);
  auto parted = ctx->parallelize(data_, parts_).partition_by(p);
  EXPECT_EQ(parted.num_partitions(), 7);
  ASSERT_TRUE(parted.partitioner().has_value());
  auto parts = parted.glom().collect();
  ASSERT_EQ(parts.size(), 7u);
  std::vector<KV> all;
  for (int i = 0; i < 7; ++i)
    for (auto& kv : parts[static_cast<size_t>(i)]) {
      EXPECT_EQ(p.partition_of(kv.first), i) << "key " << kv.first;
      all.push_back(kv);
    }
  EXPECT_EQ(sorted(all), sorted(data_));
}

TEST_P(PairProperty, LookupAndCollectAsMap) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(data_, parts_);
  auto g = groups_of(data_);
  for (int k : {0, 1, 17, 49, 1000}) {
    auto expected = g.count(k) ? g[k] : std::vector<int64_t>{};
    EXPECT_EQ(sorted(rdd.lookup(k)), expected) << "key " << k;
    auto parted = rdd.partition_by(brasa::Partitioner::hash(5));
    EXPECT_EQ(sorted(parted.lookup(k)), expected) << "key " << k << " (partitioned)";
  }
  auto sums = rdd.reduce_by_key(add).collect_as_map();
  std::map<int, int64_t> expected;
  for (auto& [k, v] : data_) expected[k] += v;
  EXPECT_EQ(sums, expected);
}

INSTANTIATE_TEST_SUITE_P(Seeds, PairProperty,
                         ::testing::Combine(::testing::Values<uint64_t>(1, 7, 42, 2024),
                                            ::testing::Values(1, 3, 37)));

// ---- Focused cases ---------------------------------------------------------------------

TEST(ReduceByKey, StringKeysAndEmptyInput) {
  auto ctx = make_context();
  std::vector<std::pair<std::string, int64_t>> words;
  for (const char* w : {"a", "b", "a", "c", "a", "b"}) words.emplace_back(w, 1);
  auto out = sorted(ctx->parallelize(words, 4).reduce_by_key(add).collect());
  std::vector<std::pair<std::string, int64_t>> expected{{"a", 3}, {"b", 2}, {"c", 1}};
  EXPECT_EQ(out, expected);
  auto empty = ctx->parallelize(std::vector<KV>{}, 3).reduce_by_key(add);
  EXPECT_TRUE(empty.collect().empty());
  EXPECT_TRUE(ctx->parallelize(std::vector<KV>{}, 3).group_by_key().collect().empty());
  EXPECT_TRUE(ctx->parallelize(std::vector<KV>{}, 3).join(ctx->parallelize(std::vector<KV>{}, 2)).collect().empty());
}

TEST(ReduceByKey, OnePartitionHoldsAHotKey) {
  auto ctx = make_context();
  std::vector<KV> data;
  for (int i = 0; i < 100000; ++i) data.emplace_back(i % 100 == 0 ? i : 0, 1);
  auto out = ctx->parallelize(data, 8).reduce_by_key(add, 3).collect_as_map();
  EXPECT_EQ(out[0], 99001);       // 99000 records of key 0 plus the record i = 0
  EXPECT_EQ(out[100], 1);
  EXPECT_EQ(out.size(), 1000u);  // key 0 plus 999 keys 100, 200, ...
}

TEST(ReduceByKey, ResultHasNoDuplicateKeys) {
  auto ctx = make_context();
  auto data = brasa_test::skewed_pairs(20000, 5, 1000);
  auto out = ctx->parallelize(data, 37).reduce_by_key(add, 5).keys().collect();
  std::set<int> distinct(out.begin(), out.end());
  EXPECT_EQ(distinct.size(), out.size());
}

TEST(CombineByKey, SparkStyleFunctionsReturningTheCombiner) {
  // Spark's combineByKey takes mergeValue: (C, V) => C and
  // mergeCombiners: (C, C) => C. Functions of that shape must not lose values.
  auto ctx = make_context();
  auto data = brasa_test::skewed_pairs(3000, 11, 20);
  using SC = std::pair<int64_t, int64_t>;
  auto out = ctx->parallelize(data, 4)
                 .combine_by_key([](int64_t v) { return SC{v, 1}; },
                                 [](SC c, int64_t v) { return SC{c.first + v, c.second + 1}; },
                                 [](SC a, SC b) { return SC{a.first + b.first, a.second + b.second}; })
                 .collect();
  std::map<int, SC> expected;
  for (auto& [k, v] : data) {
    expected[k].first += v;
    expected[k].second += 1;
  }
  EXPECT_EQ(sorted(out), as_vector(expected));
}

// Runs aggregate_by_key with a std::pair zero value when the engine accepts
// one (the condition is dependent, so the call is only compiled then).
template <class SC, class Seq, class Comb>
bool aggregate_with_pair_zero(const brasa::RDD<KV>& rdd, Seq seq, Comb comb, std::vector<std::pair<int, SC>>& out) {
  if constexpr (brasa::ShippableClosure<brasa::fn::SeqFromZero<SC, Seq>>) {
    out = rdd.aggregate_by_key(SC{0, 0}, seq, comb).collect();
    return true;
  } else {
    return false;
  }
}

TEST(AggregateByKey, PairZeroValueIsAccepted) {
  // Spark's canonical aggregateByKey((0, 0))(...) uses a tuple zero value.
  // aggregate_by_key wraps the zero value into its create function, which
  // must pass the closure check (trivially copyable or serializable);
  // std::pair is not trivially copyable.
  using SC = std::pair<int64_t, int64_t>;
  auto seq = [](SC acc, int64_t v) { return SC{acc.first + v, acc.second + 1}; };
  auto comb = [](SC a, SC b) { return SC{a.first + b.first, a.second + b.second}; };
  auto ctx = make_context();
  auto data = brasa_test::skewed_pairs(2000, 12, 15);
  std::vector<std::pair<int, SC>> out;
  ASSERT_TRUE(aggregate_with_pair_zero<SC>(ctx->parallelize(data, 3), seq, comb, out))
      << "rdd.aggregate_by_key(std::pair<int64_t, int64_t>{0, 0}, seq, comb) does not compile";
  std::map<int, SC> expected;
  for (auto& [k, v] : data) {
    expected[k].first += v;
    expected[k].second += 1;
  }
  EXPECT_EQ(sorted(out), as_vector(expected));
}

TEST(FoldByKey, ZeroIsAppliedPerKeyAndPartition) {
  // Like Spark, the zero value may be merged once per key in each partition;
  // with a neutral zero the result equals the sum, with max() it is unaffected.
  auto ctx = make_context();
  std::vector<KV> data{{1, 5}, {1, 7}, {2, -3}, {1, 2}, {2, -8}};
  auto out = ctx->parallelize(data, 3)
                 .fold_by_key(std::numeric_limits<int64_t>::min(), [](int64_t a, int64_t b) { return std::max(a, b); })
                 .collect_as_map();
  EXPECT_EQ(out, (std::map<int, int64_t>{{1, 7}, {2, -3}}));
}

TEST(GroupByKey, WithExplicitPartitioner) {
  auto ctx = make_context();
  auto data = brasa_test::skewed_pairs(1000, 3, 10);
  auto g = ctx->parallelize(data, 4).group_by_key(brasa::Partitioner::hash(6));
  EXPECT_EQ(g.num_partitions(), 6);
  int64_t total = 0;
  for (auto& kv : g.collect()) total += static_cast<int64_t>(kv.second.size());
  EXPECT_EQ(total, 1000);
}

TEST(Join, DuplicateKeysOnBothSidesMakeACrossProduct) {
  auto ctx = make_context();
  std::vector<std::pair<std::string, int>> a{{"k", 1}, {"k", 2}, {"x", 9}};
  std::vector<std::pair<std::string, char>> b{{"k", 'a'}, {"k", 'b'}, {"k", 'c'}, {"y", 'z'}};
  auto out = sorted(ctx->parallelize(a, 2).join(ctx->parallelize(b, 3)).collect());
  std::vector<std::pair<std::string, std::pair<int, char>>> expected;
  for (int v : {1, 2})
    for (char w : {'a', 'b', 'c'}) expected.push_back({"k", {v, w}});
  EXPECT_EQ(out, sorted(expected));
}

TEST(SortByKey, StringKeysManyPartitions) {
  auto ctx = make_context();
  std::mt19937_64 rng(77);
  std::vector<std::pair<std::string, int>> data;
  for (int i = 0; i < 5000; ++i) data.emplace_back(brasa_test::random_word(rng, 0, 6), i);
  auto out = ctx->parallelize(data, 37).sort_by_key(true, 9).collect();
  ASSERT_EQ(out.size(), data.size());
  for (size_t i = 1; i < out.size(); ++i) ASSERT_LE(out[i - 1].first, out[i].first) << i;
  auto desc = ctx->parallelize(data, 37).sort_by_key(false, 9).collect();
  for (size_t i = 1; i < desc.size(); ++i) ASSERT_GE(desc[i - 1].first, desc[i].first) << i;
  EXPECT_EQ(sorted(desc), sorted(data));
}

TEST(SortByKey, BalancedWhenInputPartitionsAreSkewed) {
  auto ctx = make_context();
  // Partition 0 holds 100000 keys spread over [0, 10^6); the 19 others hold
  // 10 keys each, all below 1000. Sampling must weigh partition 0's keys by
  // its size, or nearly everything lands in the last range.
  auto data = ctx->range(0, 20, 1, 20).flat_map([](int64_t p) {
    std::vector<std::pair<int64_t, int64_t>> out;
    int64_t n = p == 0 ? 100000 : 10;
    for (int64_t i = 0; i < n; ++i) out.emplace_back(p == 0 ? i * 7919 % 1000000 : p * 50 + i, i);
    return out;
  });
  auto sizes = data.sort_by_key(true, 10)
                   .map_partitions([](std::vector<std::pair<int64_t, int64_t>>&& part) {
                     return std::vector<int64_t>{static_cast<int64_t>(part.size())};
                   })
                   .collect();
  ASSERT_EQ(sizes.size(), 10u);
  int64_t total = 0, most = 0;
  for (int64_t s : sizes) {
    total += s;
    most = std::max(most, s);
  }
  EXPECT_EQ(total, 100190);
  EXPECT_LT(most, total / 10 * 2) << "one range holds " << most << " of " << total << " records";
}

TEST(SortByKey, RangesHoldNearlyEqualShares) {
  // 10^6 random keys into 8 ranges: with Spark's 20 sampled keys per range
  // the largest held 15-20% more than the mean.
  auto ctx = make_context();
  for (uint64_t seed : {1u, 2u, 3u}) {
    auto sizes = ctx->range(0, 1000000, 1, 8)
                     .map([seed](int64_t i) {
                       auto key = brasa::mix64(static_cast<uint64_t>(i) * 4 + seed);
                       return std::pair<int64_t, int64_t>{static_cast<int64_t>(key), i};
                     })
                     .sort_by_key(true, 8)
                     .map_partitions([](std::vector<std::pair<int64_t, int64_t>>&& part) {
                       return std::vector<int64_t>{static_cast<int64_t>(part.size())};
                     })
                     .collect();
    ASSERT_EQ(sizes.size(), 8u);
    EXPECT_EQ(std::accumulate(sizes.begin(), sizes.end(), int64_t{0}), 1000000);
    for (int64_t s : sizes) {
      EXPECT_LT(s, 137500) << "seed " << seed;  // 10% around the mean, 125,000
      EXPECT_GT(s, 112500) << "seed " << seed;
    }
  }
}

TEST(SortByKey, EmptyAndSingleKey) {
  auto ctx = make_context();
  EXPECT_TRUE(ctx->parallelize(std::vector<KV>{}, 4).sort_by_key().collect().empty());
  std::vector<KV> same(100, KV{3, 1});
  EXPECT_EQ(ctx->parallelize(same, 5).sort_by_key(true, 4).collect(), same);
}

TEST(SortBy, ByComputedKey) {
  auto ctx = make_context();
  auto data = brasa_test::random_ints(10000, 8, -50000, 50000);
  auto asc = ctx->parallelize(data, 16).sort_by([](int x) { return x; }, true, 6).collect();
  EXPECT_EQ(asc, sorted(data));
  auto desc = ctx->parallelize(data, 16).sort_by([](int x) { return x; }, false, 6).collect();
  auto expected = sorted(data);
  std::reverse(expected.begin(), expected.end());
  EXPECT_EQ(desc, expected);
  // By absolute value: keys sorted, all records kept.
  auto by_abs = ctx->parallelize(data, 16).sort_by([](int x) { return x < 0 ? -x : x; }).collect();
  for (size_t i = 1; i < by_abs.size(); ++i) ASSERT_LE(std::abs(by_abs[i - 1]), std::abs(by_abs[i])) << i;
  EXPECT_EQ(sorted(by_abs), sorted(data));
}

TEST(PartitionBy, SamePartitionerIsANoOp) {
  auto ctx = make_context();
  auto p = brasa::Partitioner::hash(4);
  auto once = ctx->parallelize(brasa_test::skewed_pairs(100, 1, 10), 3).partition_by(p);
  auto twice = once.partition_by(brasa::Partitioner::hash(4));
  EXPECT_EQ(twice.id(), once.id());
  auto other = once.partition_by(brasa::Partitioner::hash(5));
  EXPECT_NE(other.id(), once.id());
  EXPECT_EQ(other.num_partitions(), 5);
  EXPECT_EQ(sorted(other.collect()), sorted(once.collect()));
}

TEST(Repartition, ExactCountAndNoRecordLost) {
  auto ctx = make_context();
  auto data = brasa_test::random_ints(10000, 21, 0, 100);  // many duplicates
  auto rdd = ctx->parallelize(data, 5);
  for (int n : {1, 2, 5, 8, 37, 200}) {
    auto r = rdd.repartition(n);
    EXPECT_EQ(r.num_partitions(), n);
    EXPECT_EQ(sorted(r.collect()), sorted(data)) << n;
    EXPECT_EQ(r.count(), 10000) << n;
  }
  EXPECT_THROW(rdd.repartition(0), std::invalid_argument);
}

TEST(Repartition, SpreadsRecordsRoughlyEvenly) {
  auto ctx = make_context();
  auto parts = ctx->parallelize(brasa_test::iota_vec(8000), 1).repartition(8).glom().collect();
  ASSERT_EQ(parts.size(), 8u);
  for (auto& p : parts) {
    EXPECT_GT(p.size(), 500u);
    EXPECT_LT(p.size(), 1500u);
  }
}

TEST(Repartition, EmptyAndFewerRecordsThanPartitions) {
  auto ctx = make_context();
  EXPECT_TRUE(ctx->parallelize(std::vector<int>{}, 3).repartition(4).collect().empty());
  auto r = ctx->parallelize(std::vector<int>{1, 2, 3}, 2).repartition(10);
  EXPECT_EQ(r.num_partitions(), 10);
  EXPECT_EQ(sorted(r.collect()), (std::vector<int>{1, 2, 3}));
}

TEST(Distinct, Strings) {
  auto ctx = make_context();
  std::vector<std::string> data{"a", "b", "a", "", "b", "", "c"};
  EXPECT_EQ(sorted(ctx->parallelize(data, 3).distinct().collect()), (std::vector<std::string>{"", "a", "b", "c"}));
  EXPECT_TRUE(ctx->parallelize(std::vector<std::string>{}, 2).distinct().collect().empty());
}

TEST(Intersection, NoDuplicatesInResult) {
  auto ctx = make_context();
  auto a = ctx->parallelize(std::vector<int>{1, 1, 2, 3, 4, 4, 9}, 3);
  auto b = ctx->parallelize(std::vector<int>{4, 4, 1, 5, 9, 9}, 2);
  EXPECT_EQ(sorted(a.intersection(b).collect()), (std::vector<int>{1, 4, 9}));
  EXPECT_TRUE(a.intersection(ctx->parallelize(std::vector<int>{100}, 1)).collect().empty());
}

TEST(Lookup, PartitionedRDDReadsOnePartition) {
  auto ctx = make_context();
  auto data = brasa_test::skewed_pairs(2000, 4, 30);
  auto parted = ctx->parallelize(data, 4).partition_by(brasa::Partitioner::hash(8));
  parted.count();  // runs the shuffle
  auto values = parted.lookup(3);
  EXPECT_EQ(ctx->last_job().tasks, 1);
  std::vector<int64_t> expected;
  for (auto& [k, v] : data)
    if (k == 3) expected.push_back(v);
  EXPECT_EQ(sorted(values), sorted(expected));
}

TEST(CollectAsMap, LastValueWinsForDuplicates) {
  auto ctx = make_context();
  std::vector<std::pair<std::string, int>> data{{"a", 1}, {"b", 2}, {"a", 3}};
  auto m = ctx->parallelize(data, 1).collect_as_map();
  EXPECT_EQ(m, (std::map<std::string, int>{{"a", 3}, {"b", 2}}));
}

// ---- With little shuffle memory -----------------------------------------------------------
// brasa.memory.shuffle bounds the shuffle buffers and aggregation tables of
// the tasks; beyond it they spill to disk. The results must not change.

const std::map<std::string, std::string> kTinyShuffle{{"brasa.memory.shuffle", "64k"}};

class SmallShuffleMemory : public ::testing::TestWithParam<uint64_t> {};

TEST_P(SmallShuffleMemory, AggregationsMatchSequential) {
  auto ctx = make_context("", kTinyShuffle);
  auto data = brasa_test::skewed_pairs(60000, GetParam(), 20000);  // many keys, one hot
  auto rdd = ctx->parallelize(data, 6);
  std::map<int, int64_t> sums;
  std::map<int, SumCount> sum_count;
  for (auto& [k, v] : data) {
    sums[k] += v;
    sum_count[k].sum += v;
    sum_count[k].count += 1;
  }
  EXPECT_EQ(sorted(rdd.reduce_by_key(add, 5).collect()), as_vector(sums));
  EXPECT_EQ(rdd.reduce_by_key(add, 5).count(), static_cast<int64_t>(sums.size()));
  auto agg = rdd.aggregate_by_key(
                    SumCount{}, [](SumCount acc, int64_t v) { return SumCount{acc.sum + v, acc.count + 1}; },
                    [](SumCount a, SumCount b) { return SumCount{a.sum + b.sum, a.count + b.count}; },
                    brasa::Partitioner::hash(3))
                 .collect();
  EXPECT_EQ(sorted(agg), as_vector(sum_count));
  auto grouped = rdd.group_by_key(brasa::Partitioner::hash(4)).collect();
  for (auto& kv : grouped) std::sort(kv.second.begin(), kv.second.end());
  EXPECT_EQ(sorted(grouped), as_vector(groups_of(data)));
  using Vec = std::vector<int64_t>;
  auto combined = rdd.combine_by_key([](int64_t v) { return Vec{v}; }, [](Vec& c, int64_t v) { c.push_back(v); },
                                     [](Vec& c, Vec&& more) { c.insert(c.end(), more.begin(), more.end()); })
                      .collect();
  for (auto& kv : combined) std::sort(kv.second.begin(), kv.second.end());
  EXPECT_EQ(sorted(combined), as_vector(groups_of(data)));
  std::map<int, int64_t> counts;
  for (auto& [k, v] : data) counts[k]++;
  EXPECT_EQ(rdd.count_by_key(), counts);
  std::set<int> keys;
  for (auto& kv : data) keys.insert(kv.first);
  EXPECT_EQ(sorted(rdd.keys().distinct(4).collect()), std::vector<int>(keys.begin(), keys.end()));
}

TEST_P(SmallShuffleMemory, LayoutsAndJoinsMatchSequential) {
  auto ctx = make_context("", kTinyShuffle);
  auto data = brasa_test::skewed_pairs(40000, GetParam(), 5000);
  auto other = brasa_test::skewed_pairs(20000, GetParam() + 99, 8000);
  auto rdd = ctx->parallelize(data, 5);
  auto p = brasa::Partitioner::hash(7);
  auto parts = rdd.partition_by(p).glom().collect();
  std::vector<KV> all;
  for (int i = 0; i < 7; ++i)
    for (auto& kv : parts[static_cast<size_t>(i)]) {
      ASSERT_EQ(p.partition_of(kv.first), i);
      all.push_back(kv);
    }
  EXPECT_EQ(sorted(all), sorted(data));
  auto rep = rdd.repartition(9);
  EXPECT_EQ(rep.num_partitions(), 9);
  EXPECT_EQ(sorted(rep.collect()), sorted(data));
  auto s = rdd.sort_by_key(true, 6).collect();
  ASSERT_EQ(s.size(), data.size());
  for (size_t i = 1; i < s.size(); ++i) ASSERT_LE(s[i - 1].first, s[i].first) << i;
  EXPECT_EQ(sorted(s), sorted(data));

  // Join: only keys of `other` that also occur rarely in data, to keep the product small.
  std::vector<KV> small;
  for (auto& kv : other)
    if (kv.first != 0) small.push_back(kv);
  std::multimap<int, int64_t> right(small.begin(), small.end());
  std::vector<std::pair<int, std::pair<int64_t, int64_t>>> expected;
  for (auto& [k, v] : data) {
    auto [b, e] = right.equal_range(k);
    for (auto it = b; it != e; ++it) expected.push_back({k, {v, it->second}});
  }
  EXPECT_EQ(sorted(rdd.join(ctx->parallelize(small, 4)).collect()), sorted(expected));
  std::vector<KV> left_only;
  for (auto& kv : data)
    if (!right.count(kv.first)) left_only.push_back(kv);
  EXPECT_EQ(sorted(rdd.subtract_by_key(ctx->parallelize(small, 4)).collect()), sorted(left_only));
}

TEST_P(SmallShuffleMemory, StringRecords) {
  auto ctx = make_context("", kTinyShuffle);
  std::mt19937_64 rng(GetParam());
  std::vector<std::pair<std::string, std::string>> data;
  for (int i = 0; i < 30000; ++i)
    data.emplace_back(brasa_test::random_word(rng, 1, 3), brasa_test::random_word(rng, 0, 40));
  auto rdd = ctx->parallelize(data, 4);
  std::map<std::string, int64_t> lengths;
  for (auto& [k, v] : data) lengths[k] += static_cast<int64_t>(v.size());
  auto out = rdd.map_values([](const std::string& v) { return static_cast<int64_t>(v.size()); })
                 .reduce_by_key(add, 3)
                 .collect();
  EXPECT_EQ(sorted(out), as_vector(lengths));
  auto grouped = rdd.group_by_key(brasa::Partitioner::hash(5)).collect();
  std::map<std::string, std::vector<std::string>> expected;
  for (auto& [k, v] : data) expected[k].push_back(v);
  for (auto& [k, vs] : expected) std::sort(vs.begin(), vs.end());
  for (auto& kv : grouped) std::sort(kv.second.begin(), kv.second.end());
  EXPECT_EQ(sorted(grouped), as_vector(expected));
  EXPECT_EQ(sorted(rdd.sort_by_key(false, 4).collect()), sorted(data));
}

INSTANTIATE_TEST_SUITE_P(Seeds, SmallShuffleMemory, ::testing::Values<uint64_t>(3, 33));

TEST(SmallShuffleMemoryDeterminism, SameOutputUnderOneTwoAndFourThreads) {
  auto run = [](const std::string& master) {
    auto ctx = make_context(master, kTinyShuffle);
    auto a = ctx->parallelize(brasa_test::skewed_pairs(50000, 5, 20000), 6).reduce_by_key(add, 4);
    auto b = ctx->parallelize(brasa_test::skewed_pairs(20000, 6, 20000), 3).reduce_by_key(add, 4);
    return a.join(b, brasa::Partitioner::hash(5)).collect();
  };
  auto one = run("local[1]");
  ASSERT_FALSE(one.empty());
  EXPECT_EQ(run("local[2]"), one);
  EXPECT_EQ(run("local[4]"), one);
}

}  // namespace
