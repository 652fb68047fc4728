// What one task attempt did, as Spark's TaskMetrics: counted where the work
// happens (per partition or batch, never per record), shipped with the
// task's result from an executor, and posted with its TaskEnd event (the
// web UI's stage pages, taskSummary quantiles and the event log read them).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace brasa {

struct TaskMetrics {
  int64_t run_ns = 0;          // the attempt's own time, where it ran
  int64_t deserialize_ns = 0;  // rebuilding its plan (executors)
  // Input files (text_file, whole_text_files, object_file) and the output of
  // save_* actions.
  int64_t records_read = 0, bytes_read = 0;
  int64_t records_written = 0, bytes_written = 0;
  // Shuffles: records a map task left for reducers and their size (in memory,
  // estimated, plus spilled to disk); records a reduce task read, the bytes
  // it fetched from other executors (remote) or read back from this
  // process's spill files (local; buckets in memory are read in place), and
  // how long it waited for fetches.
  int64_t shuffle_records_written = 0, shuffle_bytes_written = 0;
  int64_t shuffle_records_read = 0, shuffle_remote_bytes_read = 0, shuffle_local_bytes_read = 0;
  int64_t shuffle_fetch_wait_ns = 0;
  int64_t spill_bytes = 0;  // written to spill files (shuffles, aggregation, disk blocks)
  int64_t peak_memory = 0;  // the most shuffle memory the attempt held, estimated

  // Sums `o` into this, field by field (peak_memory: the larger of the two).
  void add(TaskMetrics o) {
    int64_t theirs[kFields] = {};
    int i = 0;
    o.for_each([&](const char*, int64_t v) { theirs[i++ % kFields] = v; });
    i = 0;
    for_each([&](std::string_view name, int64_t& v) {
      const int64_t x = theirs[i++ % kFields];
      v = name == "peak_memory" ? std::max(v, x) : v + x;
    });
  }
  static constexpr int kFields = 14;  // those for_each lists
  // Every field in order, for serialization (f(name, member) per field).
  template <class F> void for_each(F&& f) {
    f("run_ns", run_ns);
    f("deserialize_ns", deserialize_ns);
    f("records_read", records_read);
    f("bytes_read", bytes_read);
    f("records_written", records_written);
    f("bytes_written", bytes_written);
    f("shuffle_records_written", shuffle_records_written);
    f("shuffle_bytes_written", shuffle_bytes_written);
    f("shuffle_records_read", shuffle_records_read);
    f("shuffle_remote_bytes_read", shuffle_remote_bytes_read);
    f("shuffle_local_bytes_read", shuffle_local_bytes_read);
    f("shuffle_fetch_wait_ns", shuffle_fetch_wait_ns);
    f("spill_bytes", spill_bytes);
    f("peak_memory", peak_memory);
  }
};

// The metrics of the task attempt running on this thread; null outside one.
TaskMetrics* current_task_metrics();

}  // namespace brasa
