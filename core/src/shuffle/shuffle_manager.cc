#include "brasa/shuffle/shuffle_manager.h"

#include <stdexcept>
#include <string>

namespace brasa {

void ShuffleManager::register_shuffle(int shuffle_id, int num_maps) {
  std::lock_guard lock(mu_);
  outputs_[shuffle_id].resize(static_cast<size_t>(num_maps));
}

void ShuffleManager::put(int shuffle_id, int map_id, std::shared_ptr<const MapOutputBase> output) {
  std::lock_guard lock(mu_);
  auto it = outputs_.find(shuffle_id);
  if (it == outputs_.end()) return;  // the shuffle was dropped while its map task ran
  it->second.at(static_cast<size_t>(map_id)) = std::move(output);
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
  outputs_.erase(shuffle_id);
}

size_t ShuffleManager::num_shuffles() const {
  std::lock_guard lock(mu_);
  return outputs_.size();
}

}  // namespace brasa
