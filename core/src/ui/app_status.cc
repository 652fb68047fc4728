#include "app_status.h"

#include <algorithm>
#include <set>
#include <charconv>
#include <cmath>
#include <ctime>

#include "brasa/util/json.h"

namespace brasa::ui {

namespace {

std::string ms(double seconds) { return std::to_string(static_cast<int64_t>(std::llround(seconds * 1000))); }



std::optional<int> to_int(std::string_view s) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string param(const std::multimap<std::string, std::string>& query, const std::string& key,
                  const std::string& fallback = "") {
  auto it = query.find(key);
  return it == query.end() ? fallback : it->second;
}

int int_param(const std::multimap<std::string, std::string>& query, const std::string& key, int fallback) {
  auto v = to_int(param(query, key));
  return v ? *v : fallback;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string duration_text(double seconds) {
  char buf[32];
  if (seconds < 1) {
    std::snprintf(buf, sizeof buf, "%.0f ms", seconds * 1000);
  } else if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.1f s", seconds);
  } else if (seconds < 3600) {
    std::snprintf(buf, sizeof buf, "%.1f min", seconds / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f h", seconds / 3600);
  }
  return buf;
}

std::string progress_bar(int done, int running, int total) {
  const double d = total > 0 ? 100.0 * done / total : 0, r = total > 0 ? 100.0 * running / total : 0;
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "<div class=\"progress\"><span class=\"done\" style=\"width:%.1f%%\"></span>"
                "<span class=\"running\" style=\"width:%.1f%%\"></span><em>%d/%d%s</em></div>",
                d, r, done, total, running > 0 ? (" (" + std::to_string(running) + " running)").c_str() : "");
  return buf;
}

// -1 for the driver, whose tasks run on no executor.
int executor_number(const ExecutorRow& x) { return x.id == "driver" ? -1 : std::atoi(x.id.c_str()); }

std::string ns_ms(int64_t ns) { return std::to_string((ns + 500'000) / 1'000'000); }
std::string num(int64_t n) { return std::to_string(n); }
std::string executor_name(int id) { return id < 0 ? "driver" : std::to_string(id); }

// Spark's TaskData.taskMetrics.
std::string metrics_json(const TaskMetrics& m) {
  return "{\"executorDeserializeTime\":" + ns_ms(m.deserialize_ns) + ",\"executorRunTime\":" + ns_ms(m.run_ns) +
         ",\"peakExecutionMemory\":" + num(m.peak_memory) + ",\"diskBytesSpilled\":" + num(m.spill_bytes) +
         ",\"inputMetrics\":{\"bytesRead\":" + num(m.bytes_read) + ",\"recordsRead\":" + num(m.records_read) +
         "},\"outputMetrics\":{\"bytesWritten\":" + num(m.bytes_written) +
         ",\"recordsWritten\":" + num(m.records_written) +
         "},\"shuffleReadMetrics\":{\"remoteBytesRead\":" + num(m.shuffle_remote_bytes_read) +
         ",\"localBytesRead\":" + num(m.shuffle_local_bytes_read) + ",\"fetchWaitTime\":" +
         ns_ms(m.shuffle_fetch_wait_ns) + ",\"recordsRead\":" + num(m.shuffle_records_read) +
         "},\"shuffleWriteMetrics\":{\"bytesWritten\":" + num(m.shuffle_bytes_written) +
         ",\"recordsWritten\":" + num(m.shuffle_records_written) + "}}";
}

std::string task_json(size_t id, const TaskRow& t) {
  std::string out = "{\"taskId\":" + std::to_string(id) + ",\"index\":" + std::to_string(t.partition) +
                    ",\"attempt\":0,\"launchTime\":" + json_quote(format_time(t.launch_time)) +
                    ",\"duration\":" + ms(t.duration) + ",\"executorId\":" + json_quote(executor_name(t.executor_id)) +
                    ",\"status\":\"" + t.status + "\"";
  if (!t.error.empty()) out += ",\"errorMessage\":" + json_quote(t.error);
  if (t.status != "RUNNING") out += ",\"taskMetrics\":" + metrics_json(t.metrics);
  return out + "}";
}

// "1.5 MB", "300 B".
std::string bytes_text(int64_t bytes) {
  char buf[32];
  const double b = static_cast<double>(bytes);
  if (bytes < 1024)
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  else if (b < 1024.0 * 1024)
    std::snprintf(buf, sizeof buf, "%.1f KB", b / 1024);
  else if (b < 1024.0 * 1024 * 1024)
    std::snprintf(buf, sizeof buf, "%.1f MB", b / (1024.0 * 1024));
  else
    std::snprintf(buf, sizeof buf, "%.1f GB", b / (1024.0 * 1024 * 1024));
  return buf;
}

// The metrics the stage page and taskSummary give quantiles of: a name, how
// to read it from a task, and whether it is a size.
struct MetricColumn {
  const char* title;
  int64_t (*get)(const TaskMetrics&);
  bool bytes;
};
constexpr MetricColumn kMetricColumns[] = {
    {"Input size", [](const TaskMetrics& m) { return m.bytes_read; }, true},
    {"Input records", [](const TaskMetrics& m) { return m.records_read; }, false},
    {"Output size", [](const TaskMetrics& m) { return m.bytes_written; }, true},
    {"Output records", [](const TaskMetrics& m) { return m.records_written; }, false},
    {"Shuffle read size",
     [](const TaskMetrics& m) { return m.shuffle_remote_bytes_read + m.shuffle_local_bytes_read; }, true},
    {"Shuffle read records", [](const TaskMetrics& m) { return m.shuffle_records_read; }, false},
    {"Shuffle write size", [](const TaskMetrics& m) { return m.shuffle_bytes_written; }, true},
    {"Shuffle write records", [](const TaskMetrics& m) { return m.shuffle_records_written; }, false},
    {"Spill (disk)", [](const TaskMetrics& m) { return m.spill_bytes; }, true},
    {"Peak memory", [](const TaskMetrics& m) { return m.peak_memory; }, true},
};

// The durations of a stage's successful tasks, ascending, in seconds.
std::vector<double> successful_durations(const StageRow& s) {
  std::vector<double> out;
  for (const TaskRow& t : s.tasks)
    if (t.status == "SUCCESS") out.push_back(t.duration);
  std::sort(out.begin(), out.end());
  return out;
}

// A cached RDD's bytes in memory and on disk, and how many of its
// partitions have a block somewhere.
struct CachedTotals {
  int64_t memory = 0, disk = 0;
  size_t partitions = 0;
};
CachedTotals cached_totals(const RddRow& r) {
  CachedTotals t;
  std::set<int> cached;
  for (const auto& [key, b] : r.blocks) t.memory += b.memory, t.disk += b.disk, cached.insert(key.first);
  t.partitions = cached.size();
  return t;
}

// One metric of a stage's successful tasks, ascending.
std::vector<double> successful_values(const StageRow& s, int64_t (*get)(const TaskMetrics&)) {
  std::vector<double> out;
  for (const TaskRow& t : s.tasks)
    if (t.status == "SUCCESS") out.push_back(static_cast<double>(get(t.metrics)));
  std::sort(out.begin(), out.end());
  return out;
}

// Nearest-rank quantiles of sorted values.
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double pos = q * static_cast<double>(sorted.size() - 1);
  return sorted[static_cast<size_t>(std::llround(pos))];
}

constexpr const char* kStyle = R"(
body{font-family:system-ui,sans-serif;margin:0;color:#222}
header{background:#2b3e50;color:#fff;padding:8px 16px;display:flex;gap:24px;align-items:baseline}
header b{font-size:18px}header a{color:#cde;text-decoration:none}header a.on{color:#fff;font-weight:bold}
main{padding:8px 16px}table{border-collapse:collapse;width:100%;margin:8px 0 16px}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;font-size:14px}th{background:#f4f4f4}
.progress{position:relative;height:18px;background:#eee;border-radius:3px;min-width:160px;overflow:hidden}
.progress span{position:absolute;top:0;bottom:0}.progress .done{left:0;background:#7ab87a}
.progress .running{background:#a8d0f0}.progress em{position:relative;font-style:normal;font-size:12px;padding-left:6px}
.FAILED{color:#b00}.err{white-space:pre-wrap;font-family:monospace;font-size:12px;color:#b00}
.pager a{margin-right:8px}
)";

}  // namespace

std::string format_time(double epoch_seconds) {
  const auto whole = static_cast<std::time_t>(std::floor(epoch_seconds));
  const int millis = static_cast<int>((epoch_seconds - std::floor(epoch_seconds)) * 1000);
  std::tm tm{};
  gmtime_r(&whole, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dGMT", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::string display_time(double epoch_seconds) {
  const auto whole = static_cast<std::time_t>(std::floor(epoch_seconds));
  std::tm tm{};
  gmtime_r(&whole, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string shown_value(const std::string& key, const std::string& value) {
  for (const char* word : {"secret", "password", "token", ".key"})
    if (key.find(word) != std::string::npos) return "*********(redacted)";
  return value;
}

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

AppStatus::AppStatus(AppInfo info) : info_(std::move(info)) {
  driver_.id = "driver";
  driver_.address = "localhost";
  driver_.cores = info_.cores;
}

StageRow* AppStatus::stage_row(int id, int attempt) {
  auto it = stage_at_.find({id, attempt});
  return it == stage_at_.end() ? nullptr : &stages_[it->second];
}

const StageRow* AppStatus::stage_row(int id, int attempt) const {
  auto it = stage_at_.find({id, attempt});
  return it == stage_at_.end() ? nullptr : &stages_[it->second];
}

const StageRow* AppStatus::latest_attempt(int id) const {
  auto it = last_attempt_.find(id);
  return it == last_attempt_.end() ? nullptr : stage_row(id, it->second);
}

void AppStatus::on_event(const Event& e) {
  std::lock_guard lock(mu_);
  auto current = [&] { return const_cast<StageRow*>(latest_attempt(e.stage_id)); };
  switch (e.type) {
    case Event::Type::kJobStart: {
      JobRow& job = jobs_[e.job_id];
      job.id = e.job_id;
      job.name = e.name;
      job.num_stages = e.num_tasks;
      job.submission_time = e.time;
      break;
    }
    case Event::Type::kJobEnd: {
      JobRow& job = jobs_[e.job_id];
      job.id = e.job_id;  // also when its start was lost (a dropped event, a cut log)
      job.status = e.ok ? "SUCCEEDED" : "FAILED";
      job.completion_time = e.time;
      job.error = e.error;
      break;
    }
    case Event::Type::kStageSubmitted: {
      auto it = last_attempt_.find(e.stage_id);
      const int attempt = it == last_attempt_.end() ? 0 : it->second + 1;
      last_attempt_[e.stage_id] = attempt;
      stage_at_[{e.stage_id, attempt}] = stages_.size();
      StageRow& s = stages_.emplace_back();
      s.id = e.stage_id;
      s.attempt = attempt;
      s.job_id = e.job_id;
      s.name = e.name;
      s.parents = e.parents;
      s.num_tasks = e.num_tasks;
      s.submission_time = e.time;
      JobRow& job = jobs_[e.job_id];
      job.id = e.job_id;
      job.stages.emplace_back(e.stage_id, attempt);
      break;
    }
    case Event::Type::kStageCompleted:
      if (StageRow* s = current()) {
        s->status = e.ok ? "COMPLETE" : "FAILED";
        s->completion_time = e.time;
        // A task the scheduler stopped waiting for (its job was cancelled)
        // ends with its stage.
        for (TaskRow& t : s->tasks)
          if (t.status == "RUNNING") {
            t.status = "KILLED";
            t.duration = std::max(0.0, e.time - t.launch_time);
            ++s->killed;
          }
        s->active = 0;
      }
      break;
    case Event::Type::kTaskStart:
      if (StageRow* s = current()) {
        s->index[e.partition] = s->tasks.size();
        TaskRow& t = s->tasks.emplace_back();
        t.partition = e.partition;
        t.launch_time = e.time;
        ++s->active;
      }
      break;
    case Event::Type::kTaskPlaced:
      if (StageRow* s = current()) {
        auto it = s->index.find(e.partition);
        if (it != s->index.end() && s->tasks[it->second].status == "RUNNING")
          s->tasks[it->second].executor_id = e.executor_id;
      }
      break;
    case Event::Type::kTaskEnd:
      if (StageRow* s = current()) {
        auto it = s->index.find(e.partition);
        if (it == s->index.end()) break;
        TaskRow& t = s->tasks[it->second];
        if (t.status != "RUNNING") break;
        --s->active;
        t.duration = e.ok && e.seconds > 0 ? e.seconds : std::max(0.0, e.time - t.launch_time);
        t.error = e.error;
        t.executor_id = e.executor_id;
        t.metrics = e.metrics;
        ExecutorRow& x = executor_row(e.executor_id);
        (e.ok ? x.completed : x.failed) += 1;
        x.task_time += t.duration;
        x.totals.add(e.metrics);
        if (e.ok) {
          t.status = "SUCCESS";
          ++s->complete;
        } else if (e.error == "cancelled") {
          t.status = "KILLED";
          ++s->killed;
        } else {
          t.status = "FAILED";
          ++s->failed;
        }
      }
      break;
    case Event::Type::kExecutorAdded: {
      ExecutorRow& x = executor_row(e.executor_id);
      x.address = e.name;
      x.cores = e.num_tasks;
      x.added_time = e.time;
      break;
    }
    case Event::Type::kExecutorLost: {
      for (auto& [id, rdd] : rdds_)  // its cached blocks went with it
        std::erase_if(rdd.blocks, [&](const auto& b) { return b.first.second == e.executor_id; });
      ExecutorRow& x = executor_row(e.executor_id);
      x.active = false;
      x.removed_time = e.time;
      x.removed_reason = e.error;
      break;
    }
    case Event::Type::kIterationEnd:
      ++iterations_;
      break;
    case Event::Type::kRddPersisted: {
      RddRow& r = rdds_[e.rdd_id];
      r.id = e.rdd_id;
      r.name = e.name;
      r.storage_level = e.storage_level;
      r.num_partitions = e.num_tasks;
      break;
    }
    case Event::Type::kBlockUpdated: {
      auto it = rdds_.find(e.rdd_id);
      if (it == rdds_.end()) break;  // unpersisted since, or not the driver's
      const std::pair<int, int> key{e.partition, e.executor_id};
      if (e.memory_bytes == 0 && e.disk_bytes == 0)
        it->second.blocks.erase(key);
      else
        it->second.blocks[key] = {e.memory_bytes, e.disk_bytes};
      break;
    }
    case Event::Type::kRddUnpersisted:
      rdds_.erase(e.rdd_id);
      break;
  }
}

void AppStatus::finish(double time) {
  std::lock_guard lock(mu_);
  end_time_ = time;
}

double AppStatus::end_time() const {
  std::lock_guard lock(mu_);
  return end_time_;
}

ExecutorRow& AppStatus::executor_row(int id) {
  if (id < 0) return driver_;
  ExecutorRow& x = executors_[std::to_string(id)];
  x.id = std::to_string(id);
  return x;
}

// Spark's ExecutorSummary.
std::string AppStatus::executor_json(const ExecutorRow& x) const {
  const int active_tasks = running_on(executor_number(x));
  const TaskMetrics& m = x.totals;
  std::string out = "{\"id\":" + json_quote(x.id) + ",\"hostPort\":" + json_quote(x.address) +
                    ",\"isActive\":" + (x.active ? "true" : "false") + ",\"totalCores\":" +
                    std::to_string(x.cores) + ",\"activeTasks\":" + std::to_string(active_tasks);
  out += ",\"completedTasks\":" + std::to_string(x.completed) + ",\"failedTasks\":" + std::to_string(x.failed) +
         ",\"totalTasks\":" + std::to_string(x.completed + x.failed + active_tasks) +
         ",\"totalDuration\":" + ms(x.task_time) + ",\"totalInputBytes\":" + num(m.bytes_read) +
         ",\"totalShuffleRead\":" + num(m.shuffle_remote_bytes_read + m.shuffle_local_bytes_read) +
         ",\"totalShuffleWrite\":" + num(m.shuffle_bytes_written) + ",\"diskBytesSpilled\":" +
         num(m.spill_bytes);
  const auto [memory, disk] = storage_of(executor_number(x));
  out += ",\"memoryUsed\":" + num(memory) + ",\"diskUsed\":" + num(disk);
  if (x.id != "driver") out += ",\"addTime\":" + json_quote(format_time(x.added_time));
  if (!x.active)
    out += ",\"removeTime\":" + json_quote(format_time(x.removed_time)) + ",\"removeReason\":" +
           json_quote(x.removed_reason);
  return out + "}";
}

// Local tasks are never placed, so the driver's (-1) are all that run.
int AppStatus::running_on(int executor_id) const {
  int n = 0;
  for (const StageRow& s : stages_)
    if (s.active > 0)
      for (const TaskRow& t : s.tasks) n += t.status == "RUNNING" && t.executor_id == executor_id;
  return n;
}

std::pair<int64_t, int64_t> AppStatus::storage_of(int executor_id) const {
  int64_t memory = 0, disk = 0;
  for (const auto& [id, rdd] : rdds_)
    for (const auto& [key, b] : rdd.blocks)
      if (key.second == executor_id) memory += b.memory, disk += b.disk;
  return {memory, disk};
}

// Spark's RDDStorageInfo; with its partitions (RDDPartitionInfo) for
// /storage/rdd/{id}.
std::string AppStatus::rdd_json(const RddRow& r, bool with_partitions) const {
  const auto [memory, disk, cached] = cached_totals(r);
  std::string out = "{\"id\":" + std::to_string(r.id) + ",\"name\":" + json_quote(r.name) +
                    ",\"numPartitions\":" + std::to_string(r.num_partitions) + ",\"numCachedPartitions\":" +
                    std::to_string(cached) + ",\"storageLevel\":" + json_quote(r.storage_level) +
                    ",\"memoryUsed\":" + num(memory) + ",\"diskUsed\":" + num(disk);
  if (with_partitions) {
    out += ",\"partitions\":[";
    bool first = true;
    for (const auto& [key, b] : r.blocks) {
      out += std::string(first ? "" : ",") + "{\"blockName\":\"rdd_" + std::to_string(r.id) + "_" +
             std::to_string(key.first) + "\",\"storageLevel\":" + json_quote(r.storage_level) +
             ",\"memoryUsed\":" + num(b.memory) + ",\"diskUsed\":" + num(b.disk) + ",\"executors\":[" +
             json_quote(executor_name(key.second)) + "]}";
      first = false;
    }
    out += "]";
  }
  return out + "}";
}

std::string AppStatus::application_json() const {
  std::lock_guard lock(mu_);
  const bool done = end_time_ > 0;
  const double end = done ? end_time_ : 0;
  std::string out = "{\"id\":" + json_quote(info_.id) + ",\"name\":" + json_quote(info_.name) +
                    ",\"attempts\":[{\"startTime\":" + json_quote(format_time(info_.start_time));
  out += ",\"endTime\":" + json_quote(done ? format_time(end) : "1969-12-31T23:59:59.999GMT");
  out += ",\"duration\":" + (done ? ms(end - info_.start_time) : "0");
  out += ",\"sparkUser\":" + json_quote(info_.user) + ",\"completed\":" + (done ? "true" : "false");
  out += ",\"appBrasaVersion\":" + json_quote(BRASA_VERSION);
  out += ",\"startTimeEpoch\":" + ms(info_.start_time) + ",\"endTimeEpoch\":" + (done ? ms(end) : "-1") + "}]}";
  return out;
}

AppStatus::JobTotals AppStatus::totals(const JobRow& job) const {
  JobTotals t;
  for (auto [id, attempt] : job.stages) {
    const StageRow* s = stage_row(id, attempt);
    if (!s) continue;
    t.tasks += s->num_tasks;
    t.active += s->active, t.complete += s->complete, t.failed += s->failed, t.killed += s->killed;
    (s->status == "ACTIVE" ? t.active_stages : s->status == "COMPLETE" ? t.complete_stages : t.failed_stages) += 1;
  }
  return t;
}

std::string AppStatus::job_json(const JobRow& job) const {
  const JobTotals t = totals(job);
  std::string ids;
  for (auto [id, attempt] : job.stages)
    if (attempt == 0) ids += (ids.empty() ? "" : ",") + std::to_string(id);
  std::string out = "{\"jobId\":" + std::to_string(job.id) + ",\"name\":" + json_quote(job.name) +
                    ",\"submissionTime\":" + json_quote(format_time(job.submission_time));
  if (job.status != "RUNNING") out += ",\"completionTime\":" + json_quote(format_time(job.completion_time));
  out += ",\"stageIds\":[" + ids + "],\"status\":\"" + job.status + "\"";
  out += ",\"numTasks\":" + std::to_string(t.tasks) + ",\"numActiveTasks\":" + std::to_string(t.active) +
         ",\"numCompletedTasks\":" + std::to_string(t.complete) + ",\"numSkippedTasks\":0,\"numFailedTasks\":" +
         std::to_string(t.failed) + ",\"numKilledTasks\":" + std::to_string(t.killed) +
         ",\"numActiveStages\":" + std::to_string(t.active_stages) + ",\"numCompletedStages\":" +
         std::to_string(t.complete_stages) + ",\"numSkippedStages\":0,\"numFailedStages\":" +
         std::to_string(t.failed_stages);
  if (!job.error.empty()) out += ",\"failureReason\":" + json_quote(job.error);
  return out + "}";
}

std::string AppStatus::stage_json(const StageRow& s, bool with_tasks) const {
  TaskMetrics m;  // Spark's StageData sums its tasks' metrics
  for (const TaskRow& t : s.tasks) m.add(t.metrics);
  int64_t peak = 0;
  for (const TaskRow& t : s.tasks) peak += t.metrics.peak_memory;
  std::string out = "{\"status\":\"" + s.status + "\",\"stageId\":" + std::to_string(s.id) +
                    ",\"attemptId\":" + std::to_string(s.attempt) + ",\"jobId\":" + std::to_string(s.job_id) +
                    ",\"numTasks\":" + std::to_string(s.num_tasks) + ",\"numActiveTasks\":" +
                    std::to_string(s.active) + ",\"numCompleteTasks\":" + std::to_string(s.complete) +
                    ",\"numFailedTasks\":" + std::to_string(s.failed) + ",\"numKilledTasks\":" +
                    std::to_string(s.killed) + ",\"executorRunTime\":" + ns_ms(m.run_ns) +
                    ",\"executorDeserializeTime\":" + ns_ms(m.deserialize_ns) + ",\"inputBytes\":" +
                    num(m.bytes_read) + ",\"inputRecords\":" + num(m.records_read) + ",\"outputBytes\":" +
                    num(m.bytes_written) + ",\"outputRecords\":" + num(m.records_written) +
                    ",\"shuffleReadBytes\":" + num(m.shuffle_remote_bytes_read + m.shuffle_local_bytes_read) +
                    ",\"shuffleRemoteBytesRead\":" + num(m.shuffle_remote_bytes_read) +
                    ",\"shuffleLocalBytesRead\":" + num(m.shuffle_local_bytes_read) +
                    ",\"shuffleReadRecords\":" + num(m.shuffle_records_read) + ",\"shuffleFetchWaitTime\":" +
                    ns_ms(m.shuffle_fetch_wait_ns) + ",\"shuffleWriteBytes\":" + num(m.shuffle_bytes_written) +
                    ",\"shuffleWriteRecords\":" + num(m.shuffle_records_written) + ",\"diskBytesSpilled\":" +
                    num(m.spill_bytes) + ",\"peakExecutionMemory\":" + num(peak) +
                    ",\"submissionTime\":" + json_quote(format_time(s.submission_time));
  if (s.status != "ACTIVE") out += ",\"completionTime\":" + json_quote(format_time(s.completion_time));
  out += ",\"name\":" + json_quote(s.name) + ",\"parentIds\":[";
  for (size_t i = 0; i < s.parents.size(); ++i) out += (i ? "," : "") + std::to_string(s.parents[i]);
  out += "]";
  if (with_tasks) {
    out += ",\"tasks\":{";
    for (size_t i = 0; i < s.tasks.size(); ++i)
      out += (i ? ",\"" : "\"") + std::to_string(i) + "\":" + task_json(i, s.tasks[i]);
    out += "}";
  }
  return out + "}";
}

std::string AppStatus::task_summary_json(const StageRow& s, const std::vector<double>& quantiles) const {
  // Spark's TaskMetricDistributions: each metric's quantiles over the
  // stage's successful tasks (times in ms).
  auto list = [&](const std::vector<double>& sorted, double scale) {
    std::string out = "[";
    for (double q : quantiles) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.3f", quantile(sorted, q) * scale);
      out += (out.size() > 1 ? "," : "") + std::string(buf);
    }
    return out + "]";
  };
  auto metric = [&](int64_t (*get)(const TaskMetrics&), double scale = 1) {
    return list(successful_values(s, get), scale);
  };
  std::string qs;
  for (double q : quantiles) qs += (qs.empty() ? "" : ",") + std::to_string(q);
  return "{\"quantiles\":[" + qs + "],\"duration\":" + list(successful_durations(s), 1000) +
         ",\"executorDeserializeTime\":" + metric([](const TaskMetrics& m) { return m.deserialize_ns; }, 1e-6) +
         ",\"executorRunTime\":" + metric([](const TaskMetrics& m) { return m.run_ns; }, 1e-6) +
         ",\"peakExecutionMemory\":" + metric([](const TaskMetrics& m) { return m.peak_memory; }) +
         ",\"diskBytesSpilled\":" + metric([](const TaskMetrics& m) { return m.spill_bytes; }) +
         ",\"inputMetrics\":{\"bytesRead\":" + metric([](const TaskMetrics& m) { return m.bytes_read; }) +
         ",\"recordsRead\":" + metric([](const TaskMetrics& m) { return m.records_read; }) +
         "},\"outputMetrics\":{\"bytesWritten\":" + metric([](const TaskMetrics& m) { return m.bytes_written; }) +
         ",\"recordsWritten\":" + metric([](const TaskMetrics& m) { return m.records_written; }) +
         "},\"shuffleReadMetrics\":{\"readBytes\":" +
         metric([](const TaskMetrics& m) { return m.shuffle_remote_bytes_read + m.shuffle_local_bytes_read; }) +
         ",\"readRecords\":" + metric([](const TaskMetrics& m) { return m.shuffle_records_read; }) +
         ",\"remoteBytesRead\":" + metric([](const TaskMetrics& m) { return m.shuffle_remote_bytes_read; }) +
         ",\"localBytesRead\":" + metric([](const TaskMetrics& m) { return m.shuffle_local_bytes_read; }) +
         ",\"fetchWaitTime\":" + metric([](const TaskMetrics& m) { return m.shuffle_fetch_wait_ns; }, 1e-6) +
         "},\"shuffleWriteMetrics\":{\"writeBytes\":" +
         metric([](const TaskMetrics& m) { return m.shuffle_bytes_written; }) +
         ",\"writeRecords\":" + metric([](const TaskMetrics& m) { return m.shuffle_records_written; }) + "}}";
}

std::optional<std::string> AppStatus::api(const std::string& path,
                                          const std::multimap<std::string, std::string>& query) const {
  const auto parts = split_path(path);
  if (parts.empty()) return std::nullopt;
  std::lock_guard lock(mu_);
  const std::string status_filter = lower(param(query, "status"));
  if (parts[0] == "jobs") {
    if (parts.size() == 1) {
      std::string out = "[";
      for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) {  // newest first, as Spark lists them
        if (!status_filter.empty() && lower(it->second.status) != status_filter) continue;
        out += (out.size() > 1 ? "," : "") + job_json(it->second);
      }
      return out + "]";
    }
    auto id = to_int(parts[1]);
    if (parts.size() != 2 || !id || !jobs_.count(*id)) return std::nullopt;
    return job_json(jobs_.at(*id));
  }
  if (parts[0] == "stages") {
    if (parts.size() == 1) {
      std::string out = "[";
      for (auto it = stages_.rbegin(); it != stages_.rend(); ++it) {
        if (!status_filter.empty() && lower(it->status) != status_filter) continue;
        out += (out.size() > 1 ? "," : "") + stage_json(*it, false);
      }
      return out + "]";
    }
    auto id = to_int(parts[1]);
    if (!id || !last_attempt_.count(*id)) return std::nullopt;
    if (parts.size() == 2) {
      std::string out = "[";
      for (int a = last_attempt_.at(*id); a >= 0; --a)
        out += (out.size() > 1 ? "," : "") + stage_json(*stage_row(*id, a), true);
      return out + "]";
    }
    auto attempt = to_int(parts[2]);
    const StageRow* s = attempt ? stage_row(*id, *attempt) : nullptr;
    if (!s) return std::nullopt;
    if (parts.size() == 3) return stage_json(*s, true);
    if (parts.size() == 4 && parts[3] == "taskSummary") {
      std::vector<double> qs;
      std::string text = param(query, "quantiles", "0.0,0.25,0.5,0.75,1.0");
      size_t start = 0;
      while (start <= text.size()) {
        size_t end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        const std::string item = text.substr(start, end - start);
        char* stop = nullptr;
        const double q = std::strtod(item.c_str(), &stop);
        if (item.empty() || *stop != '\0' || !(q >= 0 && q <= 1)) return std::nullopt;
        qs.push_back(q);
        start = end + 1;
      }
      return task_summary_json(*s, qs);
    }
    if (parts.size() == 4 && parts[3] == "taskList") {
      const int offset = std::max(0, int_param(query, "offset", 0));
      const int length = std::max(0, int_param(query, "length", 20));
      std::string out = "[";
      for (int64_t i = offset; i < static_cast<int64_t>(s->tasks.size()) && i < int64_t{offset} + length; ++i)
        out += (out.size() > 1 ? "," : "") + task_json(i, s->tasks[i]);
      return out + "]";
    }
    return std::nullopt;
  }
  if ((parts[0] == "executors" || parts[0] == "allexecutors") && parts.size() == 1) {
    const bool all = parts[0] == "allexecutors";
    std::string out = "[";
    if (executors_.empty()) out += executor_json(driver_);  // local mode: the driver runs the tasks
    for (const auto& [id, x] : executors_)
      if (all || x.active) out += (out.size() > 1 ? "," : "") + executor_json(x);
    return out + "]";
  }
  if (parts[0] == "storage" && parts.size() >= 2 && parts[1] == "rdd") {
    if (parts.size() == 2) {
      std::string out = "[";
      for (const auto& [id, r] : rdds_) out += (out.size() > 1 ? "," : "") + rdd_json(r, false);
      return out + "]";
    }
    auto id = to_int(parts[2]);
    if (parts.size() != 3 || !id || !rdds_.count(*id)) return std::nullopt;
    return rdd_json(rdds_.at(*id), true);
  }
  if (parts[0] == "environment" && parts.size() == 1) {
    std::string out = "{\"runtime\":{\"brasaVersion\":" + json_quote(BRASA_VERSION) +
                      ",\"master\":" + json_quote(info_.master) + ",\"binary\":" + json_quote(info_.binary) +
                      "},\"brasaProperties\":[";
    bool first = true;
    for (const auto& [k, v] : info_.conf) {
      out += (first ? "" : ",") + std::string("[") + json_quote(k) + "," +
             json_quote(shown_value(k, v)) + "]";
      first = false;
    }
    return out + "]}";
  }
  return std::nullopt;
}

// ---- HTML ----

std::string AppStatus::frame(const std::string& title, const std::string& tab, const std::string& body,
                             const std::string& base) const {
  std::string nav;
  for (const char* t : {"jobs", "stages", "storage", "executors", "environment"}) {
    std::string label = t;
    label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
    nav += "<a href=\"" + base + "/" + t + "/\"" + (tab == t ? " class=\"on\"" : "") + ">" + label + "</a>";
  }
  return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + html_escape(info_.name) + " - " +
         html_escape(title) + "</title><style>" + kStyle + "</style></head><body><header><b>Brasa " +
         BRASA_VERSION + "</b>" + nav + "<span>" + html_escape(info_.name) + " (" + html_escape(info_.id) +
         ")</span></header><main><h2>" + html_escape(title) + "</h2>" + body + "</main></body></html>";
}

std::string AppStatus::jobs_page(const std::string& base) const {
  std::string rows;
  int running = 0, succeeded = 0, failed = 0;
  for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) {
    const JobRow& job = it->second;
    (job.status == "RUNNING" ? running : job.status == "SUCCEEDED" ? succeeded : failed) += 1;
    const JobTotals t = totals(job);
    const double end = job.status == "RUNNING" ? 0 : job.completion_time;
    rows += "<tr><td><a href=\"" + base + "/jobs/job/?id=" + std::to_string(job.id) + "\">" +
            std::to_string(job.id) + "</a></td><td>" + html_escape(job.name) + "</td><td>" +
            display_time(job.submission_time) + "</td><td>" +
            (end > 0 ? duration_text(end - job.submission_time) : "running") + "</td><td class=\"" + job.status +
            "\">" + job.status + "</td><td>" + std::to_string(t.complete_stages) + "/" + std::to_string(job.num_stages) +
            "</td><td>" + progress_bar(t.complete, t.active, t.tasks) + "</td></tr>";
  }
  std::string body = "<p>" + std::to_string(running) + " running, " + std::to_string(succeeded) + " succeeded, " +
                     std::to_string(failed) + " failed jobs; " + std::to_string(iterations_) +
                     " iterations reported; started " + display_time(info_.start_time) + ", master " +
                     html_escape(info_.master) + "</p>";
  body += "<table id=\"jobs\"><tr><th>Job Id</th><th>Description</th><th>Submitted</th><th>Duration</th>"
          "<th>Status</th><th>Stages: Succeeded/Total</th><th>Tasks: Succeeded/Total</th></tr>" +
          rows + "</table>";
  return frame("Jobs", "jobs", body, base);
}

std::string AppStatus::stage_table(const std::vector<const StageRow*>& stages, const std::string& base) const {
  std::string rows;
  for (const StageRow* s : stages) {
    const double end = s->status == "ACTIVE" ? 0 : s->completion_time;
    rows += "<tr><td><a href=\"" + base + "/stages/stage/?id=" + std::to_string(s->id) + "&attempt=" +
            std::to_string(s->attempt) + "\">" + std::to_string(s->id) +
            (s->attempt ? " (retry " + std::to_string(s->attempt) + ")" : "") + "</a></td><td>" +
            html_escape(s->name) + "</td><td>" + display_time(s->submission_time) + "</td><td>" +
            (end > 0 ? duration_text(end - s->submission_time) : "running") + "</td><td class=\"" + s->status +
            "\">" + s->status + "</td><td>" + progress_bar(s->complete, s->active, s->num_tasks) + "</td></tr>";
  }
  return "<table class=\"stages\"><tr><th>Stage Id</th><th>Description</th><th>Submitted</th><th>Duration</th>"
         "<th>Status</th><th>Tasks: Succeeded/Total</th></tr>" +
         rows + "</table>";
}

// The job's stages as boxes in columns by depth (a stage right of the
// stages it reads), arrows from each parent; the latest attempt of each.
std::string AppStatus::dag_svg(const JobRow& job) const {
  std::vector<const StageRow*> stages;
  std::map<int, int> depth;
  for (auto [id, attempt] : job.stages) {
    const StageRow* s = latest_attempt(id);
    if (!s || depth.count(id)) continue;
    int d = 0;
    for (int p : s->parents)
      if (auto it = depth.find(p); it != depth.end()) d = std::max(d, it->second + 1);
    depth[id] = d;
    stages.push_back(s);
  }
  constexpr int kW = 190, kH = 46, kGapX = 60, kGapY = 16;
  std::map<int, int> row_of_depth;
  std::map<int, std::pair<int, int>> at;  // stage id -> box's top left
  int width = 0, height = 0;
  for (const StageRow* s : stages) {
    const int d = depth[s->id], r = row_of_depth[d]++;
    at[s->id] = {10 + d * (kW + kGapX), 10 + r * (kH + kGapY)};
    width = std::max(width, at[s->id].first + kW + 10);
    height = std::max(height, at[s->id].second + kH + 10);
  }
  std::string svg = "<svg id=\"dag\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
                    "\" height=\"" + std::to_string(height) +
                    "\"><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" "
                    "markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#666\"/></marker></defs>";
  for (const StageRow* s : stages)
    for (int p : s->parents) {
      auto from = at.find(p);
      if (from == at.end()) continue;
      svg += "<line x1=\"" + std::to_string(from->second.first + kW) + "\" y1=\"" +
             std::to_string(from->second.second + kH / 2) + "\" x2=\"" + std::to_string(at[s->id].first) +
             "\" y2=\"" + std::to_string(at[s->id].second + kH / 2) +
             "\" stroke=\"#666\" marker-end=\"url(#arrow)\"/>";
    }
  for (const StageRow* s : stages) {
    const auto [x, y] = at[s->id];
    const char* fill = s->status == "COMPLETE" ? "#dff0d8" : s->status == "FAILED" ? "#f2dede" : "#d9edf7";
    std::string name = s->name;
    if (name.size() > 28) {
      size_t cut = 27;
      while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
      name = name.substr(0, cut) + "...";
    }
    svg += "<g><title>" + html_escape(s->name) + "</title><rect x=\"" + std::to_string(x) + "\" y=\"" +
           std::to_string(y) + "\" width=\"" + std::to_string(kW) + "\" height=\"" + std::to_string(kH) +
           "\" rx=\"4\" fill=\"" + fill + "\" stroke=\"#888\"/><text x=\"" + std::to_string(x + 8) + "\" y=\"" +
           std::to_string(y + 18) + "\" font-size=\"13\" font-weight=\"bold\">Stage " + std::to_string(s->id) +
           " (" + std::to_string(s->num_tasks) + " tasks)</text><text x=\"" + std::to_string(x + 8) + "\" y=\"" +
           std::to_string(y + 36) + "\" font-size=\"11\">" + html_escape(name) + "</text></g>";
  }
  return svg + "</svg>";
}

std::string AppStatus::job_page(int id, const std::string& base) const {
  const JobRow& job = jobs_.at(id);
  std::vector<const StageRow*> stages;
  for (auto it = job.stages.rbegin(); it != job.stages.rend(); ++it)
    if (const StageRow* s = stage_row(it->first, it->second)) stages.push_back(s);
  std::string body = "<p>" + html_escape(job.name) + ": <span class=\"" + job.status + "\">" + job.status +
                     "</span>, submitted " + display_time(job.submission_time) + "</p>";
  if (!job.error.empty()) body += "<p class=\"err\">" + html_escape(job.error) + "</p>";
  body += "<h3>DAG</h3>" + dag_svg(job) + "<h3>Stages</h3>" + stage_table(stages, base);
  return frame("Details for Job " + std::to_string(id), "jobs", body, base);
}

std::string AppStatus::stages_page(const std::string& base) const {
  std::vector<const StageRow*> stages;
  for (auto it = stages_.rbegin(); it != stages_.rend(); ++it) stages.push_back(&*it);
  return frame("Stages for All Jobs", "stages", stage_table(stages, base), base);
}

std::string AppStatus::stage_page(int id, int attempt, int page, int page_size, const std::string& base) const {
  const StageRow& s = *stage_row(id, attempt);
  const std::vector<double> durations = successful_durations(s);
  std::string body = "<p>" + html_escape(s.name) + " (job " + std::to_string(s.job_id) + "): <span class=\"" +
                     s.status + "\">" + s.status + "</span>, " + std::to_string(s.num_tasks) + " tasks</p>";
  body += "<h3>Summary of " + std::to_string(durations.size()) +
          " completed tasks</h3><table id=\"summary\"><tr><th>Metric</th><th>Min</th><th>25th "
          "percentile</th><th>Median</th><th>75th percentile</th><th>Max</th></tr><tr><td>Duration</td>";
  for (double q : {0.0, 0.25, 0.5, 0.75, 1.0}) body += "<td>" + duration_text(quantile(durations, q)) + "</td>";
  body += "</tr>";
  for (const MetricColumn& c : kMetricColumns) {  // those the stage has
    const std::vector<double> values = successful_values(s, c.get);
    if (values.empty() || values.back() == 0) continue;
    body += "<tr><td>" + std::string(c.title) + "</td>";
    for (double q : {0.0, 0.25, 0.5, 0.75, 1.0}) {
      const auto v = static_cast<int64_t>(quantile(values, q));
      body += "<td>" + (c.bytes ? bytes_text(v) : std::to_string(v)) + "</td>";
    }
    body += "</tr>";
  }
  body += "</table>";
  const int total = static_cast<int>(s.tasks.size());
  const int pages = std::max(1, (total + page_size - 1) / page_size);
  page = std::clamp(page, 1, pages);
  std::string pager = "<p class=\"pager\">Tasks " + std::to_string(total) + ", page " + std::to_string(page) +
                      " of " + std::to_string(pages) + ": ";
  auto link = [&](int p, const std::string& text) {
    return "<a href=\"" + base + "/stages/stage/?id=" + std::to_string(id) + "&attempt=" + std::to_string(attempt) +
           "&page=" + std::to_string(p) + "&pageSize=" + std::to_string(page_size) + "\">" + text + "</a>";
  };
  if (page > 1) pager += link(1, "first") + link(page - 1, "previous");
  if (page < pages) pager += link(page + 1, "next") + link(pages, "last");
  body += pager + "</p><table id=\"tasks\"><tr><th>Task</th><th>Partition</th><th>Status</th><th>Executor</th>"
                  "<th>Launch Time</th><th>Duration</th><th>Records in</th><th>Records out</th><th>Shuffle "
                  "read</th><th>Shuffle write</th><th>Spill</th><th>Error</th></tr>";
  for (int i = (page - 1) * page_size; i < total && i < page * page_size; ++i) {
    const TaskRow& t = s.tasks[i];
    const TaskMetrics& m = t.metrics;
    const bool ended = t.status != "RUNNING";
    auto cell = [&](const std::string& text) { return "<td>" + (ended ? text : std::string()) + "</td>"; };
    body += "<tr><td>" + std::to_string(i) + "</td><td>" + std::to_string(t.partition) + "</td><td class=\"" +
            t.status + "\">" + t.status + "</td>" + cell(executor_name(t.executor_id)) + "<td>" +
            display_time(t.launch_time) + "</td>" + cell(duration_text(t.duration)) +
            cell(std::to_string(m.records_read + m.shuffle_records_read)) +
            cell(std::to_string(m.records_written + m.shuffle_records_written)) +
            cell(bytes_text(m.shuffle_remote_bytes_read + m.shuffle_local_bytes_read)) +
            cell(bytes_text(m.shuffle_bytes_written)) + cell(bytes_text(m.spill_bytes)) + "<td class=\"err\">" +
            html_escape(t.error) + "</td></tr>";
  }
  body += "</table>";
  return frame("Details for Stage " + std::to_string(id) + " (Attempt " + std::to_string(attempt) + ")", "stages",
               body, base);
}

std::string AppStatus::executors_page(const std::string& base) const {
  auto row = [this](const ExecutorRow& x) {
    const TaskMetrics& m = x.totals;
    const auto [memory, disk] = storage_of(executor_number(x));
    return "<tr><td>" + html_escape(x.id) + "</td><td>" + html_escape(x.address) + "</td><td>" +
           (x.active ? "Active" : "Dead") + "</td><td>" + std::to_string(x.cores) + "</td><td>" +
           bytes_text(memory) + " / " + bytes_text(disk) + "</td><td>" +
           std::to_string(running_on(executor_number(x))) + "</td><td>" +
           std::to_string(x.completed) + "</td><td>" + std::to_string(x.failed) + "</td><td>" +
           duration_text(x.task_time) + "</td><td>" + bytes_text(m.bytes_read) + "</td><td>" +
           bytes_text(m.shuffle_remote_bytes_read + m.shuffle_local_bytes_read) + "</td><td>" +
           bytes_text(m.shuffle_bytes_written) + "</td><td class=\"err\">" + html_escape(x.removed_reason) +
           "</td></tr>";
  };
  std::string rows;
  if (executors_.empty()) rows = row(driver_);
  for (const auto& [id, x] : executors_) rows += row(x);
  return frame("Executors", "executors",
               "<table id=\"executors\"><tr><th>Executor Id</th><th>Address</th><th>Status</th><th>Cores</th>"
               "<th>Storage (memory / disk)</th><th>Active Tasks</th><th>Complete Tasks</th><th>Failed Tasks</th><th>Task Time</th><th>Input</th><th>Shuffle "
               "Read</th><th>Shuffle Write</th><th>Removed because</th></tr>" +
                   rows + "</table>",
               base);
}

std::string AppStatus::storage_page(const std::string& base) const {
  std::string rows;
  for (const auto& [id, r] : rdds_) {
    const auto [memory, disk, cached] = cached_totals(r);
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, "%.0f%%",
                  r.num_partitions > 0 ? 100.0 * static_cast<double>(cached) / r.num_partitions : 0.0);
    rows += "<tr><td>" + std::to_string(id) + "</td><td><a href=\"" + base + "/storage/rdd/?id=" +
            std::to_string(id) + "\">" + html_escape(r.name) + "</a></td><td>" + html_escape(r.storage_level) +
            "</td><td>" + std::to_string(cached) + " of " + std::to_string(r.num_partitions) + "</td><td>" +
            fraction + "</td><td>" + bytes_text(memory) + "</td><td>" + bytes_text(disk) + "</td></tr>";
  }
  return frame("Storage", "storage",
               "<table id=\"storage\"><tr><th>ID</th><th>RDD Name</th><th>Storage Level</th><th>Cached "
               "Partitions</th><th>Fraction Cached</th><th>Size in Memory</th><th>Size on Disk</th></tr>" +
                   rows + "</table>",
               base);
}

std::string AppStatus::rdd_page(int id, const std::string& base) const {
  const RddRow& r = rdds_.at(id);
  std::string rows;
  for (const auto& [key, b] : r.blocks)
    rows += "<tr><td>rdd_" + std::to_string(id) + "_" + std::to_string(key.first) + "</td><td>" +
            html_escape(executor_name(key.second)) + "</td><td>" + bytes_text(b.memory) + "</td><td>" +
            bytes_text(b.disk) + "</td></tr>";
  return frame("RDD Storage Info for " + r.name, "storage",
               "<p>Storage level: " + html_escape(r.storage_level) + ", " + std::to_string(r.blocks.size()) +
                   " cached blocks of " + std::to_string(r.num_partitions) +
                   " partitions</p><table id=\"blocks\"><tr><th>Block Name</th><th>Executor</th><th>Size in "
                   "Memory</th><th>Size on Disk</th></tr>" +
                   rows + "</table>",
               base);
}

std::string AppStatus::environment_page(const std::string& base) const {
  std::string rows = "<tr><td>Brasa version</td><td>" + std::string(BRASA_VERSION) + "</td></tr><tr><td>Program</td><td>" +
                     html_escape(info_.binary) + "</td></tr><tr><td>Master</td><td>" + html_escape(info_.master) +
                     "</td></tr>";
  for (const auto& [k, v] : info_.conf)
    rows += "<tr><td>" + html_escape(k) + "</td><td>" + html_escape(shown_value(k, v)) +
            "</td></tr>";
  return frame("Environment", "environment", "<table id=\"environment\"><tr><th>Name</th><th>Value</th></tr>" + rows +
                                                 "</table>",
               base);
}

std::optional<std::string> AppStatus::page(const std::string& path,
                                           const std::multimap<std::string, std::string>& query,
                                           const std::string& base) const {
  std::lock_guard lock(mu_);
  const auto parts = split_path(path);
  if (parts.empty() || (parts.size() == 1 && parts[0] == "jobs")) return jobs_page(base);
  if (parts.size() == 2 && parts[0] == "jobs" && parts[1] == "job") {
    auto id = to_int(param(query, "id"));
    if (!id || !jobs_.count(*id)) return std::nullopt;
    return job_page(*id, base);
  }
  if (parts.size() == 1 && parts[0] == "stages") return stages_page(base);
  if (parts.size() == 2 && parts[0] == "stages" && parts[1] == "stage") {
    auto id = to_int(param(query, "id"));
    auto attempt = to_int(param(query, "attempt", "0"));
    if (!id || !attempt || !stage_row(*id, *attempt)) return std::nullopt;
    const int page_size = std::clamp(int_param(query, "pageSize", 100), 1, 10000);
    return stage_page(*id, *attempt, int_param(query, "page", 1), page_size, base);
  }
  if (parts.size() == 1 && parts[0] == "storage") return storage_page(base);
  if (parts.size() == 2 && parts[0] == "storage" && parts[1] == "rdd") {
    auto id = to_int(param(query, "id"));
    if (!id || !rdds_.count(*id)) return std::nullopt;
    return rdd_page(*id, base);
  }
  if (parts.size() == 1 && parts[0] == "executors") return executors_page(base);
  if (parts.size() == 1 && parts[0] == "environment") return environment_page(base);
  return std::nullopt;
}

}  // namespace brasa::ui
