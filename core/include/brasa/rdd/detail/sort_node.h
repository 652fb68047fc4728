// Sorts each partition by key, stably. A partition larger than the task's
// shuffle memory is sorted externally: sorted runs are spilled and merged,
// ties going to the earlier run, so the result equals an in-memory stable sort.
#pragma once

#include <algorithm>
#include <memory>

#include "brasa/rdd/detail/narrow_nodes.h"
#include "brasa/shuffle/sorted_run.h"
#include "brasa/util/size_estimate.h"

namespace brasa {

template <class T> class SortByKeyNode final : public UnaryNode<T, T> {
 public:
  SortByKeyNode(NodePtr<T> parent, bool ascending, const CallSite& site)
      : UnaryNode<T, T>(std::move(parent), "sort_by_key", site, true), ascending_(ascending) {}

  void compute(int p, Sink<T>& out) override {
    KeyLess less{ascending_};
    struct Collect final : Sink<T> {
      SortByKeyNode* self;
      KeyLess* less;
      std::vector<T> buffer;
      size_t bytes = 0;
      std::shared_ptr<SpillFile> file;
      std::vector<SortedRun> runs;
      void push(std::span<T> batch) override {
        for (auto& x : batch) {
          if constexpr (!kBitwise<T>) bytes += approx_bytes(x);
          buffer.push_back(std::move(x));
        }
        if constexpr (kBitwise<T>) bytes += batch.size() * sizeof(T);
        if (bytes > self->runtime().task_shuffle_memory()) spill();
      }
      void spill() {
        if (!file) file = std::make_shared<SpillFile>(self->runtime(), "sort");
        std::stable_sort(buffer.begin(), buffer.end(), *less);
        runs.push_back(write_sorted_run(*file, std::span<T>(buffer)));
        buffer = std::vector<T>();
        bytes = 0;
      }
    } collect;
    collect.self = this;
    collect.less = &less;
    this->parent_->iterate(p, collect);
    if (collect.runs.empty()) {
      std::stable_sort(collect.buffer.begin(), collect.buffer.end(), less);
      push_owned(collect.buffer, out);
      return;
    }
    collect.spill();
    std::vector<SortedRunReader<T>> readers;
    for (const auto& run : collect.runs) readers.emplace_back(*collect.file, run);
    BatchWriter<T> writer(out);
    while (!writer.stopped()) {
      SortedRunReader<T>* best = nullptr;
      for (auto& r : readers)
        if (r.has_next() && (!best || less(r.head(), best->head()))) best = &r;
      if (!best) break;
      writer.emit(std::move(best->head()));
      best->advance();
    }
    writer.flush();
  }

  void write_plan(PlanWriter& w) const override {
    w.begin<SortByKeyNode>();
    w.node(*this->parent_);
    w(ascending_);
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    auto parent = r.node<T>();
    return std::make_shared<SortByKeyNode>(std::move(parent), r.read<bool>(), CallSite{});
  }

 private:
  struct KeyLess {
    bool ascending;
    bool operator()(const T& a, const T& b) const { return ascending ? a.first < b.first : b.first < a.first; }
  };

  bool ascending_;
};

}  // namespace brasa
