// The driver's side of a cluster: it starts (or is given) executor
// processes, serves their registrations, heartbeats and broadcast fetches,
// and runs task attempts on their cores. The DAG scheduler decides what
// runs; this decides where, and moves the plans and results.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "brasa/scheduler/backend.h"

namespace brasa {

class Runtime;
namespace deploy {
class ExecutorLauncher;
}

class ClusterBackend final : public Backend {
 public:
  // local-cluster[E,C]: starts E executor processes of C cores each, running
  // this binary, and waits until all have registered. Throws
  // std::runtime_error (with the executor's log) if one fails to start.
  static std::unique_ptr<ClusterBackend> start_local_cluster(Runtime& runtime, int executors, int cores);
  // brasa://host:port: registers with the standalone master, ships this
  // binary to its workers and waits for the executors it launches.
  static std::unique_ptr<ClusterBackend> start_standalone(Runtime& runtime, const std::string& master);
  // slurm: inside a Slurm allocation (salloc, sbatch), starts one executor
  // per allocated task as an srun step running this binary, with the
  // task's CPUs and memory, and replaces lost ones while it may. Throws
  // std::runtime_error outside an allocation.
  static std::unique_ptr<ClusterBackend> start_slurm(Runtime& runtime);
  ~ClusterBackend() override;  // stops the executors and waits for them to exit

  // One plain thread per core: each task waits for an executor core and
  // then for its result, none busy while waiting.
  void run_all(size_t n, const std::function<void(size_t)>& task) override;
  // Runs the attempt on a free executor core, waiting for one; preferably
  // (for up to brasa.locality.wait, or as long as it lives when pinned) on
  // the executor that cached the partition the task reads.
  void run(const TaskAttempt& attempt) override;
  int total_cores() const override;
  bool ships_plans() const override { return true; }
  // From what executors reported they keep.
  bool has_cached(int rdd_id, int num_partitions) const override;
  // Cancels the job's task calls in flight: their executors stop the tasks
  // at the next batch, and run() throws TaskCancelled.
  void cancel_job(int job_id) override;

  // host:port of the driver's RPC service.
  std::string driver_address() const;
  int live_executors() const;
  // Process ids of the live executors this driver started (local-cluster;
  // for slurm, their srun processes).
  std::vector<int> executor_pids() const;

  struct Impl;

 private:
  explicit ClusterBackend(std::unique_ptr<Impl> impl);
  // local-cluster and slurm: starts the launcher's executors and waits for them.
  static std::unique_ptr<ClusterBackend> start_launched(Runtime& runtime,
                                                        std::unique_ptr<deploy::ExecutorLauncher> launcher,
                                                        std::string secret);
  std::unique_ptr<Impl> impl_;
};

}  // namespace brasa
