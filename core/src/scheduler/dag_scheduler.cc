#include "brasa/scheduler/dag_scheduler.h"
#include "brasa/scheduler/lost_local_checkpoint.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <chrono>
#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "brasa/accumulator.h"
#include "brasa/rdd/plan.h"
#include "brasa/rdd/rdd_base.h"
#include "brasa/runtime.h"
#include "brasa/scheduler/backend.h"
#include "brasa/scheduler/event_bus.h"
#include "brasa/scheduler/task_context.h"
#include "brasa/shuffle/shuffle_manager.h"
#include "brasa/util/sink.h"
#include "brasa/storage/block_manager.h"

namespace brasa {

struct DAGScheduler::Stage {
  int id = 0;
  std::shared_ptr<RDDBase> rdd;                     // the stage's last RDD
  std::shared_ptr<ShuffleDependencyBase> shuffle;  // null for the result stage
  std::vector<Stage*> parents;
  std::vector<int> read_shuffles;  // shuffles whose outputs the stage's tasks read
  std::vector<int> cached_rdds;    // persisted RDDs whose partition p task p computes or reads
  bool pinned = false;             // one of them is a local checkpoint: run where its block is
  std::string plan;                // what executors run (cluster mode)
  bool done = false;
  std::string name() const {
    return shuffle ? shuffle->parent()->name() + " (shuffle " + std::to_string(shuffle->shuffle_id()) + ")"
                   : rdd->name();
  }
};

struct DAGScheduler::Job {
  int id = 0;
  std::string name;
  std::vector<std::unique_ptr<Stage>> stages;  // parents before children
  Stage* result = nullptr;
  std::vector<int> result_partitions;
  std::vector<uint8_t> delivered;  // per result partition; written by concurrent tasks: not vector<bool>
  JobAction* action = nullptr;
  JobStats stats;
  std::atomic<bool> cancelled{false};
  std::set<int> cut;  // persisted RDDs fully cached: the stages and plans leave out their lineage
};

// Thrown by run_stages when a task met a block missing from a plan cut at
// its cache: the job's stages are built again with the whole lineage.
struct NeedLineage {};

namespace {
// Every scheduler of the process, for cancel_everywhere.
std::mutex schedulers_mu;
std::set<DAGScheduler*> schedulers;
}  // namespace

DAGScheduler::DAGScheduler(Runtime& runtime, int max_failures) : runtime_(runtime), max_failures_(max_failures) {
  std::lock_guard lock(schedulers_mu);
  schedulers.insert(this);
}

DAGScheduler::~DAGScheduler() {
  std::lock_guard lock(schedulers_mu);
  schedulers.erase(this);
}

namespace {
std::atomic<int> undo_scopes{0};
std::atomic<int> interrupt_signal{0};

// After an interrupt, once nothing is left to undo: exit as the signal would.
void exit_if_interrupted() {
  if (int sig = interrupt_signal.load(); sig && undo_scopes.load() == 0) {
    spdlog::default_logger()->flush();
    std::_Exit(128 + sig);
  }
}
}  // namespace

UndoScope::UndoScope() { ++undo_scopes; }
UndoScope::~UndoScope() {
  --undo_scopes;
  exit_if_interrupted();
}
int UndoScope::active() { return undo_scopes.load(); }

void DAGScheduler::interrupt(int sig) {
  interrupt_signal = sig;
  std::string reason = std::string("interrupted by ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT");
  std::lock_guard lock(schedulers_mu);
  for (auto* s : schedulers) s->cancel_all_jobs(reason);
}

int DAGScheduler::active_jobs_everywhere() {
  std::lock_guard lock(schedulers_mu);
  int n = 0;
  for (auto* s : schedulers) n += s->active_jobs();
  return n;
}

void DAGScheduler::cancel_all_jobs(const std::string& reason) {
  std::vector<int> jobs;
  {
    std::lock_guard lock(mu_);
    cancel_reason_ = reason;
    for (auto& [flag, id] : active_) {
      flag->store(true);
      jobs.push_back(id);
    }
  }
  for (int id : jobs) runtime_.backend().cancel_job(id);
}

void DAGScheduler::executor_added(int executor_id, const std::string& address, int cores) {
  Event e{Event::Type::kExecutorAdded, -1, -1, -1, cores, true, 0, address, ""};
  e.executor_id = executor_id;
  runtime_.events().post(std::move(e));
}

void DAGScheduler::executor_lost(int executor_id, const std::string& why) {
  int lost = runtime_.shuffle_manager().remove_executor(executor_id);
  spdlog::warn("executor {} lost: {} map outputs to recompute", executor_id, lost);
  Event e{Event::Type::kExecutorLost, -1, -1, -1, 0, false, 0, "", why};
  e.executor_id = executor_id;
  runtime_.events().post(std::move(e));
}

int DAGScheduler::active_jobs() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(active_.size());
}

