#include "brasa/broadcast.h"

#include <atomic>
#include <stdexcept>
#include <string>

namespace brasa {
namespace {
// Ids are unique in the process, so a thread's cached lookup never aliases.
std::atomic<uint64_t> next_broadcast_id{1};
}  // namespace

uint64_t BroadcastManager::put(std::shared_ptr<const void> value) {
  uint64_t id = next_broadcast_id++;
  std::lock_guard lock(mu_);
  values_.emplace(id, std::move(value));
  return id;
}

const void* BroadcastManager::get(uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = values_.find(id);
  if (it == values_.end())
    throw std::runtime_error("broadcast " + std::to_string(id) + " was destroyed or does not exist");
  return it->second.get();
}

void BroadcastManager::remove(uint64_t id) {
  std::lock_guard lock(mu_);
  values_.erase(id);
  removals_.fetch_add(1, std::memory_order_release);
}

}  // namespace brasa
