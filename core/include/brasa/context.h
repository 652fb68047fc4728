// brasa::Context is the entry point of a driver program, like SparkContext:
// it creates RDDs from data and files, broadcasts values, creates
// accumulators, and owns the runtime that runs jobs.
//
//   brasa::Context ctx(brasa::Conf().master("local[2]").app_name("wordcount"));
//   auto lines = ctx.text_file("datasets/text", 8);
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "brasa/accumulator.h"
#include "brasa/broadcast.h"
#include "brasa/conf.h"
#include "brasa/rdd/rdd.h"
#include "brasa/runtime.h"
#include "brasa/scheduler/dag_scheduler.h"

namespace brasa {

class Context {
 public:
  explicit Context(Conf conf = Conf());
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const Conf& conf() const { return runtime_->conf(); }
  int default_parallelism() const { return runtime_->default_parallelism(); }
  Runtime& runtime() { return *runtime_; }

  // Distributes a local collection over num_slices partitions (default:
  // default_parallelism()).
  template <class T>
  RDD<T> parallelize(std::vector<T> data, int num_slices = 0, CallSite site = CallSite::current()) {
    return RDD<T>(std::make_shared<ParallelCollectionNode<T>>(runtime_, std::move(data), slices(num_slices), site));
  }

  // start, start+step, ... up to but excluding end.
  RDD<int64_t> range(int64_t start, int64_t end, int64_t step = 1, int num_slices = 0,
                     CallSite site = CallSite::current());

  // Lines of a file, a directory of files or a glob, in at least
  // min_partitions byte-range splits.
  RDD<std::string> text_file(const std::string& path, int min_partitions = 0, CallSite site = CallSite::current());

  // (path, contents) for each file.
  RDD<std::pair<std::string, std::string>> whole_text_files(const std::string& path, int min_partitions = 0,
                                                            CallSite site = CallSite::current());

  // Reads what RDD<T>::save_as_object_file wrote.
  template <class T> RDD<T> object_file(const std::string& path, CallSite site = CallSite::current()) {
    return RDD<T>(std::make_shared<ObjectFileNode<T>>(runtime_, object_files(path), site));
  }

  template <class T> Broadcast<T> broadcast(T value) {
    static_assert(Record<T>, "brasa: this broadcast value cannot be serialized (see RDD<T> for what can)");
    auto id = runtime_->broadcasts().put(std::make_shared<const T>(std::move(value)), &Broadcast<T>::encode);
    return Broadcast<T>(id, &runtime_->broadcasts());
  }

  // A broadcast destroyed at the end of the scope that holds it.
  template <class T> ScopedBroadcast<T> scoped_broadcast(T value) { return ScopedBroadcast<T>(broadcast(std::move(value))); }

  template <class T> Accumulator<T> accumulator(T initial = T{}) { return accumulator(std::move(initial), AddTo{}); }
  // An accumulator merged by merge(T& a, const T& b) (updating a) or
  // merge(T a, T b) -> T; zero must be its identity (merging zero changes
  // nothing), since each task's updates start without it.
  template <class T, class Merge> Accumulator<T, Merge> accumulator(T zero, Merge merge) {
    static_assert(std::is_trivially_copyable_v<Merge>,
                  "brasa: an accumulator's merge must be trivially copyable (a lambda capturing plain values)");
    auto id = runtime_->accumulators().create(std::make_unique<AccumulatorValue<T, Merge>>(merge, std::move(zero)));
    return Accumulator<T, Merge>(id, &runtime_->accumulators(), merge);
  }

  // Statistics of the most recent job (stages run and skipped, tasks, time).
  JobStats last_job() const;

  // Cancels every job running in this context, from another thread: tasks
  // stop at their next batch (on executors too), each action throws
  // JobError ("... cancelled: reason"), save_* actions leave no output.
  // Ctrl-C does the same for every context, then exits with status 130.
  void cancel_all_jobs(const std::string& reason = "cancelled by the program");

 private:
  int slices(int requested) const { return requested > 0 ? requested : default_parallelism(); }
  static std::vector<std::string> object_files(const std::string& path);

  std::shared_ptr<Runtime> runtime_;
};

// Call first thing in main(). Turns the process into an executor when it was
// launched as one, applies BRASA_LOG_LEVEL, and has malloc keep freed memory
// for the next tasks (see context.cc).
void init(int argc, char** argv);

}  // namespace brasa
