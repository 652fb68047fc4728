// Seeded random draws for sampling (sample, take_sample, random_split, the
// range partitioner's key sample). The engine and its distributions live in
// the library: <random> would otherwise be parsed and compiled into every
// program. The draws are those of std::mt19937_64 and the standard
// distributions, so a seed gives the same sample in every mode and build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace brasa {

class Random {
 public:
  explicit Random(uint64_t seed);
  Random(Random&&) noexcept;
  Random& operator=(Random&&) noexcept;
  ~Random();

  uint64_t next();                           // the engine's next 64 bits
  double uniform(double low = 0, double high = 1);  // in [low, high)
  size_t below(size_t n);                    // in [0, n), n > 0
  int poisson(double mean);                  // copies of a record for sampling with replacement
  // A random order of 0..n-1: what std::shuffle does to n records with this
  // engine (its swaps depend only on n and the draws).
  std::vector<size_t> shuffled_order(size_t n);

  // Reorders `v` as std::shuffle would.
  template <class T> void shuffle(std::vector<T>& v) {
    std::vector<size_t> order = shuffled_order(v.size());
    std::vector<T> out;
    out.reserve(v.size());
    for (size_t i : order) out.push_back(std::move(v[i]));
    v = std::move(out);
  }

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace brasa
