// Iterative algorithms keep their lineage short with local checkpoints,
// whose blocks live only in the executors' block managers. When an executor
// holding such a block dies, nothing upstream is left to recompute it from,
// and the job that needs it fails with LostLocalCheckpoint.
//
// restart_on_lost_local_checkpoint runs such an algorithm again from its
// input, which keeps its lineage: a deterministic algorithm gives the same
// bits the second time, at the cost of the work already done.
//
//   auto ranks = restart_on_lost_local_checkpoint("pagerank", [&] { return run_pagerank(graph); });
#pragma once

#include <string>

#include "brasa/scheduler/dag_scheduler.h"

namespace brasa {

class LostLocalCheckpoint : public JobError {
 public:
  using JobError::JobError;
};

namespace detail {
void log_restart(const std::string& algorithm, const std::string& why, int restart, int max_restarts);
}

// Returns run(); runs it again when it throws LostLocalCheckpoint, at most
// max_restarts times (then the error reaches the caller).
template <class Run>
auto restart_on_lost_local_checkpoint(const std::string& algorithm, Run&& run, int max_restarts = 3) {
  for (int restart = 1;; ++restart) {
    try {
      return run();
    } catch (const LostLocalCheckpoint& e) {
      if (restart > max_restarts) throw;
      detail::log_restart(algorithm, e.what(), restart, max_restarts);
    }
  }
}

}  // namespace brasa
