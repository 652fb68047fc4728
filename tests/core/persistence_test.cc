// Persistence (cache, storage levels, memory budget, eviction, unpersist),
// checkpoints and broadcast variables. Accumulators incremented inside map()
// count how many times records were computed.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "brasa/storage/block_manager.h"
#include "test_util.h"

namespace fs = std::filesystem;
using brasa_test::make_context;
using brasa_test::sorted;

namespace {

// An RDD of n ints in `parts` partitions whose map() counts its calls in acc.
brasa::RDD<int> counted(brasa::Context& ctx, brasa::Accumulator<int64_t> acc, int n, int parts) {
  return ctx.parallelize(brasa_test::iota_vec(n), parts).map([acc](int x) {
    acc.add(1);
    return x * 2;
  });
}

std::vector<int> doubled(int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(2 * i);
  return v;
}

TEST(Cache, MapRunsOncePerRecord) {
  auto ctx = make_context();
  auto acc = ctx->accumulator<int64_t>(0);
  auto rdd = counted(*ctx, acc, 1000, 4);
  rdd.cache();
  EXPECT_EQ(rdd.storage_level(), brasa::StorageLevel::memory_only());
  EXPECT_EQ(rdd.count(), 1000);
  EXPECT_EQ(acc.value(), 1000);
  EXPECT_EQ(rdd.count(), 1000);
  EXPECT_EQ(acc.value(), 1000) << "the second count recomputed the cached RDD";
  EXPECT_EQ(rdd.collect(), doubled(1000));
  EXPECT_EQ(acc.value(), 1000);
  // Downstream RDDs read the cache too.
  EXPECT_EQ(rdd.map([](int x) { return x + 1; }).count(), 1000);
  EXPECT_EQ(rdd.filter([](int x) { return x % 4 == 0; }).count(), 500);
  EXPECT_EQ(acc.value(), 1000);
}

TEST(Cache, WithoutCacheEveryActionRecomputes) {
  auto ctx = make_context();
  auto acc = ctx->accumulator<int64_t>(0);
  auto rdd = counted(*ctx, acc, 1000, 4);
  rdd.count();
  rdd.count();
  EXPECT_EQ(acc.value(), 2000);
}

TEST(Cache, PartialReadThenFullRead) {
  // take(1) stops early; the cached partition must still be complete.
  auto ctx = make_context();
  auto acc = ctx->accumulator<int64_t>(0);
  auto rdd = ctx->range(0, 20000, 1, 2).map([acc](int64_t x) {
    acc.add(1);
    return x;
  });
  rdd.cache();
  EXPECT_EQ(rdd.take(1), (std::vector<int64_t>{0}));
  EXPECT_EQ(rdd.count(), 20000);
  auto all = rdd.collect();
  ASSERT_EQ(all.size(), 20000u);
  for (int64_t i = 0; i < 20000; ++i) ASSERT_EQ(all[static_cast<size_t>(i)], i);
  EXPECT_EQ(acc.value(), 20000);
}

TEST(Cache, ChangingTheLevelNeedsUnpersist) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(brasa_test::iota_vec(10), 2);
  rdd.persist(brasa::StorageLevel::memory_only());
  EXPECT_NO_THROW(rdd.persist(brasa::StorageLevel::memory_only()));
  EXPECT_THROW(rdd.persist(brasa::StorageLevel::disk_only()), std::logic_error);
  rdd.unpersist();
  EXPECT_NO_THROW(rdd.persist(brasa::StorageLevel::disk_only()));
  EXPECT_EQ(rdd.storage_level(), brasa::StorageLevel::disk_only());
  EXPECT_EQ(rdd.collect(), brasa_test::iota_vec(10));
}

// ---- Every storage level ------------------------------------------------------------------

struct NamedLevel {
  const char* name;
  brasa::StorageLevel level;
};

void PrintTo(const NamedLevel& l, std::ostream* os) { *os << l.name; }

class StorageLevels : public ::testing::TestWithParam<NamedLevel> {};

