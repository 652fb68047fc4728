// InlineHashMap: sums like a std::map, and gives its entries in the same
// order however the table was sized or reused (determinism of map outputs).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

#include "brasa/util/inline_hash_map.h"

namespace {

using Map = brasa::InlineHashMap<int64_t, int64_t>;

void add_all(Map& m, const std::vector<int64_t>& keys) {
  for (int64_t k : keys) {
    bool inserted;
    int64_t& v = m.find_or_insert(k, brasa::hash_of(k), [] { return int64_t{0}; }, inserted);
    v += k % 7 + 1;
  }
}

TEST(InlineHashMap, SumsLikeAStdMapInAnOrderIndependentOfCapacityAndReuse) {
  std::mt19937_64 rng(3);
  std::vector<int64_t> keys(50000);
  for (auto& k : keys) k = static_cast<int64_t>(rng() % 20000) - 10000;
  std::map<int64_t, int64_t> expected;
  for (int64_t k : keys) expected[k] += k % 7 + 1;

  Map grown;  // grows from 16 slots
  add_all(grown, keys);
  auto a = grown.take_entries();
  EXPECT_TRUE(grown.empty());
  ASSERT_EQ(a.size(), expected.size());
  EXPECT_EQ((std::map<int64_t, int64_t>(a.begin(), a.end())), expected);

  Map big;  // reserved far larger, and reused after other keys
  big.reserve(200000);
  add_all(big, {1, 2, 3, 99});
  big.take_entries();
  add_all(big, keys);
  EXPECT_EQ(big.take_entries(), a);
}

}  // namespace
