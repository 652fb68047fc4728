// Partitioners beyond hash and range: direct (integer keys that are
// partition numbers, as ALS's block ids) and user-defined ones, which must
// survive the trip to executors and make co-partitioned joins narrow.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "brasa/brasa.h"
#include "test_util.h"

namespace {

using KV = std::pair<int64_t, int64_t>;

// Keys below `split` in partition 0, the rest spread over the others.
struct SplitPartitioner {
  int64_t split = 0;
  int n = 1;
  int num_partitions() const { return n; }
  int partition_of(const int64_t& k) const { return k < split ? 0 : 1 + static_cast<int>(k % (n - 1)); }
  bool operator==(const SplitPartitioner&) const = default;
  template <class Ar> void serialize(Ar& ar) { ar(split, n); }
};

// Returns the key itself as the partition: out of range for keys >= 2.
struct KeyAsPartition {
  int num_partitions() const { return 2; }
  int partition_of(const int64_t& k) const { return static_cast<int>(k); }
  bool operator==(const KeyAsPartition&) const = default;
};

// Partition index of every record, as (partition, key).
std::vector<std::pair<int, int64_t>> placement(const brasa::RDD<KV>& rdd) {
  return rdd
      .map_partitions_with_index([](int p, const std::vector<KV>& part) {
        std::vector<std::pair<int, int64_t>> out;
        for (const auto& kv : part) out.emplace_back(p, kv.first);
        return out;
      })
      .collect();
}

TEST(Partitioners, DirectPutsKeyKInPartitionKModN) {
  auto ctx = brasa_test::make_context();
  std::vector<KV> data;
  for (int64_t k = -20; k < 20; ++k) data.push_back({k, k * 10});
  auto laid = ctx->parallelize(data, 3).partition_by(brasa::Partitioner::direct(4));
  auto where = placement(laid);
  ASSERT_EQ(where.size(), 40u);
  for (auto [p, k] : where) EXPECT_EQ(p, ((k % 4) + 4) % 4) << "key " << k;
  EXPECT_EQ(brasa::Partitioner::direct(4), brasa::Partitioner::direct(4));
  EXPECT_FALSE(brasa::Partitioner::direct(4) == brasa::Partitioner::hash(4));
  EXPECT_THROW(brasa::Partitioner::direct(0), std::invalid_argument);
}

TEST(Partitioners, CustomPartitionerPlacesKeysAndKeepsJoinsNarrow) {
  auto ctx = brasa_test::make_context();
  auto part = brasa::Partitioner::custom(SplitPartitioner{10, 3});
  EXPECT_EQ(part.num_partitions(), 3);
  EXPECT_TRUE(part == brasa::Partitioner::custom(SplitPartitioner{10, 3}));
  EXPECT_FALSE(part == brasa::Partitioner::custom(SplitPartitioner{11, 3}));
  std::vector<KV> data;
  for (int64_t k = 0; k < 30; ++k) data.push_back({k, k});
  auto left = ctx->parallelize(data, 4).partition_by(part).cache();
  for (auto [p, k] : placement(left)) EXPECT_EQ(p, k < 10 ? 0 : 1 + k % 2) << "key " << k;
  auto right = ctx->parallelize(data, 2).map([](const KV& kv) { return KV{kv.first, -kv.second}; }).partition_by(part);
  left.count();
  right.count();
  auto joined = left.join(right);
  EXPECT_TRUE(joined.partitioner() == part);
  auto rows = joined.collect();
  EXPECT_EQ(rows.size(), 30u);
  EXPECT_EQ(ctx->last_job().stages_run, 1) << "sides laid out by equal partitioners join without a shuffle";
  for (const auto& [k, vw] : rows) EXPECT_EQ(vw.first, -vw.second);
}

TEST(Partitioners, CustomPartitionerOutOfRangeIsAClearError) {
  auto ctx = brasa_test::make_context();
  auto bad = brasa::Partitioner::custom(KeyAsPartition{});
  try {
    ctx->parallelize(std::vector<KV>{{1, 1}, {2, 2}}, 1).partition_by(bad).count();
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("returned partition 2 of 2"), std::string::npos) << e.what();
  }
}

}  // namespace