TEST_P(StorageLevels, SameResultAsUncachedAndComputedOnce) {
  SKIP_ON_CLUSTER("checks blocks in the driver's block manager");
  auto ctx = make_context();
  auto acc = ctx->accumulator<int64_t>(0);
  std::vector<std::pair<std::string, int>> data;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 3000; ++i) data.emplace_back(brasa_test::random_word(rng, 0, 25), i);
  auto base = ctx->parallelize(data, 7);
  auto rdd = base.map([acc](std::pair<std::string, int> kv) {
    acc.add(1);
    kv.second *= 3;
    return kv;
  });
  auto uncached = rdd.collect();
  EXPECT_EQ(acc.value(), 3000);
  rdd.persist(GetParam().level);
  EXPECT_EQ(rdd.storage_level(), GetParam().level);
  EXPECT_EQ(rdd.collect(), uncached);
  EXPECT_EQ(acc.value(), 6000);
  EXPECT_EQ(rdd.collect(), uncached);
  EXPECT_EQ(rdd.count(), 3000);
  EXPECT_EQ(acc.value(), 6000) << GetParam().name << " recomputed a persisted RDD";
  for (int p = 0; p < 7; ++p) EXPECT_TRUE(ctx->runtime().block_manager().contains(brasa::BlockId{rdd.id(), p}));
  // Wide operations on top of it read the stored blocks too.
  auto counts = rdd.map([](const std::pair<std::string, int>& kv) { return std::pair<size_t, int64_t>(kv.first.size(), 1); })
                    .reduce_by_key([](int64_t a, int64_t b) { return a + b; })
                    .collect_as_map();
  int64_t total = 0;
  for (auto& [len, c] : counts) total += c;
  EXPECT_EQ(total, 3000);
  EXPECT_EQ(acc.value(), 6000);
}

INSTANTIATE_TEST_SUITE_P(Levels, StorageLevels,
                         ::testing::Values(NamedLevel{"MEMORY_ONLY", brasa::StorageLevel::memory_only()},
                                           NamedLevel{"MEMORY_ONLY_SER", brasa::StorageLevel::memory_only_ser()},
                                           NamedLevel{"MEMORY_AND_DISK", brasa::StorageLevel::memory_and_disk()},
                                           NamedLevel{"DISK_ONLY", brasa::StorageLevel::disk_only()}),
                         [](const ::testing::TestParamInfo<NamedLevel>& info) { return std::string(info.param.name); });

// ---- A small memory budget ---------------------------------------------------------------------

const std::map<std::string, std::string> kSmallBudget{{"brasa.memory.storage", "64k"}};

brasa::RDD<int64_t> counted_range(brasa::Context& ctx, brasa::Accumulator<int64_t> acc, int64_t n, int parts) {
  return ctx.range(0, n, 1, parts).map([acc](int64_t x) {
    acc.add(1);
    return x * 3;
  });
}

int64_t sum_of_triples(int64_t n) { return 3 * n * (n - 1) / 2; }

TEST(MemoryBudget, MemoryOnlyTooBigIsRecomputedButCorrect) {
  SKIP_ON_CLUSTER("checks the driver's memory budget");
  auto ctx = make_context("", kSmallBudget);
  auto acc = ctx->accumulator<int64_t>(0);
  // 4 partitions of 20000 int64 (about 160 KB each) > 64 KB budget.
  auto rdd = counted_range(*ctx, acc, 80000, 4);
  rdd.cache();
  auto add = [](int64_t a, int64_t b) { return a + b; };
  EXPECT_EQ(rdd.reduce(add), sum_of_triples(80000));
  EXPECT_EQ(rdd.reduce(add), sum_of_triples(80000));
  EXPECT_EQ(rdd.count(), 80000);
  EXPECT_EQ(acc.value(), 3 * 80000) << "blocks larger than the budget cannot be cached";
  EXPECT_LE(ctx->runtime().block_manager().memory_used(), size_t{64} << 10);
}

TEST(MemoryBudget, MemoryAndDiskSpillsInsteadOfRecomputing) {
  SKIP_ON_CLUSTER("checks the driver's memory budget");
  auto ctx = make_context("", kSmallBudget);
  auto acc = ctx->accumulator<int64_t>(0);
  auto rdd = counted_range(*ctx, acc, 80000, 4);
  rdd.persist(brasa::StorageLevel::memory_and_disk());
  auto add = [](int64_t a, int64_t b) { return a + b; };
  EXPECT_EQ(rdd.reduce(add), sum_of_triples(80000));
  EXPECT_EQ(rdd.reduce(add), sum_of_triples(80000));
  auto all = rdd.collect();
  ASSERT_EQ(all.size(), 80000u);
  for (int64_t i = 0; i < 80000; ++i) ASSERT_EQ(all[static_cast<size_t>(i)], 3 * i);
  EXPECT_EQ(acc.value(), 80000) << "MEMORY_AND_DISK blocks should be read back from disk";
  for (int p = 0; p < 4; ++p) EXPECT_TRUE(ctx->runtime().block_manager().contains(brasa::BlockId{rdd.id(), p}));
  EXPECT_LE(ctx->runtime().block_manager().memory_used(), size_t{64} << 10);
}

