#include "brasa/scheduler/event_bus.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace brasa {

const char* event_type_name(Event::Type type) {
  switch (type) {
    case Event::Type::kJobStart: return "JobStart";
    case Event::Type::kJobEnd: return "JobEnd";
    case Event::Type::kStageSubmitted: return "StageSubmitted";
    case Event::Type::kStageCompleted: return "StageCompleted";
    case Event::Type::kTaskStart: return "TaskStart";
    case Event::Type::kTaskEnd: return "TaskEnd";
    case Event::Type::kTaskPlaced: return "TaskPlaced";
    case Event::Type::kExecutorAdded: return "ExecutorAdded";
    case Event::Type::kExecutorLost: return "ExecutorLost";
    case Event::Type::kIterationEnd: return "IterationEnd";
    case Event::Type::kRddPersisted: return "RddPersisted";
    case Event::Type::kBlockUpdated: return "BlockUpdated";
    case Event::Type::kRddUnpersisted: return "RddUnpersisted";
  }
  return "Unknown";
}

double epoch_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

EventBus::EventBus(size_t queue_size) : queue_size_(std::max<size_t>(queue_size, 1)), thread_([this] { run(); }) {}

EventBus::~EventBus() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

// A listener hears what is posted from now on: task events of a job that
// has ended may still be queued (they do not wake the bus), and a listener
// that counts a job's bytes would count the earlier job's too.
void EventBus::add_listener(std::shared_ptr<Listener> listener) {
  flush();
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(listener));
}

std::vector<std::shared_ptr<Listener>> EventBus::listeners() const {
  std::lock_guard lock(mu_);
  return listeners_;
}

uint64_t EventBus::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

void EventBus::remove_listener(const std::shared_ptr<Listener>& listener) {
  flush();
  std::lock_guard lock(mu_);
  listeners_.erase(std::remove(listeners_.begin(), listeners_.end(), listener), listeners_.end());
}

// Task events do not wake the bus: tasks post two each, and waking a thread
// per event costs more than a short task (two context switches). They are
// delivered every tick, when the queue grows long, with the next job, stage
// or executor event, and on flush().
constexpr size_t kWakeAt = 4096;

void EventBus::post(Event e) {
  if (e.time == 0)
    e.time = epoch_seconds();
  bool wake;
  {
    std::lock_guard lock(mu_);
    const bool task = e.type == Event::Type::kTaskStart || e.type == Event::Type::kTaskEnd ||
                      e.type == Event::Type::kTaskPlaced;
    // Only task events are dropped: a job, stage or executor event lost
    // would leave listeners with a job that never ends.
    if (task && queue_.size() >= queue_size_) {
      if (dropped_++ == 0) spdlog::warn("event queue full ({} events): dropping events", queue_size_);
      wake_ = true;
      cv_.notify_one();
      return;
    }
    queue_.push_back(std::move(e));
    wake = !task || queue_.size() >= kWakeAt;
    wake_ = wake_ || wake;
  }
  if (wake) cv_.notify_one();
}

void EventBus::flush() {
  // A listener flushing from the delivery thread would wait for itself.
  if (std::this_thread::get_id() == thread_.get_id()) return;
  std::unique_lock lock(mu_);
  wake_ = true;
  cv_.notify_one();
  drained_.wait(lock, [this] { return queue_.empty() && !delivering_; });
}

void EventBus::run() {
  constexpr auto kTick = std::chrono::milliseconds(100);
  auto last_tick = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait_for(lock, kTick, [this] { return stop_ || wake_; });
    wake_ = false;
    auto listeners = listeners_;
    std::deque<Event> batch;
    batch.swap(queue_);
    delivering_ = !batch.empty();
    bool stopping = stop_ && batch.empty();
    lock.unlock();
    for (const auto& e : batch)
      for (auto& l : listeners) {
        try {
          l->on_event(e);
        } catch (...) {
          spdlog::warn("an event listener failed on an event; ignoring");
        }
      }
    // Tick on time even while events keep coming (a busy stage must redraw).
    if (auto now = std::chrono::steady_clock::now(); now - last_tick >= kTick) {
      last_tick = now;
      for (auto& l : listeners) {
        try {
          l->on_tick();
        } catch (...) {
          spdlog::warn("an event listener failed on a tick; ignoring");
        }
      }
    }
    lock.lock();
    delivering_ = false;
    if (queue_.empty()) drained_.notify_all();
    if (stopping) return;
  }
}

}  // namespace brasa
