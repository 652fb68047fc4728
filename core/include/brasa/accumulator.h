// Accumulators: values that tasks add to and the driver reads. Updates made
// by a task attempt are merged only when the attempt succeeds, so a retried
// task is counted once. The handle is trivially copyable, so closures may
// capture it by value.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "brasa/scheduler/task_context.h"
#include "brasa/util/serializer.h"

namespace brasa {

template <class T> class AccumulatorValue final : public AccumulatorCell {
 public:
  explicit AccumulatorValue(T v) : value(std::move(v)) {}
  void merge_from(const AccumulatorCell& other) override {
    value += static_cast<const AccumulatorValue&>(other).value;
  }
  void write(ByteWriter& w) const override { w.write(value); }
  void merge_encoded(ByteReader& r) override { value += r.read<T>(); }
  T value;
};

class AccumulatorRegistry {
 public:
  uint64_t create(std::unique_ptr<AccumulatorCell> initial);
  // Applies fn to the driver-side cell under the registry's lock.
  template <class Fn> void with_cell(uint64_t id, Fn&& fn) {
    std::lock_guard lock(mu_);
    fn(*cells_.at(id));
  }
  // Merges a successful task's updates.
  void merge(std::vector<std::pair<uint64_t, std::unique_ptr<AccumulatorCell>>>& updates);
  // The same across processes: an executor encodes its task's updates, the
  // driver merges them into its cells.
  static void write_updates(ByteWriter& w, const std::vector<std::pair<uint64_t, std::unique_ptr<AccumulatorCell>>>& updates);
  void merge_encoded(ByteReader& r);

 private:
  std::mutex mu_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<AccumulatorCell>> cells_;
};

template <class T> class Accumulator {
  static_assert(Serializable<T>, "brasa: accumulator values must be serializable");

 public:
  Accumulator() = default;
  Accumulator(uint64_t id, AccumulatorRegistry* registry) : id_(id), registry_(registry) {}

  // In a task: adds to the task's pending update. On the driver: adds now.
  void add(const T& v) const {
    if (TaskContext* tc = TaskContext::current()) {
      auto& cell = tc->accumulator_cell(id_, [] { return std::make_unique<AccumulatorValue<T>>(T{}); });
      static_cast<AccumulatorValue<T>&>(cell).value += v;
    } else {
      registry_->with_cell(id_, [&](AccumulatorCell& c) { static_cast<AccumulatorValue<T>&>(c).value += v; });
    }
  }
  // The merged value, read on the driver.
  T value() const {
    T out{};
    registry_->with_cell(id_, [&](AccumulatorCell& c) { out = static_cast<AccumulatorValue<T>&>(c).value; });
    return out;
  }
  uint64_t id() const { return id_; }

 private:
  uint64_t id_ = 0;
  AccumulatorRegistry* registry_ = nullptr;
};

}  // namespace brasa