TEST(MemoryBudget, EvictedStringBlocksReadBackFromDisk) {
  SKIP_ON_CLUSTER("checks the driver's memory budget");
  auto ctx = make_context("", kSmallBudget);
  auto acc = ctx->accumulator<int64_t>(0);
  // 4 partitions of about 40 KB of strings each, under a 64 KB budget.
  auto rdd = ctx->parallelize(brasa_test::iota_vec(4000), 4).map([acc](int x) {
    acc.add(1);
    return "string number " + std::to_string(x);
  });
  rdd.persist(brasa::StorageLevel::memory_and_disk());
  EXPECT_EQ(rdd.count(), 4000);
  auto all = rdd.collect();
  ASSERT_EQ(all.size(), 4000u);
  for (int i = 0; i < 4000; ++i) ASSERT_EQ(all[static_cast<size_t>(i)], "string number " + std::to_string(i));
  EXPECT_EQ(acc.value(), 4000) << "evicted blocks should be read back from disk, not recomputed";
  EXPECT_LE(ctx->runtime().block_manager().memory_used(), size_t{64} << 10);
}

TEST(MemoryBudget, ManySmallBlocksWithEviction) {
  // 16 blocks of about 16 KB: a few fit, the rest are evicted (LRU).
  for (auto level : {brasa::StorageLevel::memory_only(), brasa::StorageLevel::memory_only_ser(),
                     brasa::StorageLevel::memory_and_disk(), brasa::StorageLevel::disk_only()}) {
    auto ctx = make_context("", kSmallBudget);
    auto acc = ctx->accumulator<int64_t>(0);
    auto rdd = counted_range(*ctx, acc, 32000, 16);
    rdd.persist(level);
    auto add = [](int64_t a, int64_t b) { return a + b; };
    for (int round = 0; round < 3; ++round) EXPECT_EQ(rdd.reduce(add), sum_of_triples(32000)) << level.name();
    EXPECT_EQ(rdd.count(), 32000) << level.name();
    EXPECT_LE(ctx->runtime().block_manager().memory_used(), size_t{64} << 10) << level.name();
    if (level.use_disk)
      EXPECT_EQ(acc.value(), 32000) << level.name() << " lost blocks it could have kept on disk";
    else
      EXPECT_GE(acc.value(), 32000) << level.name();
  }
}

TEST(MemoryBudget, DiskOnlyUsesNoMemory) {
  auto ctx = make_context("", kSmallBudget);
  auto acc = ctx->accumulator<int64_t>(0);
  auto rdd = counted_range(*ctx, acc, 80000, 4);
  rdd.persist(brasa::StorageLevel::disk_only());
  EXPECT_EQ(rdd.count(), 80000);
  EXPECT_EQ(rdd.count(), 80000);
  EXPECT_EQ(acc.value(), 80000);
  EXPECT_EQ(ctx->runtime().block_manager().memory_used(), 0u);
}

// ---- unpersist and lost blocks --------------------------------------------------------------------

TEST(Unpersist, NextActionRecomputes) {
  auto ctx = make_context();
  auto acc = ctx->accumulator<int64_t>(0);
  auto rdd = counted(*ctx, acc, 500, 5);
  rdd.cache();
  rdd.count();
  rdd.count();
  EXPECT_EQ(acc.value(), 500);
  rdd.unpersist();
  EXPECT_EQ(rdd.storage_level(), brasa::StorageLevel::none());
  EXPECT_FALSE(ctx->runtime().block_manager().contains(brasa::BlockId{rdd.id(), 0}));
  EXPECT_EQ(rdd.count(), 500);
  EXPECT_EQ(acc.value(), 1000);
  EXPECT_EQ(rdd.count(), 500);
  EXPECT_EQ(acc.value(), 1500);
  EXPECT_EQ(rdd.collect(), doubled(500));
}