JobStats DAGScheduler::last_job() const {
  std::lock_guard lock(mu_);
  return last_;
}

namespace {

// The shuffle dependencies reachable from `rdd` through narrow dependencies:
// the boundaries of the stage that ends at `rdd`.
// The walk stops at RDDs in `cut`.
std::vector<std::shared_ptr<ShuffleDependencyBase>> stage_boundaries(const std::shared_ptr<RDDBase>& rdd,
                                                                     const std::set<int>& cut) {
  std::vector<std::shared_ptr<ShuffleDependencyBase>> out;
  std::set<int> seen;
  std::vector<RDDBase*> todo{rdd.get()};
  while (!todo.empty()) {
    RDDBase* r = todo.back();
    todo.pop_back();
    if (!seen.insert(r->id()).second || cut.count(r->id())) continue;
    for (auto& dep : r->dependencies()) {
      if (dep.is_shuffle())
        out.push_back(dep.shuffle);
      else
        todo.push_back(dep.rdd.get());
    }
  }
  return out;
}

// Persisted RDDs that task p of the stage ending at `rdd` reads or computes
// as their own partition p (through one-to-one narrow dependencies): where
// their blocks are is where the task should run.
// *pinned tells whether one of them is a local checkpoint.
std::vector<int> cached_in_stage(const std::shared_ptr<RDDBase>& rdd, const std::set<int>& cut, bool* pinned) {
  std::vector<int> out;
  std::vector<RDDBase*> todo{rdd.get()};
  while (!todo.empty()) {
    RDDBase* r = todo.back();
    todo.pop_back();
    // A local checkpoint's block can only be read where it is: it goes
    // first, so the task is placed by it rather than by an ordinary cached
    // block, which a task elsewhere can recompute.
    if (r->is_local_checkpointed()) {
      out.insert(out.begin(), r->id());
      *pinned = true;
    } else if (r->storage_level().is_valid()) {
      out.push_back(r->id());
    }
    if (cut.count(r->id())) continue;
    for (auto& dep : r->dependencies())
      if (!dep.is_shuffle() && dep.rdd->num_partitions() == r->num_partitions()) todo.push_back(dep.rdd.get());
  }
  return out;
}

// The persisted RDDs reachable from `rdd` (through narrow and shuffle
// dependencies) whose every partition is cached, nearest first: the walk
// does not go past them, so its cost does not grow with the iterations
// behind a cached result.
std::set<int> fully_cached(const std::shared_ptr<RDDBase>& rdd, Runtime& runtime) {
  std::set<int> cut, seen;
  std::vector<RDDBase*> todo{rdd.get()};
  while (!todo.empty()) {
    RDDBase* r = todo.back();
    todo.pop_back();
    if (!seen.insert(r->id()).second) continue;
    if (r->storage_level().is_valid() && !r->is_checkpointed()) {
      if (runtime.backend().has_cached(r->id(), r->num_partitions())) {
        cut.insert(r->id());
        continue;
      }
    }
    for (auto& dep : r->dependencies()) todo.push_back(dep.rdd.get());
  }
  return cut;
}

}  // namespace

