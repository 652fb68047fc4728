#include "local_backend.h"

#include <tbb/global_control.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include <algorithm>
#include <chrono>

#include "brasa/rdd/rdd_base.h"
#include "brasa/runtime.h"
#include "brasa/scheduler/dag_scheduler.h"
#include "brasa/scheduler/task_metrics.h"
#include "brasa/storage/block_manager.h"

namespace brasa {

struct LocalBackend::Arena {
  // TBB's global pool has hardware_concurrency-1 workers by default; local[N]
  // with N above that must still run N tasks at once.
  explicit Arena(int threads)
      : control(tbb::global_control::max_allowed_parallelism,
                std::max<size_t>(static_cast<size_t>(threads), tbb::this_task_arena::max_concurrency())),
        arena(threads) {}
  tbb::global_control control;
  tbb::task_arena arena;
};

LocalBackend::LocalBackend(Runtime& runtime, int threads)
    : runtime_(runtime), threads_(threads), arena_(std::make_unique<Arena>(threads)) {}

LocalBackend::~LocalBackend() = default;

void LocalBackend::run_all(size_t n, const std::function<void(size_t)>& task) {
  arena_->arena.execute([&] {
    tbb::task_group group;
    for (size_t i = 0; i < n; ++i) group.run([&task, i] { task(i); });
    group.wait();
  });
}

void LocalBackend::run(const TaskAttempt& a) {
  const auto start = std::chrono::steady_clock::now();
  if (a.shuffle)
    a.shuffle->run_map_task(a.partition);
  else
    a.action->run_here(a.partition);
  if (TaskMetrics* m = current_task_metrics())  // as executors time theirs
    m->run_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
}

bool LocalBackend::has_cached(int rdd_id, int num_partitions) const {
  for (int p = 0; p < num_partitions; ++p)
    if (!runtime_.block_manager().contains({rdd_id, p})) return false;
  return true;
}

}  // namespace brasa
