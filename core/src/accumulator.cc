#include "brasa/accumulator.h"

#include <stdexcept>
#include <string>

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

void AccumulatorRegistry::write_updates(
    ByteWriter& w, const std::vector<std::pair<uint64_t, std::unique_ptr<AccumulatorCell>>>& updates) {
  w.write_size(updates.size());
  for (const auto& [id, cell] : updates) {
    w.write(id);
    cell->write(w);
  }
}

void AccumulatorRegistry::merge_encoded(ByteReader& r) {
  std::lock_guard lock(mu_);
  for (uint64_t n = r.read_size(); n > 0; --n) {
    auto id = r.read<uint64_t>();
    auto it = cells_.find(id);
    if (it == cells_.end()) throw std::runtime_error("task result names unknown accumulator " + std::to_string(id));
    it->second->merge_encoded(r);
  }
}

}  // namespace brasa
