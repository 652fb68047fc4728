#include "brasa/scheduler/task_context.h"

namespace brasa {
namespace {
thread_local TaskContext* current_task = nullptr;
}

TaskContext* TaskContext::current() { return current_task; }

TaskContext::Scope::Scope(TaskContext* tc) : previous_(current_task) { current_task = tc; }
TaskContext::Scope::~Scope() { current_task = previous_; }

}  // namespace brasa
