#include <gtest/gtest.h>

#include "brasa/brasa.h"

TEST(Smoke, ReduceByKey) {
  brasa::Context ctx(brasa::Conf().master("local[2]"));
  std::vector<std::pair<int, int64_t>> data;
  for (int i = 0; i < 1000; ++i) data.emplace_back(i % 7, 1);
  auto counts = ctx.parallelize(data, 4).reduce_by_key([](int64_t a, int64_t b) { return a + b; }).collect_as_map();
  ASSERT_EQ(counts.size(), 7u);
  EXPECT_EQ(counts[0], 143);
}
