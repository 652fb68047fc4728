// Holds the map outputs of every shuffle in this process: for each map task,
// one bucket of records per reduce partition. Reducers read bucket r of
// every map output in map order, which keeps results deterministic.
//
// A bucket is kept in memory or, once memory runs short, as encoded runs in
// a spill file: a map task spills its buckets when they outgrow the task's
// shuffle memory, and the manager spills a whole finished output when the
// outputs held in memory would exceed brasa.memory.shuffle.
//
// An executor also writes each finished output, encoded, to a file in its
// local directory (Spark's host-local shuffle read): a reducer on the same
// host reads its bucket from the file instead of asking the executor that
// holds it, which would have to stop and serve it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "brasa/util/sink.h"
#include "brasa/shuffle/spill_file.h"
#include "brasa/scheduler/task_metrics.h"
#include "brasa/util/serializer.h"
#include "brasa/util/size_estimate.h"

namespace brasa {

class MapOutputBase {
 public:
  virtual ~MapOutputBase() = default;
  // Moves the in-memory buckets to the spill file.
  virtual void spill(Runtime& runtime) = 0;
  // Bucket r for a reducer in another process: a sequence of encoded
  // record vectors (spilled runs, then what is in memory).
  virtual std::string encode_bucket(size_t r) const = 0;
  // Records in all buckets, in memory and spilled.
  virtual int64_t records() const { return 0; }
  virtual size_t num_buckets() const { return 0; }
  size_t memory_bytes = 0;  // held in memory
  size_t spilled_bytes = 0;  // in the spill file
};

// A map output held by another executor: where to fetch its buckets.
class RemoteMapOutput final : public MapOutputBase {
 public:
  RemoteMapOutput(int executor, std::string address, std::string file)
      : executor(executor), address(std::move(address)), file(std::move(file)) {}
  void spill(Runtime&) override {}
  std::string encode_bucket(size_t) const override { throw std::logic_error("remote map output"); }
  int executor;
  std::string address;
  std::string file;  // its encoded buckets, if readable on this host (empty: fetch them)
};

// Raised by a reducer that cannot get a map output: the scheduler re-runs
// that map task instead of counting a task failure.
class FetchFailed : public std::runtime_error {
 public:
  FetchFailed(int shuffle_id, int map_id, int executor, const std::string& why);  // out of line: thrown from
                                                                                  // templates in every program
  int shuffle_id, map_id, executor;
};

// Fetches buckets from other executors (implemented over RPC).
class ShuffleFetcher {
 public:
  virtual ~ShuffleFetcher() = default;
  // Bucket reduce_id of each of `map_ids`, all held by `where`, in one
  // round trip. Throws FetchFailed.
  virtual std::vector<std::string> fetch(const RemoteMapOutput& where, int shuffle_id,
                                         const std::vector<int>& map_ids, int reduce_id) = 0;
};

template <class B> class MapOutput final : public MapOutputBase {
 public:
  explicit MapOutput(size_t reducers) : buckets(reducers), runs(reducers) {}

  // Pushes bucket r, spilled runs first, then what is in memory, and counts
  // them into the task's metrics (`metrics` may be null).
  void read(size_t r, Sink<B>& out, TaskMetrics* metrics) const {
    int64_t n = 0, bytes_read = 0;
    for (const auto& range : runs[r]) {
      if (out.stopped()) break;
      std::string bytes = file->read(range);
      bytes_read += static_cast<int64_t>(bytes.size());
      ByteReader reader(bytes);
      auto records = read_records<B>(reader);
      n += static_cast<int64_t>(records.size());
      push_owned(records, out);
    }
    if (!out.stopped()) {
      n += static_cast<int64_t>(buckets[r].size());
      push_lent(buckets[r], out);
    }
    if (metrics) {
      metrics->shuffle_records_read += n;
      metrics->shuffle_local_bytes_read += bytes_read;
    }
  }

  int64_t records() const override {
    int64_t n = spilled_records;
    for (const auto& b : buckets) n += static_cast<int64_t>(b.size());
    return n;
  }

  size_t num_buckets() const override { return buckets.size(); }

  std::string encode_bucket(size_t r) const override {
    if (r >= buckets.size()) throw std::out_of_range("no reduce partition " + std::to_string(r));
    std::string bytes;
    for (const auto& range : runs[r]) bytes += file->read(range);
    ByteWriter w(&bytes);
    write_records(w, buckets[r]);
    return bytes;
  }

  void spill(Runtime& runtime) override {
    if (!file) file = std::make_shared<SpillFile>(runtime, "shuffle");
    for (size_t r = 0; r < buckets.size(); ++r) {
      if (buckets[r].empty()) continue;
      std::string bytes;
      ByteWriter w(&bytes);
      write_records(w, buckets[r]);
      runs[r].push_back(file->append(bytes));
      spilled_records += static_cast<int64_t>(buckets[r].size());
      spilled_bytes += bytes.size();
      buckets[r] = std::vector<B>();
    }
    memory_bytes = 0;
  }

  void count_memory() {
    memory_bytes = 0;
    for (const auto& b : buckets) memory_bytes += approx_bytes(b);
  }

  std::vector<std::vector<B>> buckets;
  std::shared_ptr<SpillFile> file;
  std::vector<std::vector<SpillFile::Range>> runs;
  int64_t spilled_records = 0;
};

class ShuffleManager {
 public:
  explicit ShuffleManager(size_t memory_budget) : budget_(memory_budget) {}

