// brasa::Random, the library's seeded draws for sampling: the same numbers
// as std::mt19937_64 with the standard distributions, so that a seed's
// sample stays what it was when the draws moved out of the headers.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "brasa/util/random.h"

namespace {

TEST(Random, DrawsWhatTheStandardEngineAndDistributionsDraw) {
  brasa::Random r(42);
  std::mt19937_64 engine(42);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(r.next(), engine());
    EXPECT_EQ(r.uniform(), std::uniform_real_distribution<double>(0.0, 1.0)(engine));
    EXPECT_EQ(r.uniform(0x1p-53, 1.0), std::uniform_real_distribution<double>(0x1p-53, 1.0)(engine));
    EXPECT_EQ(r.below(7), std::uniform_int_distribution<size_t>(0, 6)(engine));
  }
}

TEST(Random, PoissonKeepsOneDistributionAcrossDraws) {
  for (double mean : {0.3, 2.5, 40.0}) {  // 40: the rejection method, whose distribution keeps state
    brasa::Random r(7);
    std::mt19937_64 engine(7);
    std::poisson_distribution<int> copies(mean);
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(r.poisson(mean), copies(engine)) << "mean " << mean << ", draw " << i;
  }
}

TEST(Random, ShuffleIsStdShuffle) {
  std::vector<std::string> a(1000);
  for (size_t i = 0; i < a.size(); ++i) a[i] = "record " + std::to_string(i);
  std::vector<std::string> b = a;
  brasa::Random r(3);
  std::mt19937_64 engine(3);
  r.shuffle(a);
  std::shuffle(b.begin(), b.end(), engine);
  EXPECT_EQ(a, b);
  EXPECT_NE(a[0], "record 0");
  EXPECT_EQ(r.next(), engine()) << "and leaves the engine where std::shuffle does";
}

}  // namespace
