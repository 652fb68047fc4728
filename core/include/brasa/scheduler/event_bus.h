// One asynchronous bus for scheduler events. The progress bar, the web UI's
// application status and the event log are listeners; the scheduler only
// posts. Users may add listeners of their own (ctx.runtime().events()).
//
// Listeners run on the bus's thread, never the scheduler's; the queue is
// bounded (brasa.events.queue_size, default 100,000): a task event (start,
// placed, end) posted to a full queue is dropped and counted rather than
// wait for a slow listener (job, stage, executor and storage events are
// always kept).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "brasa/scheduler/task_metrics.h"

namespace brasa {

struct Event {
  enum class Type {
    kJobStart,
    kJobEnd,
    kStageSubmitted,
    kStageCompleted,
    kTaskStart,
    kTaskEnd,
    // A cluster backend gave the task attempt an executor's core (stage_id,
    // partition, executor_id); local tasks run where they start.
    kTaskPlaced,
    kExecutorAdded,  // executor_id, name = its host:port (or "localhost (pid N)"), num_tasks = its cores
    kExecutorLost,   // executor_id, error = why
    // An iterative algorithm finished one iteration: name = the algorithm,
    // iteration (1-based), seconds = its wall time, value = a figure of it
    // (loss, cost, messages sent; NaN when it has none).
    kIterationEnd,
    // Storage: an RDD marked persistent (rdd_id, name = its name,
    // storage_level, num_tasks = its partitions); a block of it stored, moved
    // to disk or gone (rdd_id, partition, executor_id, memory_bytes,
    // disk_bytes: both 0 when gone); the RDD unpersisted (rdd_id).
    kRddPersisted,
    kBlockUpdated,
    kRddUnpersisted,
  };
  Type type;
  int job_id = -1;
  int stage_id = -1;
  int partition = -1;
  int num_tasks = 0;
  bool ok = true;
  double seconds = 0;
  std::string name = {};   // job or stage description
  std::string error = {};  // for failures
  int executor_id = -1;
  int iteration = -1;
  double value = 0;
  std::vector<int> parents = {};  // kStageSubmitted: the stages whose shuffle outputs it reads
  double time = 0;  // when it was posted: seconds since the Unix epoch (post() sets it when 0)
  TaskMetrics metrics = {};  // kTaskEnd: what the attempt did (executor_id: where; -1 the driver)
  int rdd_id = -1;
  int64_t memory_bytes = 0, disk_bytes = 0;
  std::string storage_level = {};
};

const char* event_type_name(Event::Type type);  // "JobStart", "TaskEnd", ...
double epoch_seconds();                         // now, as Event::time counts

class Listener {
 public:
  virtual ~Listener() = default;
  virtual void on_event(const Event& e) = 0;
  // Called about every 100 ms from the bus thread (for redrawing).
  virtual void on_tick() {}
};

class EventBus {
 public:
  explicit EventBus(size_t queue_size = 100000);
  ~EventBus();  // delivers what is queued, then stops

  void add_listener(std::shared_ptr<Listener> listener);
  void remove_listener(const std::shared_ptr<Listener>& listener);
  std::vector<std::shared_ptr<Listener>> listeners() const;
  // Queues the event (or drops a task event when the queue is full); task
  // events reach listeners within a tick (100 ms).
  void post(Event e);
  // Waits until every event posted so far has been delivered.
  void flush();
  // Task events dropped because the queue was full.
  uint64_t dropped() const;

 private:
  void run();

  const size_t queue_size_;
  uint64_t dropped_ = 0;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable drained_;
  std::deque<Event> queue_;
  std::vector<std::shared_ptr<Listener>> listeners_;
  bool delivering_ = false;
  bool wake_ = false;  // deliver now, without waiting for the tick
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace brasa