TEST(LostBlock, OnlyTheDroppedPartitionIsRecomputed) {
  SKIP_ON_CLUSTER("drops blocks from the driver's block manager");
  auto ctx = make_context();
  auto acc = ctx->accumulator<int64_t>(0);
  auto rdd = counted(*ctx, acc, 1000, 4);  // 250 per partition
  rdd.cache();
  EXPECT_EQ(rdd.count(), 1000);
  EXPECT_EQ(acc.value(), 1000);
  ctx->runtime().block_manager().remove(brasa::BlockId{rdd.id(), 0});
  EXPECT_FALSE(ctx->runtime().block_manager().contains(brasa::BlockId{rdd.id(), 0}));
  EXPECT_TRUE(ctx->runtime().block_manager().contains(brasa::BlockId{rdd.id(), 1}));
  EXPECT_EQ(rdd.collect(), doubled(1000));
  EXPECT_EQ(acc.value(), 1250) << "exactly partition 0 (250 records) should be recomputed";
  EXPECT_EQ(rdd.count(), 1000);
  EXPECT_EQ(acc.value(), 1250);  // and cached again
  ctx->runtime().block_manager().remove(brasa::BlockId{rdd.id(), 3});
  EXPECT_EQ(rdd.count(), 1000);
  EXPECT_EQ(acc.value(), 1500);
}

TEST(LostBlock, DiskBlockRemovedIsRecomputed) {
  SKIP_ON_CLUSTER("drops blocks from the driver's block manager");
  auto ctx = make_context();
  auto acc = ctx->accumulator<int64_t>(0);
  auto rdd = counted(*ctx, acc, 1000, 4);
  rdd.persist(brasa::StorageLevel::disk_only());
  rdd.count();
  ctx->runtime().block_manager().remove(brasa::BlockId{rdd.id(), 2});
  EXPECT_EQ(rdd.collect(), doubled(1000));
  EXPECT_EQ(acc.value(), 1250);
}

// ---- checkpoint ----------------------------------------------------------------------------------

TEST(Checkpoint, CutsLineageAndKeepsResult) {
  auto ctx = make_context();
  brasa_test::TempDir tmp;
  auto acc = ctx->accumulator<int64_t>(0);
  auto rdd = counted(*ctx, acc, 800, 4);
  auto before = rdd.collect();
  EXPECT_EQ(acc.value(), 800);
  EXPECT_FALSE(rdd.is_checkpointed());
  EXPECT_FALSE(brasa_test::contains(rdd.to_debug_string(), "checkpointed"));
  rdd.checkpoint(tmp.sub("ckpt"));
  EXPECT_TRUE(rdd.is_checkpointed());
  EXPECT_TRUE(brasa_test::contains(rdd.to_debug_string(), "checkpointed")) << rdd.to_debug_string();
  int64_t after_checkpoint = acc.value();
  EXPECT_EQ(after_checkpoint, 1600);  // the checkpoint job computed it once
  EXPECT_EQ(rdd.collect(), before);
  EXPECT_EQ(rdd.count(), 800);
  EXPECT_EQ(acc.value(), after_checkpoint) << "a checkpointed RDD must be read from its files";
  // Files were written under the directory.
  bool found_part = false;
  for (auto& e : fs::recursive_directory_iterator(tmp.sub("ckpt")))
    if (e.path().filename().string().rfind("part-", 0) == 0) found_part = true;
  EXPECT_TRUE(found_part);
  // Children of a checkpointed RDD work.
  EXPECT_EQ(rdd.map([](int x) { return x / 2; }).collect(), brasa_test::iota_vec(800));
}

TEST(Checkpoint, ShuffledRDD) {
  auto ctx = make_context();
  brasa_test::TempDir tmp;
  auto data = brasa_test::skewed_pairs(5000, 9, 40);
  auto reduced = ctx->parallelize(data, 6).reduce_by_key([](int64_t a, int64_t b) { return a + b; }, 5);
  auto before = sorted(reduced.collect());
  reduced.checkpoint(tmp.sub("ckpt"));
  EXPECT_TRUE(brasa_test::contains(reduced.to_debug_string(), "checkpointed"));
  EXPECT_EQ(sorted(reduced.collect()), before);
  EXPECT_EQ(ctx->last_job().stages_run, 1);
  auto joined = reduced.join(reduced).count();
  EXPECT_EQ(joined, static_cast<int64_t>(before.size()));
}

TEST(Checkpoint, PersistedRDD) {
  auto ctx = make_context();
  brasa_test::TempDir tmp;
  auto acc = ctx->accumulator<int64_t>(0);
  auto rdd = counted(*ctx, acc, 300, 3);
  rdd.cache();
  rdd.count();
  rdd.checkpoint(tmp.sub("ckpt"));
  EXPECT_EQ(acc.value(), 300) << "checkpointing a cached RDD should read the cache";
  EXPECT_EQ(rdd.collect(), doubled(300));
  EXPECT_EQ(acc.value(), 300);
}

