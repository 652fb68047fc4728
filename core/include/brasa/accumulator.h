// Accumulators: values that tasks add to and the driver reads. Updates made
// by a task attempt are merged only when the attempt succeeds, so a retried
// task is counted once. The handle is trivially copyable, so closures may
// capture it by value. Numbers add with +=; any other merge (max, union of
// sets, sum of vectors) is given with the accumulator's zero.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "brasa/scheduler/task_context.h"
#include "brasa/util/serializer.h"

namespace brasa {

// `a += b`, the merge of numeric accumulators.
struct AddTo {
  template <class T> void operator()(T& a, const T& b) const { a += b; }
};

// Merges b into a with f written either way: f(a, b) updating a, or
// a = f(a, b).
template <class Merge, class T> void merge_into(Merge& f, T& a, const T& b) {
  if constexpr (std::is_invocable_v<Merge&, T&, const T&> &&
                std::is_void_v<std::invoke_result_t<Merge&, T&, const T&>>)
    f(a, b);
  else
    a = f(std::move(a), b);
}

// The driver's value (starting at the accumulator's zero) or a task's
// pending update (starting empty: the first add is the update, so the zero
// never has to reach executors; it must be the merge's identity, as in
// Spark).
template <class T, class Merge> class AccumulatorValue final : public AccumulatorCell {
 public:
  explicit AccumulatorValue(Merge merge, std::optional<T> v = std::nullopt) : merge(merge), value(std::move(v)) {}
  void add(const T& v) {
    if (value)
      merge_into(merge, *value, v);
    else
      value = v;
  }
  void merge_from(const AccumulatorCell& other) override {
    const auto& o = static_cast<const AccumulatorValue&>(other).value;
    if (o) add(*o);
  }
  void write(ByteWriter& w) const override { w.write(value); }
  void merge_encoded(ByteReader& r) override {
    auto o = r.read<std::optional<T>>();
    if (o) add(*o);
  }
  Merge merge;
  std::optional<T> value;
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

// A handle on an accumulator: its id and merge function (see
// Context::accumulator). Trivially copyable when the merge is.
template <class T, class Merge = AddTo> class Accumulator {
  static_assert(Serializable<T>, "brasa: accumulator values must be serializable");
  using Cell = AccumulatorValue<T, Merge>;

 public:
  Accumulator() = default;
  Accumulator(uint64_t id, AccumulatorRegistry* registry, Merge merge = Merge{})
      : id_(id), registry_(registry), merge_(merge) {}

  // In a task: merges v into the task's pending update. On the driver: into the value now.
  void add(const T& v) const {
    if (TaskContext* tc = TaskContext::current()) {
      auto& cell = tc->accumulator_cell(id_, [this] { return std::make_unique<Cell>(merge_); });
      static_cast<Cell&>(cell).add(v);
    } else {
      registry_->with_cell(id_, [&](AccumulatorCell& c) { static_cast<Cell&>(c).add(v); });
    }
  }
  // The merged value, read on the driver.
  T value() const {
    T out{};
    registry_->with_cell(id_, [&](AccumulatorCell& c) { out = *static_cast<Cell&>(c).value; });
    return out;
  }
  uint64_t id() const { return id_; }

 private:
  uint64_t id_ = 0;
  AccumulatorRegistry* registry_ = nullptr;
  Merge merge_{};
};

}  // namespace brasa
