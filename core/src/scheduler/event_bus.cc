#include "brasa/scheduler/event_bus.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace brasa {

EventBus::EventBus() : thread_([this] { run(); }) {}

EventBus::~EventBus() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void EventBus::add_listener(std::shared_ptr<Listener> listener) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(listener));
}

void EventBus::remove_listener(const std::shared_ptr<Listener>& listener) {
  flush();
  std::lock_guard lock(mu_);
  listeners_.erase(std::remove(listeners_.begin(), listeners_.end(), listener), listeners_.end());
}

void EventBus::post(Event e) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(e));
  }
  cv_.notify_one();
}

void EventBus::flush() {
  std::unique_lock lock(mu_);
  drained_.wait(lock, [this] { return queue_.empty() && !delivering_; });
}

void EventBus::run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stop_ || !queue_.empty(); });
    auto listeners = listeners_;
    if (queue_.empty()) {
      drained_.notify_all();
      if (stop_) return;
      lock.unlock();
      for (auto& l : listeners) l->on_tick();
      lock.lock();
      continue;
    }
    std::deque<Event> batch;
    batch.swap(queue_);
    delivering_ = true;
    lock.unlock();
    for (const auto& e : batch) {
      for (auto& l : listeners) {
        try {
          l->on_event(e);
        } catch (const std::exception& ex) {
          spdlog::warn("event listener failed: {}", ex.what());
        }
      }
    }
    lock.lock();
    delivering_ = false;
    if (queue_.empty()) drained_.notify_all();
  }
}

}  // namespace brasa
