#include "brasa/accumulator.h"

namespace brasa {

uint64_t AccumulatorRegistry::create(std::unique_ptr<AccumulatorCell> initial) {
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  cells_.emplace(id, std::move(initial));
  return id;
}

void AccumulatorRegistry::merge(std::vector<std::pair<uint64_t, std::unique_ptr<AccumulatorCell>>>& updates) {
  std::lock_guard lock(mu_);
  for (auto& [id, cell] : updates) {
    auto it = cells_.find(id);
    if (it != cells_.end()) it->second->merge_from(*cell);
  }
  updates.clear();
}

}  // namespace brasa
