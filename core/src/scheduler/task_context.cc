#include "brasa/scheduler/task_context.h"

#include "brasa/util/sink.h"
#include "brasa/runtime.h"

namespace brasa {
namespace {
thread_local TaskContext* current_task = nullptr;
}

TaskContext* TaskContext::current() { return current_task; }

BroadcastManager& TaskContext::broadcasts() const { return runtime_.broadcasts(); }

void check_cancelled() {
  if (current_task && current_task->cancelled()) throw TaskCancelled();
}

TaskContext::Scope::Scope(TaskContext* tc) : previous_(current_task) { current_task = tc; }
TaskContext::Scope::~Scope() { current_task = previous_; }

}  // namespace brasa
