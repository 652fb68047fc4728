#include "brasa/shuffle/shuffle_manager.h"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <string>

namespace brasa {

void ShuffleManager::register_shuffle(int shuffle_id, int num_maps) {
  std::lock_guard lock(mu_);
  outputs_[shuffle_id].resize(static_cast<size_t>(num_maps));
}

void ShuffleManager::put(Runtime& runtime, int shuffle_id, int map_id, std::shared_ptr<MapOutputBase> output) {
  bool spill;
  {
    std::lock_guard lock(mu_);
    spill = used_ + output->memory_bytes > budget_;
    if (!spill) used_ += output->memory_bytes;  // reserve before the lock is dropped
  }
  if (spill && output->memory_bytes > 0) {
    spdlog::debug("shuffle {} map {}: {} bytes over the shuffle memory budget; spilling", shuffle_id, map_id,
                  output->memory_bytes);
    output->spill(runtime);
  }
  std::lock_guard lock(mu_);
  auto it = outputs_.find(shuffle_id);
  if (it == outputs_.end() || it->second.at(static_cast<size_t>(map_id))) {
    used_ -= output->memory_bytes;  // dropped meanwhile, or computed twice: release the reservation
    return;
  }
  it->second[static_cast<size_t>(map_id)] = std::move(output);
}

std::shared_ptr<const MapOutputBase> ShuffleManager::get(int shuffle_id, int map_id) const {
  std::lock_guard lock(mu_);
  auto it = outputs_.find(shuffle_id);
  if (it == outputs_.end() || !it->second.at(static_cast<size_t>(map_id)))
    throw std::runtime_error("missing output of map task " + std::to_string(map_id) + " of shuffle " +
                             std::to_string(shuffle_id));
  return it->second[static_cast<size_t>(map_id)];
}

std::vector<int> ShuffleManager::missing_maps(int shuffle_id) const {
  std::lock_guard lock(mu_);
  std::vector<int> missing;
  auto it = outputs_.find(shuffle_id);
  if (it == outputs_.end()) return missing;
  for (size_t i = 0; i < it->second.size(); ++i)
    if (!it->second[i]) missing.push_back(static_cast<int>(i));
  return missing;
}

void ShuffleManager::remove(int shuffle_id) {
  std::lock_guard lock(mu_);
  auto it = outputs_.find(shuffle_id);
  if (it == outputs_.end()) return;
  for (auto& o : it->second)
    if (o) used_ -= o->memory_bytes;
  outputs_.erase(it);
}

size_t ShuffleManager::num_shuffles() const {
  std::lock_guard lock(mu_);
  return outputs_.size();
}

size_t ShuffleManager::memory_used() const {
  std::lock_guard lock(mu_);
  return used_;
}

}  // namespace brasa
