// brasa-bench-cluster: what the distributed mode costs next to local mode.
// For each master: start-up (process start of the context to the first tiny
// job's result), tiny-job latency (parallelize 2 numbers, count; median of
// 100), scheduling throughput (empty tasks per second) and shuffle
// throughput (MB of (int64, int64) pairs moved through a hash shuffle per
// second).
//
//   brasa-bench-cluster [--shuffle-mb 200] [--tasks 2000]
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "brasa/brasa.h"

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct Result {
  double startup_s, tiny_ms, tasks_per_s, shuffle_mb_s;
};

Result measure(const std::string& master, int64_t shuffle_mb, int tasks) {
  Result r{};
  auto t = Clock::now();
  brasa::Context ctx(brasa::Conf().master(master).app_name("bench-cluster").set("brasa.ui.show_progress", "false"));
  ctx.parallelize(std::vector<int>{1, 2}, 2).count();
  r.startup_s = seconds_since(t);

  std::vector<double> tiny;
  for (int i = 0; i < 120; ++i) {
    auto s = Clock::now();
    ctx.parallelize(std::vector<int>{1, 2}, 2).count();
    if (i >= 20) tiny.push_back(seconds_since(s));  // after warm-up
  }
  std::nth_element(tiny.begin(), tiny.begin() + tiny.size() / 2, tiny.end());
  r.tiny_ms = tiny[tiny.size() / 2] * 1e3;

  t = Clock::now();
  int64_t n = ctx.range(0, tasks, 1, tasks).count();
  r.tasks_per_s = static_cast<double>(n) / seconds_since(t);

  int64_t pairs = shuffle_mb * (1 << 20) / 16;
  auto data = ctx.range(0, pairs, 1, 8).map([](int64_t x) {
    return std::pair<int64_t, int64_t>{static_cast<int64_t>(brasa::mix64(static_cast<uint64_t>(x)) >> 1), x};
  });
  data.count();  // warm the code paths; the input is recomputed by the timed job
  t = Clock::now();
  int64_t moved = data.partition_by(brasa::Partitioner::hash(8)).count();
  double shuffle_s = seconds_since(t);
  r.shuffle_mb_s = static_cast<double>(moved) * 16 / (1 << 20) / shuffle_s;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  CLI::App app{"Brasa distributed-mode overheads next to local mode"};
  int64_t shuffle_mb = 200;
  int tasks = 2000;
  app.add_option("--shuffle-mb", shuffle_mb, "MiB of pairs to shuffle")->check(CLI::PositiveNumber);
  app.add_option("--tasks", tasks, "number of empty tasks")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  std::printf("%-20s %12s %12s %14s %16s\n", "master", "start-up", "tiny job", "empty tasks", "hash shuffle");
  for (const char* master : {"local[2]", "local-cluster[2,1]"}) {
    Result r = measure(master, shuffle_mb, tasks);
    std::printf("%-20s %10.3f s %9.3f ms %10.0f /s %11.0f MB/s\n", master, r.startup_s, r.tiny_ms, r.tasks_per_s,
                r.shuffle_mb_s);
    std::fflush(stdout);
  }
  return 0;
}
