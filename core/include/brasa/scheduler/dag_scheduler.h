// Turns an action into stages and runs them. A job's final RDD is walked
// back through narrow dependencies; each shuffle dependency whose outputs
// are not all present becomes a map stage. Stages run in waves: every stage
// whose parents are done runs concurrently, one task per partition, on the
// Runtime's Backend (a TBB arena, or executor processes). A failing task is
// retried up to brasa.task.max_failures times; then the job fails with an
// error naming the stage, partition and cause.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace brasa {

class Runtime;
class RDDBase;
class TaskBody;
class ByteReader;

// An action's result stage as the scheduler sees it (see result_task.h).
class JobAction {
 public:
  virtual ~JobAction() = default;
  // What executors run for each partition.
  virtual const TaskBody& task() const = 0;
  // Local mode: computes partition p here and hands the result on.
  virtual void run_here(int p) = 0;
  // Cluster mode: decodes partition p's result and hands it on.
  virtual void deliver(int p, ByteReader& result) = 0;
};

// Thrown by actions when a job cannot complete.
class JobError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct JobStats {
  int job_id = -1;
  int stages_run = 0;      // including the result stage
  int stages_skipped = 0;  // shuffle map stages whose output already existed
  int tasks = 0;
  int failed_attempts = 0;
  double seconds = 0;
};

// Held by an action while it has something to undo if its job fails (a
// save's partial output), so that an interrupt waits for the undoing.
class UndoScope {
 public:
  UndoScope();
  ~UndoScope();
  UndoScope(const UndoScope&) = delete;
  UndoScope& operator=(const UndoScope&) = delete;
  static int active();
};

class DAGScheduler {
 public:
  // Tasks run on runtime.backend().
  DAGScheduler(Runtime& runtime, int max_failures);
  ~DAGScheduler();

  // Runs `action` for each p in `partitions` of `rdd`, after computing the
  // shuffle outputs it depends on. `name` describes the action
  // ("collect at main.cc:12"). Throws JobError.
  void run_job(const std::shared_ptr<RDDBase>& rdd, const std::vector<int>& partitions, JobAction& action,
               const std::string& name);

  JobStats last_job() const;

  // Cancels every running job: tasks stop at their next batch, no new
  // task starts, and each job's action throws JobError saying "cancelled"
  // and why (a save_* action removes its partial output). Safe to call
  // from any thread or from the SIGINT watcher.
  void cancel_all_jobs(const std::string& reason);
  int active_jobs() const;
  // SIGINT or SIGTERM (see brasa::init): cancels every job of the process;
  // the process then exits with 128 + sig as soon as the jobs' actions have
  // undone what they started (see UndoScope).
  static void interrupt(int sig);
  static int active_jobs_everywhere();

  // Called by backends. A lost executor's map outputs are forgotten (stages
  // that need them run again); both are published as events.
  void executor_added(int executor_id, const std::string& address, int cores);
  void executor_lost(int executor_id, const std::string& why);

 private:
  struct Stage;
  struct Job;
  void run_stages(Job& job);

  Runtime& runtime_;
  int max_failures_;
  mutable std::mutex mu_;
  JobStats last_;
  std::map<std::atomic<bool>*, int> active_;  // the cancel flags of running jobs, and their ids
  std::string cancel_reason_;
  int next_job_id_ = 0;
  int next_stage_id_ = 0;
};

}  // namespace brasa
