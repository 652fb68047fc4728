#include "brasa/scheduler/iteration_clock.h"

#include "brasa/runtime.h"
#include "brasa/scheduler/event_bus.h"

namespace brasa {

IterationClock::IterationClock(Runtime& runtime, std::string algorithm)
    : runtime_(&runtime), algorithm_(std::move(algorithm)), start_(std::chrono::steady_clock::now()) {}

void IterationClock::lap(int iteration, double value) {
  auto now = std::chrono::steady_clock::now();
  Event e{};
  e.type = Event::Type::kIterationEnd;
  e.name = algorithm_;
  e.iteration = iteration;
  e.seconds = std::chrono::duration<double>(now - start_).count();
  e.value = value;
  runtime_->events().post(std::move(e));
  start_ = now;
}

}  // namespace brasa
