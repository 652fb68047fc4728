// Where tasks run. The DAG scheduler decides what runs and when; a backend
// decides where, moves plans and results, and tells the scheduler when an
// executor is lost. LocalBackend runs tasks on a TBB arena in this process
// (local[N]); ClusterBackend (deploy/) runs them on executor processes over
// gRPC (local-cluster, brasa://). Another launcher -- an existing cluster
// manager -- is one more subclass, made by make_backend (runtime.cc).
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace brasa {

class JobAction;
class ShuffleDependencyBase;

// One attempt of one task, as the scheduler hands it to a backend.
struct TaskAttempt {
  int job_id = 0;
  int stage_id = 0;
  int partition = 0;
  int attempt = 0;
  // A map task writes this shuffle's outputs; a result task (shuffle null)
  // hands its result to `action`.
  ShuffleDependencyBase* shuffle = nullptr;
  JobAction* action = nullptr;
  const std::string* plan = nullptr;                // the stage plan, when the backend ships_plans()
  const std::vector<int>* read_shuffles = nullptr;  // shuffles whose outputs the stage reads
  const std::vector<int>* cached_rdds = nullptr;    // persisted RDDs whose partition `partition` it uses
  bool pinned = false;  // one of them is a local checkpoint: run where its block is, or nowhere
  const std::atomic<bool>* cancelled = nullptr;     // the job's cancel flag
};

// A task attempt ended because its executor died or became unreachable.
class ExecutorLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // Calls task(i) for every i in [0, n), as many at once as the backend has
  // task slots, and returns when all have returned. run() is called from
  // inside these calls.
  virtual void run_all(size_t n, const std::function<void(size_t)>& task) = 0;

  // Runs one attempt and returns when it has ended. Throws FetchFailed (a
  // map output it reads is gone), BlockMissing (a cached block the plan
  // relies on is gone), TaskCancelled, ExecutorLost, or any other exception
  // with the task's own error.
  virtual void run(const TaskAttempt& attempt) = 0;

  // Task slots (cores) of the live executors.
  virtual int total_cores() const = 0;
  // True when tasks run in other processes: they need stage plans.
  virtual bool ships_plans() const = 0;
  // True when every partition of the RDD is cached somewhere (a block may
  // have been evicted since: tasks then throw BlockMissing).
  virtual bool has_cached(int rdd_id, int num_partitions) const = 0;
  // Stops the job's tasks in flight at their next batch.
  virtual void cancel_job(int job_id) = 0;
};

}  // namespace brasa