void DAGScheduler::run_job(const std::shared_ptr<RDDBase>& rdd, const std::vector<int>& partitions,
                           JobAction& action, const std::string& name) {
  if (TaskContext::current() != nullptr)
    throw std::logic_error("brasa: action '" + name +
                           "' was called inside a task; actions can only run on the driver (an RDD "
                           "operation inside another RDD's function is not supported)");
  Job job;
  {
    std::lock_guard lock(mu_);
    job.id = next_job_id_++;
    active_.emplace(&job.cancelled, job.id);
  }
  struct Unregister {
    DAGScheduler* self;
    Job* job;
    ~Unregister() {
      std::lock_guard lock(self->mu_);
      self->active_.erase(&job->cancelled);
    }
  } unregister{this, &job};
  job.name = name;
  job.result_partitions = partitions;
  job.action = &action;

  job.delivered.assign(partitions.size(), 0);
  job.cut = fully_cached(rdd, runtime_);

  // Build the stage graph. Stages whose shuffle outputs all exist run no
  // tasks (they are skipped) unless outputs get lost while the job runs.
  std::map<int, Stage*> by_shuffle;
  std::function<Stage*(std::shared_ptr<RDDBase>, std::shared_ptr<ShuffleDependencyBase>)> build =
      [&](std::shared_ptr<RDDBase> last, std::shared_ptr<ShuffleDependencyBase> shuffle) -> Stage* {
    auto stage = std::make_unique<Stage>();
    stage->rdd = std::move(last);
    stage->shuffle = std::move(shuffle);
    stage->cached_rdds = cached_in_stage(stage->rdd, job.cut, &stage->pinned);
    for (auto& dep : stage_boundaries(stage->rdd, job.cut)) {
      stage->read_shuffles.push_back(dep->shuffle_id());
      Stage*& parent = by_shuffle[dep->shuffle_id()];
      if (!parent) parent = build(dep->parent(), dep);
      stage->parents.push_back(parent);
    }
    {
      std::lock_guard lock(mu_);
      stage->id = next_stage_id_++;
    }
    job.stages.push_back(std::move(stage));
    return job.stages.back().get();
  };
  job.result = build(rdd, nullptr);
  job.stats.job_id = job.id;

  auto start = std::chrono::steady_clock::now();
  runtime_.events().post(Event{Event::Type::kJobStart, job.id, -1, -1, static_cast<int>(job.stages.size()), true,
                               0, name, ""});
  std::string error;
  bool lost_local_checkpoint = false;
  try {
    try {
      run_stages(job);
    } catch (const NeedLineage&) {
      spdlog::info("Job {}: a cached block is gone; running the rest with the whole lineage", job.id);
      job.cut.clear();
      job.stages.clear();
      by_shuffle.clear();
      job.result = build(rdd, nullptr);
      run_stages(job);
    }
  } catch (const LostLocalCheckpoint& e) {
    error = e.what();
    lost_local_checkpoint = true;
  } catch (const std::exception& e) {
    error = e.what();
  }
  job.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  runtime_.events().post(
      Event{Event::Type::kJobEnd, job.id, -1, -1, 0, error.empty(), job.stats.seconds, name, error});
  {
    std::lock_guard lock(mu_);
    last_ = job.stats;
  }
  if (!error.empty()) {
    spdlog::error("Job {} failed: {}", job.id, error);
    exit_if_interrupted();
    if (lost_local_checkpoint) throw LostLocalCheckpoint(error);
    throw JobError(error);
  }
  spdlog::info("Job {} finished: {}, took {:.3f} s", job.id, name, job.stats.seconds);
}

