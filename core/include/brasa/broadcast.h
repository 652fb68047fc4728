// Broadcast variables: large read-only values shared by all tasks. The handle
// is a small trivially copyable id, so closures may capture it; value()
// resolves it in the process the task runs in.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace brasa {

class BroadcastManager {
 public:
  uint64_t put(std::shared_ptr<const void> value);
  // Throws std::runtime_error if `id` was destroyed or never existed.
  const void* get(uint64_t id) const;
  void remove(uint64_t id);
  // Counts remove() calls; cached lookups are valid while it is unchanged.
  uint64_t removals() const { return removals_.load(std::memory_order_acquire); }

 private:
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, std::shared_ptr<const void>> values_;
  std::atomic<uint64_t> removals_{0};
};

template <class T> class Broadcast {
 public:
  Broadcast() = default;
  Broadcast(uint64_t id, BroadcastManager* manager) : id_(id), manager_(manager) {}

  const T& value() const {
    // One-entry cache per thread: tasks call value() per record.
    thread_local uint64_t cached_id = 0;
    thread_local uint64_t cached_removals = 0;
    thread_local const void* cached = nullptr;
    uint64_t removals = manager_->removals();
    if (cached_id != id_ || cached == nullptr || cached_removals != removals) {
      cached = manager_->get(id_);
      cached_id = id_;
      cached_removals = removals;
    }
    return *static_cast<const T*>(cached);
  }
  uint64_t id() const { return id_; }
  // Releases the value; using the handle afterwards is an error.
  void destroy() const { manager_->remove(id_); }

 private:
  uint64_t id_ = 0;
  BroadcastManager* manager_ = nullptr;  // of the driver; resolved per process in cluster mode
};

}  // namespace brasa
