// Spark's console progress line, "[Stage 3:====>     (12 + 2) / 40]" (done +
// running of total tasks),
// drawn on stderr while stages run for more than half a second.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "brasa/scheduler/event_bus.h"

namespace brasa {

class ConsoleProgressBar final : public Listener {
 public:
  void on_event(const Event& e) override;
  void on_tick() override;

 private:
  struct StageProgress {
    int total = 0;
    int done = 0;
    int running = 0;
    std::chrono::steady_clock::time_point start;
  };
  void clear();

  std::map<int, StageProgress> active_;
  bool drawn_ = false;
};

}  // namespace brasa
