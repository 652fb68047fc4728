// The services behind one Context, shared by every RDD node it created:
// scheduler, block manager, shuffle outputs, broadcasts, accumulators and the
// event bus. Nodes hold it by shared_ptr, so it lives as long as any RDD.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "brasa/conf.h"

namespace brasa {

class BlockManager;
class ShuffleManager;
class BroadcastManager;
class AccumulatorRegistry;
class EventBus;
class DAGScheduler;
class Backend;
class ClusterBackend;

class Runtime {
 public:
  explicit Runtime(Conf conf);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const Conf& conf() const { return conf_; }
  int threads() const { return threads_; }
  int default_parallelism() const { return default_parallelism_; }
  // Scratch directory of this context (spills, disk blocks); removed at exit.
  const std::string& local_dir() const { return local_dir_; }
  // Bytes one task may hold in shuffle buffers and aggregation tables before
  // it spills to disk (brasa.memory.shuffle; the same for every task, so
  // that results do not depend on the number of threads or executors).
  size_t task_shuffle_memory() const { return task_shuffle_memory_; }

  BlockManager& block_manager() { return *block_manager_; }
  ShuffleManager& shuffle_manager() { return *shuffle_manager_; }
  BroadcastManager& broadcasts() { return *broadcasts_; }
  AccumulatorRegistry& accumulators() { return *accumulators_; }
  EventBus& events() { return *events_; }
  DAGScheduler& scheduler() { return *scheduler_; }
  // Where tasks run: a thread pool here, or executor processes.
  Backend& backend() { return *backend_; }
  // The backend when it is a Brasa cluster (local-cluster, brasa://); null
  // otherwise.
  ClusterBackend* cluster();

  int new_rdd_id() { return next_rdd_id_++; }
  int new_shuffle_id() { return next_shuffle_id_++; }

 private:
  Conf conf_;
  int threads_;
  int default_parallelism_;
  std::string local_dir_;
  size_t task_shuffle_memory_ = 0;
  std::atomic<int> next_rdd_id_{0};
  std::atomic<int> next_shuffle_id_{0};
  std::unique_ptr<EventBus> events_;
  std::unique_ptr<BlockManager> block_manager_;
  std::unique_ptr<ShuffleManager> shuffle_manager_;
  std::unique_ptr<BroadcastManager> broadcasts_;
  std::unique_ptr<AccumulatorRegistry> accumulators_;
  std::unique_ptr<DAGScheduler> scheduler_;
  std::unique_ptr<Backend> backend_;
};

}  // namespace brasa
