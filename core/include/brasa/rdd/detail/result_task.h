// The per-partition part of an action. f(node, partition) computes a value
// R where the partition is (in an executor, for a cluster); the driver hands
// each partition's R to the action's handler. In local mode R is passed on
// as is; on a cluster it crosses the process boundary encoded.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

#include "brasa/rdd/rdd_node.h"
#include "brasa/scheduler/dag_scheduler.h"

namespace brasa {

template <class T, class F> class ResultTask final : public TaskBody {
 public:
  using Result = std::decay_t<std::invoke_result_t<F&, RDDNode<T>&, int>>;
  static_assert(Serializable<Result>, "brasa: an action's per-partition result must be serializable");

  ResultTask(std::shared_ptr<RDDNode<T>> node, F f) : node_(std::move(node)), f_(std::move(f)) {}

  Result compute(int p) const {
    F f = f_;  // each task its own copy: functors may keep state
    return f(*node_, p);
  }
  void run(int p, ByteWriter& result) override { result.write(compute(p)); }
  int num_partitions() const override { return node_->num_partitions(); }

  void write_plan(PlanWriter& w) const override {
    w.begin<ResultTask>();
    w.node(*node_);
    w.closure(f_);
  }
  static std::unique_ptr<TaskBody> rebuild(PlanReader& r) {
    auto node = r.node<T>();
    return std::make_unique<ResultTask>(std::move(node), r.closure<F>());
  }

 private:
  std::shared_ptr<RDDNode<T>> node_;
  F f_;
};

// Binds a ResultTask to the driver-side handler(partition, Result&&), which
// is called once per partition, possibly concurrently for different ones.
template <class T, class F, class Handler> class TypedJobAction final : public JobAction {
 public:
  using Task = ResultTask<T, F>;
  TypedJobAction(std::shared_ptr<RDDNode<T>> node, F f, Handler& handler)
      : task_(std::move(node), std::move(f)), handler_(handler) {}

  const TaskBody& task() const override { return task_; }
  void run_here(int p) override { handler_(p, task_.compute(p)); }
  void deliver(int p, ByteReader& r) override {
    auto result = r.read<typename Task::Result>();
    if (!r.at_end()) throw std::runtime_error("corrupt task result: trailing bytes");
    handler_(p, std::move(result));
  }

 private:
  Task task_;
  Handler& handler_;
};

}  // namespace brasa
