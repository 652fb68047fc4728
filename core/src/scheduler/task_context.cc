#include "brasa/scheduler/task_context.h"

#include "brasa/util/sink.h"
#include "brasa/runtime.h"

#include <atomic>

namespace brasa {
namespace {
thread_local TaskContext* current_task = nullptr;
std::atomic<size_t> cached_copied{0};
}  // namespace

size_t cached_bytes_copied() { return cached_copied.load(std::memory_order_relaxed); }
void add_cached_bytes_copied(size_t bytes) { cached_copied.fetch_add(bytes, std::memory_order_relaxed); }

TaskContext* TaskContext::current() { return current_task; }

TaskMetrics* current_task_metrics() { return current_task ? &current_task->metrics() : nullptr; }

BroadcastManager& TaskContext::broadcasts() const { return runtime_.broadcasts(); }

void check_cancelled() {
  if (current_task && current_task->cancelled()) throw TaskCancelled();
}

TaskContext::Scope::Scope(TaskContext* tc) : previous_(current_task) { current_task = tc; }
TaskContext::Scope::~Scope() { current_task = previous_; }

}  // namespace brasa