// Runs the job's stages in waves; each wave is every stage whose parents are
// done. A map stage is done when all its outputs exist, so outputs lost with
// an executor (found by a reducer's fetch failure) make it run again, for
// the missing map partitions only.
void DAGScheduler::run_stages(Job& job) {
  struct Task {
    Stage* stage;
    int partition;
  };
  std::vector<uint8_t>& delivered = job.delivered;
  std::map<int, int> partition_index;  // result partition -> index in job.result_partitions
  for (size_t i = 0; i < job.result_partitions.size(); ++i) partition_index[job.result_partitions[i]] = static_cast<int>(i);
  std::map<Stage*, int> resubmissions;
  std::set<Stage*> ran;
  constexpr int kMaxResubmissions = 4;  // Spark's spark.stage.maxConsecutiveAttempts

  while (true) {
    for (auto& s : job.stages)
      s->done = s->shuffle ? runtime_.shuffle_manager().is_complete(s->shuffle->shuffle_id())
                           : std::all_of(delivered.begin(), delivered.end(), [](uint8_t d) { return d != 0; });
    // A job of no result partitions (RDD::run_map_stages) is done when the
    // map stages are: its result stage runs no task and is never submitted.
    if (job.result_partitions.empty())
      job.result->done = std::all_of(job.result->parents.begin(), job.result->parents.end(),
                                     [](const Stage* p) { return p->done; });
    if (job.result->done) break;
    std::vector<Stage*> wave;
    for (auto& s : job.stages) {
      if (s->done) continue;
      bool ready = true;
      for (Stage* p : s->parents) ready = ready && p->done;
      if (ready) wave.push_back(s.get());
    }
    std::vector<Task> tasks;
    for (Stage* s : wave) {
      if (ran.count(s) && ++resubmissions[s] > kMaxResubmissions)
        throw JobError("Job " + std::to_string(job.id) + " (" + job.name + ") aborted: stage " +
                       std::to_string(s->id) + " (" + s->name() + ") lost its inputs " +
                       std::to_string(kMaxResubmissions) + " times in a row");
      ran.insert(s);
      std::vector<int> parts;
      if (s->shuffle) {
        parts = runtime_.shuffle_manager().missing_maps(s->shuffle->shuffle_id());
      } else {
        for (size_t i = 0; i < delivered.size(); ++i)
          if (!delivered[i]) parts.push_back(job.result_partitions[i]);
      }
      Event submitted{Event::Type::kStageSubmitted, job.id, s->id, -1, static_cast<int>(parts.size()),
                      true, 0, s->name(), ""};
      for (const Stage* parent : s->parents) submitted.parents.push_back(parent->id);
      runtime_.events().post(std::move(submitted));
      spdlog::debug("Submitting stage {} ({}) with {} tasks", s->id, s->name(), parts.size());
      for (int p : parts) tasks.push_back(Task{s, p});
      if (runtime_.backend().ships_plans() && s->plan.empty()) {
        PlanWriter w;
        w.cut_at([&job](const RDDBase& r) { return job.cut.count(r.id()) > 0; });
        if (s->shuffle)
          s->shuffle->write_plan(w);
        else
          job.action->task().write_plan(w);
        s->plan = std::move(w.bytes());
      }
    }

    std::atomic<bool> aborted{false};
    std::mutex failure_mu;
    std::string failure;
    std::atomic<int> failed_attempts{0};
    std::atomic<int> fetch_failures{0};
    std::atomic<bool> need_lineage{false};
    std::string missing_block;  // what the last BlockMissing said (under failure_mu)
    auto run_task = [&](const Task& t) {
      if (aborted || job.cancelled) return;
      runtime_.events().post(Event{Event::Type::kTaskStart, job.id, t.stage->id, t.partition, 0, true, 0, "", ""});
      std::string last_error;
      int failures = 0;
      for (int attempt = 0; failures < max_failures_; ++attempt) {
        TaskContext tc(runtime_, t.stage->id, t.partition, attempt);
        tc.watch_cancel(&job.cancelled);
        TaskContext::Scope scope(&tc);
        auto start = std::chrono::steady_clock::now();
        try {
          TaskAttempt a;
          a.job_id = job.id;
          a.stage_id = t.stage->id;
          a.partition = t.partition;
          a.attempt = attempt;
          a.shuffle = t.stage->shuffle.get();
          a.action = job.action;
          a.plan = &t.stage->plan;
          a.read_shuffles = &t.stage->read_shuffles;
          a.cached_rdds = &t.stage->cached_rdds;
          a.pinned = t.stage->pinned;
          a.cancelled = &job.cancelled;
          runtime_.backend().run(a);
          runtime_.accumulators().merge(tc.accumulator_updates());
          if (!t.stage->shuffle) delivered[static_cast<size_t>(partition_index.at(t.partition))] = 1;
          double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          Event end{Event::Type::kTaskEnd, job.id, t.stage->id, t.partition, 0, true, secs, "", ""};
          end.executor_id = tc.executor_id();
          end.metrics = tc.metrics();
          runtime_.events().post(std::move(end));
          return;
        } catch (const FetchFailed& e) {
          // The map output is gone (its executor died): forget that executor's
          // outputs; the next wave re-runs the missing map tasks, then this one.
          int lost = runtime_.shuffle_manager().remove_executor(e.executor);
          spdlog::warn("Task {} in stage {} ({}): {}; {} map outputs marked lost, resubmitting", t.partition,
                       t.stage->id, t.stage->name(), e.what(), lost);
          ++fetch_failures;
          runtime_.events().post(
              Event{Event::Type::kTaskEnd, job.id, t.stage->id, t.partition, 0, false, 0, "", e.what(),
                    tc.executor_id()});
          return;
        } catch (const TaskCancelled&) {
          runtime_.events().post(
              Event{Event::Type::kTaskEnd, job.id, t.stage->id, t.partition, 0, false, 0, "", "cancelled",
                    tc.executor_id()});
          return;
        } catch (const BlockMissing& e) {
          // Evicted since, or the task ran away from its block: not the
          // task's fault. The job goes on with the lineage.
          spdlog::info("Task {} in stage {} ({}): {}", t.partition, t.stage->id, t.stage->name(), e.what());
          need_lineage = true;
          {
            std::lock_guard lock(failure_mu);
            missing_block = e.what();
          }
          runtime_.events().post(
              Event{Event::Type::kTaskEnd, job.id, t.stage->id, t.partition, 0, false, 0, "", e.what(),
                    tc.executor_id()});
          return;
        } catch (const std::exception& e) {  // including ExecutorLost: a task that kills its executor must not loop
          last_error = e.what();
        } catch (...) {
          last_error = "unknown exception";
        }
        if (job.cancelled) return;  // the task failed because the job is going away
        ++failures;
        ++failed_attempts;
        spdlog::warn("Lost task {}.{} in stage {} ({}): {}", t.partition, attempt, t.stage->id, t.stage->name(),
                     last_error);
        if (aborted) break;
      }
      runtime_.events().post(
          Event{Event::Type::kTaskEnd, job.id, t.stage->id, t.partition, 0, false, 0, "", last_error});
      std::lock_guard lock(failure_mu);
      if (!aborted.exchange(true))
        failure = "Job " + std::to_string(job.id) + " (" + job.name + ") aborted: stage " +
                  std::to_string(t.stage->id) + " (" + t.stage->name() + ") failed: task for partition " +
                  std::to_string(t.partition) + " failed " + std::to_string(max_failures_) +
                  " times; most recent failure: " + last_error;
    };
    runtime_.backend().run_all(tasks.size(), [&](size_t i) { run_task(tasks[i]); });
    job.stats.failed_attempts += failed_attempts;
    job.stats.tasks += static_cast<int>(tasks.size());
    for (Stage* s : wave)
      runtime_.events().post(Event{Event::Type::kStageCompleted, job.id, s->id, -1, 0, !aborted, 0, s->name(), ""});
    if (aborted) throw JobError(failure);
    if (job.cancelled) {
      std::lock_guard lock(mu_);
      throw JobError("Job " + std::to_string(job.id) + " (" + job.name + ") cancelled: " + cancel_reason_);
    }
    if (need_lineage) {
      if (job.cut.empty())  // only local checkpoints are left without lineage
        throw LostLocalCheckpoint("Job " + std::to_string(job.id) + " (" + job.name + ") aborted: " + missing_block +
                       ": the RDD is a local checkpoint, which cannot be recomputed (its executor died or the "
                       "block was evicted); use checkpoint(dir) for data that must survive the loss of an executor");
      throw NeedLineage{};
    }
  }
  job.stats.stages_run = static_cast<int>(ran.size());
  // A job of no result partitions has a result stage that is never
  // submitted: not a skipped stage.
  job.stats.stages_skipped =
      static_cast<int>(job.stages.size() - ran.size()) - (job.result_partitions.empty() ? 1 : 0);
}

}  // namespace brasa
