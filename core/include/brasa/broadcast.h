// Broadcast variables: large read-only values shared by all tasks. The handle
// is a small trivially copyable id, so closures may capture it; value()
// resolves it in the process the task runs in. An executor fetches a value
// from the driver the first time one of its tasks asks for it, then keeps it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "brasa/scheduler/task_context.h"
#include "brasa/util/serializer.h"

namespace brasa {

class BroadcastManager {
 public:
  using Encode = std::string (*)(const void*);
  using Decode = std::shared_ptr<const void> (*)(const std::string&);
  // Fetches the encoded value of a broadcast from the driver.
  using Fetcher = std::function<std::string(uint64_t id)>;

  uint64_t put(std::shared_ptr<const void> value, Encode encode);
  // The value of `id`, fetched and decoded on first use in an executor.
  // Throws std::runtime_error if `id` was destroyed or never existed.
  const void* get(uint64_t id, Decode decode);
  // The encoded value (the driver serves executors with it).
  std::string encoded(uint64_t id) const;
  void remove(uint64_t id);
  // Drops the copies held by executors (fetched again on next use); the
  // driver keeps the value.
  void unpersist(uint64_t id);
  // Counts remove() calls; cached lookups are valid while it is unchanged.
  uint64_t removals() const { return removals_.load(std::memory_order_acquire); }
  void set_fetcher(Fetcher fetcher) { fetcher_ = std::move(fetcher); }
  // Called with each removed id (the driver tells executors).
  void set_on_remove(std::function<void(uint64_t)> hook) {
    std::lock_guard lock(mu_);
    on_remove_ = std::move(hook);
  }

 private:
  struct Entry {
    std::shared_ptr<const void> value;
    Encode encode = nullptr;
  };
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, Entry> values_;
  std::atomic<uint64_t> removals_{0};
  Fetcher fetcher_;
  std::unordered_map<uint64_t, std::shared_future<std::shared_ptr<const void>>> fetching_;
  std::function<void(uint64_t)> on_remove_;
};

template <class T> class Broadcast {
 public:
  Broadcast() = default;
  Broadcast(uint64_t id, BroadcastManager* manager) : id_(id), manager_(manager) {}

  const T& value() const {
    // In a task, the manager of the process the task runs in; on the driver, the driver's.
    BroadcastManager* manager = manager_;
    if (TaskContext* tc = TaskContext::current()) manager = &tc->broadcasts();
    // A small cache per thread and type: tasks call value() per record, and
    // an iteration may read a few broadcasts of one type in turn.
    struct Slot {
      uint64_t id = 0, removals = 0;
      const BroadcastManager* manager = nullptr;
      const void* value = nullptr;
    };
    thread_local Slot slots[4];
    thread_local unsigned next = 0;
    uint64_t removals = manager->removals();
    for (const Slot& s : slots)
      if (s.id == id_ && s.value && s.removals == removals && s.manager == manager)
        return *static_cast<const T*>(s.value);
    Slot& s = slots[next++ % 4];
    s = {id_, removals, manager, manager->get(id_, &decode)};
    return *static_cast<const T*>(s.value);
  }
  uint64_t id() const { return id_; }
  // Releases the value everywhere; using the handle afterwards is an error.
  void destroy() const { manager_->remove(id_); }
  // Frees the executors' copies; a later use fetches the value again.
  void unpersist() const { manager_->unpersist(id_); }

  static std::string encode(const void* v) {
    ByteWriter w;
    if constexpr (Record<T>) w.write(*static_cast<const T*>(v));  // else Context::broadcast has said why
    return std::move(w.bytes());
  }
  static std::shared_ptr<const void> decode(const std::string& bytes) {
    ByteReader r(bytes);
    if constexpr (Record<T>) return std::make_shared<const T>(r.read<T>());
    return nullptr;
  }

 private:
  uint64_t id_ = 0;
  BroadcastManager* manager_ = nullptr;  // the driver's; tasks use their process's manager
};

// Owns a broadcast and destroys it when it goes out of scope: the value of
// one iteration (weights, centres) is freed once the iteration is done.
// Capture handle() in closures; the scope itself is move-only.
template <class T> class ScopedBroadcast {
 public:
  explicit ScopedBroadcast(Broadcast<T> b) : b_(b) {}
  ScopedBroadcast(ScopedBroadcast&& o) noexcept : b_(std::exchange(o.b_, Broadcast<T>())) {}
  ScopedBroadcast& operator=(ScopedBroadcast&& o) noexcept {
    if (this != &o) {
      reset();
      b_ = std::exchange(o.b_, Broadcast<T>());
    }
    return *this;
  }
  ~ScopedBroadcast() { reset(); }

  const Broadcast<T>& handle() const { return b_; }
  const T& value() const { return b_.value(); }

 private:
  void reset() {
    if (b_.id() != 0) b_.destroy();
    b_ = Broadcast<T>();
  }
  Broadcast<T> b_;
};

}  // namespace brasa
