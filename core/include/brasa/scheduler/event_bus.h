// One asynchronous bus for scheduler events. The progress bar, logs of job
// summaries and (later) the web UI and event log are listeners; the
// scheduler only posts.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace brasa {

struct Event {
  enum class Type {
    kJobStart,
    kJobEnd,
    kStageSubmitted,
    kStageCompleted,
    kTaskStart,
    kTaskEnd,
    kExecutorAdded,  // executor_id, name = its address, num_tasks = its cores
    kExecutorLost,   // executor_id, error = why
    // An iterative algorithm finished one iteration: name = the algorithm,
    // iteration (1-based), seconds = its wall time, value = a figure of it
    // (loss, cost, messages sent; NaN when it has none).
    kIterationEnd,
  };
  Type type;
  int job_id = -1;
  int stage_id = -1;
  int partition = -1;
  int num_tasks = 0;
  bool ok = true;
  double seconds = 0;
  std::string name;   // job or stage description
  std::string error;  // for failures
  int executor_id = -1;
  int iteration = -1;
  double value = 0;
};

class Listener {
 public:
  virtual ~Listener() = default;
  virtual void on_event(const Event& e) = 0;
  // Called about every 100 ms from the bus thread (for redrawing).
  virtual void on_tick() {}
};

class EventBus {
 public:
  EventBus();
  ~EventBus();  // delivers what is queued, then stops

  void add_listener(std::shared_ptr<Listener> listener);
  void remove_listener(const std::shared_ptr<Listener>& listener);
  // Queues the event; task events reach listeners within a tick (100 ms).
  void post(Event e);
  // Waits until every event posted so far has been delivered.
  void flush();

 private:
  void run();

  std::mutex mu_;
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