  void register_shuffle(int shuffle_id, int num_maps);
  // Publishes a finished map output, spilling it first if memory is short.
  void put(Runtime& runtime, int shuffle_id, int map_id, std::shared_ptr<MapOutputBase> output);
  // Throws std::runtime_error if the output is missing.
  std::shared_ptr<const MapOutputBase> get(int shuffle_id, int map_id) const;
  std::vector<int> missing_maps(int shuffle_id) const;
  bool is_complete(int shuffle_id) const { return missing_maps(shuffle_id).empty(); }
  void remove(int shuffle_id);
  size_t num_shuffles() const;
  size_t memory_used() const;

  // Where outputs held by other executors come from (unset in local mode).
  void set_fetcher(ShuffleFetcher* fetcher) { fetcher_ = fetcher; }
  // Executors: where put() also writes each output's encoded buckets, for
  // reducers on this host (empty: nowhere).
  void set_host_local_dir(std::string dir) { host_local_dir_ = std::move(dir); }
  // The file of map output `map_id` of a shuffle, written in `dir`.
  static std::string host_local_file(const std::string& dir, int shuffle_id, int map_id);
  // Bucket reduce_id of each of `map_ids` held by the executor `where`: read
  // from the outputs' host-local files where they can be, fetched from the
  // executor in one round trip otherwise (counting the bytes and the wait
  // into the task's metrics).
  std::vector<std::string> fetch(const RemoteMapOutput& where, int shuffle_id, const std::vector<int>& map_ids,
                                 int reduce_id) const;
  // Records outputs held elsewhere (executors learn them with each task),
  // with their host-local file if any; outputs already known are kept.
  void add_remote(int shuffle_id, int num_maps, int map_id, int executor, const std::string& address,
                  const std::string& file = "");
  // For each map of the shuffle, where its output is held (null: here or missing).
  std::vector<std::shared_ptr<const RemoteMapOutput>> remote_locations(int shuffle_id) const;
  // Called with the id of each removed shuffle (the driver tells executors).
  void set_on_remove(std::function<void(int)> hook) {
    std::lock_guard lock(mu_);
    on_remove_ = std::move(hook);
  }
  // Forgets the outputs of a lost executor; returns how many.
  int remove_executor(int executor);

 private:
  const size_t budget_;
  mutable std::mutex mu_;
  size_t used_ = 0;
  std::map<int, std::vector<std::shared_ptr<MapOutputBase>>> outputs_;
  ShuffleFetcher* fetcher_ = nullptr;
  std::string host_local_dir_;
  std::function<void(int)> on_remove_;
};

}  // namespace brasa
