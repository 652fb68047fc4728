// random_split(data, {0.8, 0.2}, seed): Spark's randomSplit with a result a
// structured binding can take apart:
//
//   auto [train, test] = brasa::mllib::random_split(data, {0.8, 0.2}, 1);
//
// Splits are disjoint, hold every record together, and depend only on the
// seed and the partitioning. Cache `data` first: every split reads it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

template <class T, size_t N>
std::array<RDD<T>, N> random_split(const RDD<T>& data, const double (&weights)[N], uint64_t seed = 42) {
  auto parts = data.random_split(std::vector<double>(weights, weights + N), seed);
  std::array<RDD<T>, N> out;
  for (size_t i = 0; i < N; ++i) out[i] = parts[i];
  return out;
}

}  // namespace brasa::mllib
