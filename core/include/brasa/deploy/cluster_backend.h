// The driver's side of a cluster: it starts (or, later, is given) executor
// processes, serves their registrations, heartbeats and broadcast fetches,
// and runs task attempts on their cores. The DAG scheduler decides what
// runs; this decides where, and moves the plans and results.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <stdexcept>

namespace brasa {

class Runtime;

// A task attempt ended because its executor died or became unreachable: not
// the task's fault, so it is retried without counting as a failure.
class ExecutorLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class JobAction;

class ClusterBackend {
 public:
  // local-cluster[E,C]: starts E executor processes of C cores each, running
  // this binary, and waits until all have registered. Throws
  // std::runtime_error (with the executor's log) if one fails to start.
  static std::unique_ptr<ClusterBackend> start_local_cluster(Runtime& runtime, int executors, int cores);
  // brasa://host:port: registers with the standalone master, ships this
  // binary to its workers and waits for the executors it launches.
  static std::unique_ptr<ClusterBackend> start_standalone(Runtime& runtime, const std::string& master);
  ~ClusterBackend();  // stops the executors and waits for them to exit

  // One attempt of one task.
  struct Attempt {
    int job_id = 0;
    int stage_id = 0;
    int partition = 0;
    int attempt = 0;
    const std::string* plan = nullptr;             // the stage plan
    const std::vector<int>* read_shuffles = nullptr;  // shuffles whose outputs the stage reads
    const std::vector<int>* cached_rdds = nullptr;    // persisted RDDs whose partition `partition` it uses
    bool pinned = false;  // one of them is a local checkpoint: wait for the executor that holds it
    int map_shuffle_id = -1;  // for a map task: the shuffle it writes
    int num_maps = 0;
    JobAction* action = nullptr;  // for a result task: where the result goes
    const std::atomic<bool>* cancelled = nullptr;  // the job's cancel flag
  };
  // Runs the attempt on a free executor core, waiting for one; preferably
  // (for up to brasa.locality.wait, or as long as it lives when pinned) on
  // the executor that cached the partition the task reads. Throws
  // FetchFailed, or std::runtime_error with the task's error.
  void run(const Attempt& attempt);

  // Cancels the job's task calls in flight: their executors stop the tasks
  // at the next batch, and run() throws TaskCancelled.
  void cancel_job(int job_id);

  int total_cores() const;
  // True when an executor reported every partition of the RDD cached (it
  // may have evicted one since: tasks then report BlockMissing).
  bool has_cached(int rdd_id, int num_partitions) const;
  // host:port of the driver's RPC service.
  std::string driver_address() const;
  int live_executors() const;
  // Process ids of the live executors this driver started (local-cluster).
  std::vector<int> executor_pids() const;

  struct Impl;

 private:
  explicit ClusterBackend(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace brasa