TEST(Checkpoint, PersistedRDDReadsItsCacheBeforeItsFiles) {
  SKIP_ON_CLUSTER("the blocks must be in the driver's block manager");
  auto ctx = make_context();
  brasa_test::TempDir tmp;
  auto acc = ctx->accumulator<int64_t>(0);
  auto rdd = counted(*ctx, acc, 300, 3);
  rdd.cache();
  rdd.checkpoint(tmp.sub("ckpt"));
  fs::remove_all(tmp.sub("ckpt"));  // the files are not needed while the blocks are cached
  EXPECT_EQ(rdd.collect(), doubled(300));
  EXPECT_EQ(acc.value(), 300);
  // A block gone from the cache comes back from the checkpoint, not from
  // the lineage (which the checkpoint cut): here the file is gone too.
  ctx->runtime().block_manager().remove(brasa::BlockId{rdd.id(), 1});
  EXPECT_THROW(rdd.collect(), brasa::JobError);
}

// ---- broadcast ---------------------------------------------------------------------------------------

TEST(Broadcast, ValueReadableInTasks) {
  auto ctx = make_context();
  std::vector<int> table(1000);
  for (int i = 0; i < 1000; ++i) table[static_cast<size_t>(i)] = i * i;
  auto b = ctx->broadcast(table);
  EXPECT_EQ(b.value().size(), 1000u);  // on the driver
  auto out = ctx->parallelize(brasa_test::iota_vec(1000), 8).map([b](int x) { return b.value()[static_cast<size_t>(x)]; }).collect();
  EXPECT_EQ(out, table);
}

TEST(Broadcast, SeveralBroadcastsAndMapTypes) {
  auto ctx = make_context("local[4]");
  auto names = ctx->broadcast(std::map<std::string, int>{{"one", 1}, {"two", 2}, {"three", 3}});
  auto offset = ctx->broadcast(std::string("prefix-"));
  auto out = ctx->parallelize(std::vector<std::string>{"two", "three", "one", "four"}, 3)
                 .map([names, offset](const std::string& w) {
                   auto it = names.value().find(w);
                   return offset.value() + std::to_string(it == names.value().end() ? 0 : it->second);
                 })
                 .collect();
  EXPECT_EQ(out, (std::vector<std::string>{"prefix-2", "prefix-3", "prefix-1", "prefix-0"}));
}

TEST(Broadcast, DistinctValuesAcrossContexts) {
  // Two contexts in one process, each with its own broadcast of the same type.
  auto ctx1 = make_context("local[1]");
  auto b1 = ctx1->broadcast(std::vector<int>{1, 1, 1});
  EXPECT_EQ(ctx1->parallelize(brasa_test::iota_vec(3), 1).map([b1](int x) { return b1.value()[static_cast<size_t>(x)]; }).collect(),
            (std::vector<int>{1, 1, 1}));
  auto ctx2 = make_context("local[1]");
  auto b2 = ctx2->broadcast(std::vector<int>{2, 2, 2});
  EXPECT_EQ(ctx2->parallelize(brasa_test::iota_vec(3), 1).map([b2](int x) { return b2.value()[static_cast<size_t>(x)]; }).collect(),
            (std::vector<int>{2, 2, 2}));
  EXPECT_EQ(ctx1->parallelize(brasa_test::iota_vec(3), 1).map([b1](int x) { return b1.value()[static_cast<size_t>(x)]; }).collect(),
            (std::vector<int>{1, 1, 1}));
}

struct DestroyedPayload {
  int64_t a = 0;
  int64_t b = 0;
};

TEST(Broadcast, UsingADestroyedBroadcastFailsTheJob) {
  auto ctx = make_context("local[1]");
  auto b = ctx->broadcast(DestroyedPayload{7, 8});
  auto rdd = ctx->parallelize(brasa_test::iota_vec(4), 2).map([b](int x) { return x + b.value().a; });
  EXPECT_EQ(rdd.collect(), (std::vector<int64_t>{7, 8, 9, 10}));
  b.destroy();
  EXPECT_THROW(b.value(), std::runtime_error) << "value() on the driver after destroy()";
  EXPECT_THROW(rdd.collect(), brasa::JobError) << "tasks read a destroyed broadcast";
}

}  // namespace
