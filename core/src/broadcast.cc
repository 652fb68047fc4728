#include "brasa/broadcast.h"

#include <atomic>
#include <future>
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
  std::promise<std::shared_ptr<const void>> fetched;
  {
    std::unique_lock lock(mu_);
    auto it = values_.find(id);
    if (it != values_.end()) return it->second.value.get();
    if (!fetcher_) throw std::runtime_error("broadcast " + std::to_string(id) + " was destroyed or does not exist");
    if (auto f = fetching_.find(id); f != fetching_.end()) {  // another task is fetching it: wait for that
      auto pending = f->second;
      lock.unlock();
      return pending.get().get();
    }
    fetching_.emplace(id, fetched.get_future().share());
  }
  // One fetch per executor, outside the lock.
  try {
    auto value = decode(fetcher_(id));
    std::lock_guard lock(mu_);
    const void* out = values_.emplace(id, Entry{value, nullptr}).first->second.value.get();
    fetched.set_value(std::move(value));
    fetching_.erase(id);
    return out;
  } catch (...) {
    std::lock_guard lock(mu_);
    fetched.set_exception(std::current_exception());
    fetching_.erase(id);
    throw;
  }
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

void BroadcastManager::unpersist(uint64_t id) {
  std::function<void(uint64_t)> hook;
  {
    std::lock_guard lock(mu_);
    if (!values_.count(id)) throw std::runtime_error("broadcast " + std::to_string(id) + " was destroyed or does not exist");
    hook = on_remove_;
  }
  if (hook) hook(id);
}

}  // namespace brasa
