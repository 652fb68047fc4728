// The state of one application as its events describe it: jobs, stage
// attempts, tasks and executors. The live web UI keeps one as an event
// listener; the history server builds one per event log by replaying it.
// Both serve the same pages and JSON from it, so the two cannot differ.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "brasa/scheduler/event_bus.h"

namespace brasa::ui {

// Who the application is: what an event log's first line records.
struct AppInfo {
  std::string id;    // app-YYYYMMDDHHMMSS-PID-N (the process's Nth Context)
  std::string name;  // brasa.app.name
  std::string master;
  std::string user;
  std::string binary;  // the driver program's path
  int cores = 0;       // local mode: the driver's task threads
  double start_time = 0;
  std::map<std::string, std::string> conf;
};

struct TaskRow {
  int partition = 0;
  std::string status = "RUNNING";  // RUNNING, SUCCESS, FAILED, KILLED
  double launch_time = 0;
  double duration = 0;  // seconds; while running, 0
  std::string error;
  int executor_id = -1;  // -1: the driver's threads (local mode)
  TaskMetrics metrics;   // once it ended
};

struct StageRow {
  int id = 0;
  int attempt = 0;
  int job_id = 0;
  std::string name;
  std::vector<int> parents;        // stages whose shuffle outputs it reads
  std::string status = "ACTIVE";  // ACTIVE, COMPLETE, FAILED
  int num_tasks = 0;
  int active = 0, complete = 0, failed = 0, killed = 0;
  double submission_time = 0, completion_time = 0;
  std::vector<TaskRow> tasks;             // in launch order
  std::unordered_map<int, size_t> index;  // partition -> its latest row
};

struct JobRow {
  int id = 0;
  std::string name;
  std::string status = "RUNNING";  // RUNNING, SUCCEEDED, FAILED
  int num_stages = 0;
  double submission_time = 0, completion_time = 0;
  std::vector<std::pair<int, int>> stages;  // (stage id, attempt) in submission order
  std::string error;
};

struct ExecutorRow {
  std::string id;  // "driver" in local mode
  std::string address;
  int cores = 0;
  bool active = true;
  double added_time = 0, removed_time = 0;
  std::string removed_reason;
  int completed = 0, failed = 0;  // task attempts that ended on it
  double task_time = 0;           // their durations, seconds
  TaskMetrics totals;             // their metrics, summed
};

// A persisted RDD and where its cached blocks are.
struct RddRow {
  int id = 0;
  std::string name;
  std::string storage_level;
  int num_partitions = 0;
  struct Block {
    int64_t memory = 0, disk = 0;
  };
  std::map<std::pair<int, int>, Block> blocks;  // (partition, executor id; -1 the driver) -> sizes
};

class AppStatus : public Listener {
 public:
  explicit AppStatus(AppInfo info);

  void on_event(const Event& e) override;
  // The application ended at `time` (its last event, for a log that ends
  // without saying so).
  void finish(double time);

  // Spark's monitoring API under /api/v1/applications/{id}: `path` is what
  // follows the id ("/jobs", "/stages/3/0/taskSummary", ...) and `query` its
  // parameters. nullopt when nothing is there.
  std::optional<std::string> api(const std::string& path, const std::multimap<std::string, std::string>& query) const;
  // The application's entry of /api/v1/applications.
  std::string application_json() const;

  // HTML pages under the application's root: "/jobs/", "/jobs/job/",
  // "/stages/", "/stages/stage/", "/storage/", "/storage/rdd/",
  // "/executors/", "/environment/". `base` is
  // the root's URL path ("" live, "/history/{id}" in the history server).
  std::optional<std::string> page(const std::string& path, const std::multimap<std::string, std::string>& query,
                                  const std::string& base) const;

  const AppInfo& info() const { return info_; }
  double end_time() const;  // 0 while running

 private:
  StageRow* stage_row(int id, int attempt);
  const StageRow* stage_row(int id, int attempt) const;
  const StageRow* latest_attempt(int id) const;

  // A job's tasks and stages over its stage attempts.
  struct JobTotals {
    int tasks = 0, active = 0, complete = 0, failed = 0, killed = 0;
    int active_stages = 0, complete_stages = 0, failed_stages = 0;
  };
  JobTotals totals(const JobRow& job) const;
  std::string job_json(const JobRow& job) const;
  std::string stage_json(const StageRow& stage, bool with_tasks) const;
  std::string task_summary_json(const StageRow& stage, const std::vector<double>& quantiles) const;
  ExecutorRow& executor_row(int id);  // -1: the driver
  std::string executor_json(const ExecutorRow& x) const;
  std::string rdd_json(const RddRow& rdd, bool with_partitions) const;
  std::pair<int64_t, int64_t> storage_of(int executor_id) const;  // (memory, disk) bytes it caches
  int running_on(int executor_id) const;                          // its tasks not ended (-1: the driver)

  std::string jobs_page(const std::string& base) const;
  std::string job_page(int id, const std::string& base) const;
  std::string stages_page(const std::string& base) const;
  std::string stage_page(int id, int attempt, int page, int page_size, const std::string& base) const;
  std::string executors_page(const std::string& base) const;
  std::string environment_page(const std::string& base) const;
  std::string storage_page(const std::string& base) const;
  std::string rdd_page(int id, const std::string& base) const;
  std::string frame(const std::string& title, const std::string& tab, const std::string& body,
                    const std::string& base) const;
  std::string dag_svg(const JobRow& job) const;
  std::string stage_table(const std::vector<const StageRow*>& stages, const std::string& base) const;

  mutable std::mutex mu_;
  AppInfo info_;
  std::map<int, JobRow> jobs_;
  std::vector<StageRow> stages_;                    // every attempt, in submission order
  std::map<std::pair<int, int>, size_t> stage_at_;  // (id, attempt) -> index in stages_
  std::map<int, int> last_attempt_;                 // stage id -> its latest attempt
  std::map<std::string, ExecutorRow> executors_;  // on a cluster
  ExecutorRow driver_;                             // local mode: tasks on the driver's threads
  std::map<int, RddRow> rdds_;  // persisted, by id
  int64_t iterations_ = 0;
  double end_time_ = 0;  // 0 while running
};

// "2026-12-02T13:20:00.123GMT", as Spark's API writes times.
std::string format_time(double epoch_seconds);
std::string display_time(double epoch_seconds);  // "2026-12-02 13:20:00" (UTC), on the pages
std::string html_escape(const std::string& s);
// A setting's value as pages, the API and event logs show it: secrets
// (keys with secret, password, token or .key) redacted, as Spark does.
std::string shown_value(const std::string& key, const std::string& value);

}  // namespace brasa::ui
