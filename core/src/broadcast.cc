#include "brasa/broadcast.h"

#include <atomic>
#include <stdexcept>
#include <string>

namespace brasa {
namespace {
// Ids are unique in the process, so a thread's cached lookup never aliases.
std::atomic<uint64_t> next_broadcast_id{1};
}  // namespace

uint64_t BroadcastManager::put(std::shared_ptr<const void> value, Encode encode) {
  uint64_t id = next_broadcast_id++;
  std::lock_guard lock(mu_);
  values_.emplace(id, Entry{std::move(value), encode});
  return id;
}

const void* BroadcastManager::get(uint64_t id, Decode decode) {
  {
    std::lock_guard lock(mu_);
    auto it = values_.find(id);
    if (it != values_.end()) return it->second.value.get();
    if (!fetcher_) throw std::runtime_error("broadcast " + std::to_string(id) + " was destroyed or does not exist");
  }
  // Fetched outside the lock; concurrent first uses may fetch twice, the first stored wins.
  auto value = decode(fetcher_(id));
  std::lock_guard lock(mu_);
  return values_.emplace(id, Entry{std::move(value), nullptr}).first->second.value.get();
}

std::string BroadcastManager::encoded(uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = values_.find(id);
  if (it == values_.end() || !it->second.encode)
    throw std::runtime_error("broadcast " + std::to_string(id) + " was destroyed or does not exist");
  return it->second.encode(it->second.value.get());
}

void BroadcastManager::remove(uint64_t id) {
  std::function<void(uint64_t)> hook;
  {
    std::lock_guard lock(mu_);
    values_.erase(id);
    removals_.fetch_add(1, std::memory_order_release);
    hook = on_remove_;
  }
  if (hook) hook(id);
}

}  // namespace brasa
