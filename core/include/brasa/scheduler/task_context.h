// What a running task knows about itself. Reachable from user code through
// TaskContext::current() (null on the driver, outside tasks). Accumulator
// updates collect here and reach the driver's registry only when the task
// attempt succeeds, so a retried task counts once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "brasa/scheduler/task_metrics.h"

namespace brasa {

class Runtime;
class BroadcastManager;
class ByteWriter;
class ByteReader;

// A typed accumulator value, merged by the registry.
class AccumulatorCell {
 public:
  virtual ~AccumulatorCell() = default;
  virtual void merge_from(const AccumulatorCell& other) = 0;
  // For updates made in an executor: the value, and merging it on the driver.
  virtual void write(ByteWriter& w) const = 0;
  virtual void merge_encoded(ByteReader& r) = 0;
};

class TaskContext {
 public:
  TaskContext(Runtime& runtime, int stage_id, int partition, int attempt)
      : runtime_(runtime), stage_id_(stage_id), partition_(partition), attempt_(attempt) {}

  static TaskContext* current();

  Runtime& runtime() const { return runtime_; }
  BroadcastManager& broadcasts() const;
  int stage_id() const { return stage_id_; }
  int partition() const { return partition_; }
  int attempt() const { return attempt_; }

  // The task-local cell of accumulator `id`, created by make() on first use.
  template <class Make> AccumulatorCell& accumulator_cell(uint64_t id, Make&& make) {
    for (auto& [cid, cell] : updates_)
      if (cid == id) return *cell;
    updates_.emplace_back(id, make());
    return *updates_.back().second;
  }
  std::vector<std::pair<uint64_t, std::unique_ptr<AccumulatorCell>>>& accumulator_updates() { return updates_; }

  // What the attempt did (see task_metrics.h), and the executor it ran on
  // (-1: the driver's own threads).
  TaskMetrics& metrics() { return metrics_; }
  int executor_id() const { return executor_id_; }
  void set_executor_id(int id) { executor_id_ = id; }

  // Set while the task's job is being cancelled; the data path checks it
  // between batches (see check_cancelled in sink.h).
  void watch_cancel(const std::atomic<bool>* flag) { cancelled_ = flag; }
  // In an executor: asks the driver's task stream whether it was cancelled.
  void poll_cancel(std::function<bool()> poll) { poll_ = std::move(poll); }
  bool cancelled() const {
    return (cancelled_ && cancelled_->load(std::memory_order_relaxed)) || (poll_ && poll_());
  }

  // Makes this the current task of the calling thread for its lifetime.
  class Scope {
   public:
    explicit Scope(TaskContext* tc);
    ~Scope();

   private:
    TaskContext* previous_;
  };

 private:
  Runtime& runtime_;
  int stage_id_;
  int partition_;
  int attempt_;
  std::vector<std::pair<uint64_t, std::unique_ptr<AccumulatorCell>>> updates_;
  TaskMetrics metrics_;
  int executor_id_ = -1;
  const std::atomic<bool>* cancelled_ = nullptr;
  std::function<bool()> poll_;
};

}  // namespace brasa
