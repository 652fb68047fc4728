// Times the iterations of an iterative algorithm (PageRank, Pregel, k-means,
// L-BFGS, ALS) and posts each one as an Event::kIterationEnd on the bus of
// the context that runs it, so that apps, benchmarks and the UI see
// per-iteration times without the algorithms knowing about them.
//
//   IterationClock clock(rdd.runtime(), "pagerank");
//   for (int i = 1; i <= n; ++i) { ...; clock.lap(i, delta); }
#pragma once

#include <chrono>
#include <cmath>
#include <string>

namespace brasa {

class Runtime;

class IterationClock {
 public:
  IterationClock(Runtime& runtime, std::string algorithm);

  // Posts iteration `iteration` as ended now, timed from the previous lap (or
  // from construction), and restarts the clock.
  void lap(int iteration, double value = NAN);

 private:
  Runtime* runtime_;
  std::string algorithm_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace brasa
