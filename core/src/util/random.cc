#include "brasa/util/random.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <random>

namespace brasa {

struct Random::State {
  std::mt19937_64 engine;
  std::optional<std::poisson_distribution<int>> poisson;  // kept: it carries state between draws
};

Random::Random(uint64_t seed) : state_(std::make_unique<State>(State{std::mt19937_64(seed), std::nullopt})) {}
Random::Random(Random&&) noexcept = default;
Random& Random::operator=(Random&&) noexcept = default;
Random::~Random() = default;

uint64_t Random::next() { return state_->engine(); }

double Random::uniform(double low, double high) {
  return std::uniform_real_distribution<double>(low, high)(state_->engine);
}

size_t Random::below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(state_->engine); }

int Random::poisson(double mean) {
  auto& d = state_->poisson;
  if (!d || d->mean() != mean) d.emplace(mean);
  return (*d)(state_->engine);
}

std::vector<size_t> Random::shuffled_order(size_t n) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::shuffle(order.begin(), order.end(), state_->engine);
  return order;
}

}  // namespace brasa
