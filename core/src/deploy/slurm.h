// Slurm as a cluster manager: what a driver started inside an allocation
// (salloc, sbatch) is given, and the srun command that starts one executor
// as a job step of it. Private to core/src/deploy.
#pragma once

#include <string>
#include <vector>

namespace brasa::deploy {

// The allocation this process runs in, read from Slurm's environment.
struct SlurmAllocation {
  std::string job_id;
  int tasks = 0;              // executors: one per allocated task
  int cpus_per_task = 1;      // each executor's cores
  long long mem_per_task_mb = 0;  // 0: the allocation sets no memory
  std::string node_list;      // SLURM_JOB_NODELIST, compressed ("node[01-04]")
  std::string submit_dir;

  // From the environment; throws std::runtime_error saying to use salloc or
  // sbatch when SLURM_JOB_ID is not set.
  static SlurmAllocation from_environment();
  // Whether SLURM_JOB_ID is set.
  static bool inside();

  // True when every node of the allocation is this machine: driver and
  // executors then talk over the loopback interface.
  bool on_this_machine_only() const;

  // The job's state as squeue gives it (RUNNING, CANCELLED, TIMEOUT, ...;
  // PURGED when Slurm no longer lists it); empty if squeue cannot tell.
  std::string state() const;

  // The srun command (program and arguments) that starts executor `id` as a
  // one-task step running `exe`, with its output and errors in `log`.
  // Secrets travel in the environment, which srun exports to the step.
  std::vector<std::string> srun_command(int id, const std::string& exe, const std::string& log) const;
};

}  // namespace brasa::deploy
