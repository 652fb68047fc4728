// The workloads of brasa-bench-core, each twice: as a Brasa job and as a
// hand-written single-threaded loop over the same generated data. The
// benchmark times them at full size; tests/bench runs them at tiny sizes and
// checks that both give the same answer.
//
// Every generator is a pure function of a record's index (splitmix64), so
// the Python peers in bench/peers.py rebuild exactly the same data.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace brasa {
class Context;
}

namespace brasa::bench {

// Timings of the measured part of a workload, one per run.
struct Timings {
  int runs = 1;
  std::vector<double> seconds;
  double median() const;
  // Runs fn() `runs` times, recording each; returns the last result.
  template <class F> auto time(F fn) {
    seconds.clear();
    for (int i = 1;; ++i) {
      double start = now();
      auto result = fn();
      seconds.push_back(now() - start);
      if (i >= runs) return result;
    }
  }
  static double now();
};

// Runs each system once per round, `runs` rounds, recording each run into
// the Timings beside it; returns each one's last result. Systems timed in
// turn meet the same machine; timed one after the other, they meet its
// drift (this shared machine's speed moves by tens of percent in a minute).
template <class R>
std::vector<R> time_in_turn(int runs, const std::vector<std::pair<Timings*, std::function<R()>>>& systems) {
  std::vector<R> last(systems.size());
  for (const auto& system : systems) system.first->seconds.clear();
  for (int r = 0; r < runs; ++r)
    for (size_t i = 0; i < systems.size(); ++i) {
      double start = Timings::now();
      last[i] = systems[i].second();
      systems[i].first->seconds.push_back(Timings::now() - start);
    }
  return last;
}

// What a workload computed, reduced to numbers that any system, in any
// record order, gives identically: the record count, a wrapping sum of a
// mix of each record, and for floating-point results a plain sum compared
// with a tolerance.
struct Answer {
  int64_t records = 0;
  uint64_t digest = 0;
  double sum = 0;
  bool operator==(const Answer& o) const;
};
std::string to_string(const Answer& a);

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
// Digest term of a (key, value) record.
inline uint64_t record_mix(uint64_t k, uint64_t v) { return splitmix64(k) * (v | 1) + v; }
// FNV-1a, the digest of a word.
uint64_t word_hash(const std::string& w);

// 1, 8, 9. reduce_by_key: pair i is (splitmix64(i) % keys, 1).
inline int64_t pair_key(int64_t i, int64_t keys) {
  return static_cast<int64_t>(splitmix64(static_cast<uint64_t>(i)) % static_cast<uint64_t>(keys));
}
struct ReduceByKeyRun {
  Answer answer;
  size_t cached_bytes = 0;  // block manager bytes of the cached input (local masters)
};
// Caches the input (not timed), then times reduce_by_key + collect.
ReduceByKeyRun reduce_by_key_brasa(Context& ctx, int64_t pairs, int64_t keys, int partitions, Timings& t);
Answer reduce_by_key_hand(int64_t pairs, int64_t keys, Timings& t);
// The same answer counted in a flat array, for sizes too large to keep.
Answer reduce_by_key_expected(int64_t pairs, int64_t keys);

// 2. word count of a generated text file: Zipf-distributed words.
void write_words(const std::string& path, int64_t bytes);
// Spark's two ways: words.countByValue() (what Dask's frequencies() does),
// or words.map(w => (w, 1)).reduceByKey(_ + _).
enum class WordCount { kCountByValue, kReduceByKey };
Answer word_count_brasa(Context& ctx, const std::string& path, int partitions, WordCount how, Timings& t);
Answer word_count_hand(const std::string& path, Timings& t);
// `LC_ALL=C tr | sort | uniq -c` in a shell.
Answer word_count_shell(const std::string& path, Timings& t);

// 3. sort_by_key: key i is splitmix64(i ^ kSortSeed) as int64, value i.
// Answer::sum is 1 when the output is in order, 0 when not.
inline constexpr uint64_t kSortSeed = 0x5eed;
Answer sort_brasa(Context& ctx, int64_t records, int partitions, Timings& t);
Answer sort_hand(int64_t records, Timings& t);

// 4. join: left pair i is (pair_key(i, right), i), right pair k is (k, 3k).
struct JoinRun {
  Answer answer;
  int stages = 0;  // stages the timed job ran
};
// join_brasa caches its inputs (untimed) and returns the join to time.
std::function<JoinRun()> join_brasa(Context& ctx, int64_t left, int64_t right, int partitions, bool co_partitioned);
Answer join_hand(int64_t left, int64_t right, Timings& t);

// 5. tiny job: parallelize two numbers in two partitions and count.
int64_t tiny_job(Context& ctx);
// A job of `tasks` tasks that do nothing: the scheduler's and backend's cost per task.
int64_t empty_tasks(Context& ctx, int tasks);

// 7. PageRank (Spark's classic RDD example) on an R-MAT graph with
// 2^scale vertices; Timings gets one entry per iteration.
std::vector<std::pair<int64_t, int64_t>> rmat_edges(int scale, int64_t edges);
std::pair<int64_t, int64_t> rmat_edge(int scale, int64_t i);
// kJoin is Spark's example (links.join(ranks)); kZipPartitions reads the
// cached links in place, as GraphX-style code does. cached_copied_per_iteration
// gets the bytes of cached records copied per iteration after the first
// (counted in this process: zero on local-cluster, where executors copy).
enum class PageRankForm { kJoin, kZipPartitions };
Answer pagerank_brasa(Context& ctx, int scale, int64_t edges, int iterations, int partitions, PageRankForm form,
                      Timings& t, double* cached_copied_per_iteration = nullptr);
Answer pagerank_hand(int scale, int64_t edges, int iterations, Timings& t);

// 10. sum of a cached RDD of int64 values 0..n-1 against the same sum
// over a plain array in the same process. Each sets its data up (untimed)
// and returns the sum to time.
std::function<Answer()> cached_sum_brasa(Context& ctx, int64_t n, int partitions);
std::function<Answer()> cached_sum_hand(int64_t n);

// 11. GraphX's iteration pattern: a cached, hash-partitioned RDD joined
// each iteration with the previous result, which is cached while the one
// before it is unpersisted. Timings gets one entry per iteration;
// *rss_mb (if given) the driver's resident memory after each iteration.
Answer join_loop_brasa(Context& ctx, int64_t keys, int iterations, int partitions, Timings& t,
                       std::vector<double>* rss_mb = nullptr);
Answer join_loop_hand(int64_t keys, int iterations);

}  // namespace brasa::bench
