// local[N]: tasks run on a TBB arena of N threads in the driver process,
// with no serialization at all.
#pragma once

#include <memory>

#include "brasa/scheduler/backend.h"

namespace brasa {

class Runtime;

class LocalBackend final : public Backend {
 public:
  LocalBackend(Runtime& runtime, int threads);
  ~LocalBackend() override;

  void run_all(size_t n, const std::function<void(size_t)>& task) override;
  void run(const TaskAttempt& attempt) override;
  int total_cores() const override { return threads_; }
  bool ships_plans() const override { return false; }
  bool has_cached(int rdd_id, int num_partitions) const override;
  void cancel_job(int) override {}  // tasks watch their job's flag themselves

 private:
  struct Arena;  // TBB, kept out of this header
  Runtime& runtime_;
  int threads_;
  std::unique_ptr<Arena> arena_;
};

}  // namespace brasa
