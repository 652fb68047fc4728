// RDDs with no parents whose record type is the user's: a driver-side
// collection and files of encoded records (object files). The range and
// the text inputs are in the library (core/src/rdd/source_nodes.h).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "brasa/broadcast.h"
#include "brasa/rdd/rdd_node.h"
#include "brasa/scheduler/task_metrics.h"

namespace brasa {

// Input read by a task, for its metrics.
inline void count_input(size_t records, uint64_t bytes) {
  if (TaskMetrics* m = current_task_metrics()) {
    m->records_read += static_cast<int64_t>(records);
    m->bytes_read += static_cast<int64_t>(bytes);
  }
}

// A driver-side collection cut into slices. Small collections travel
// inside the stage plan; larger ones as one broadcast per slice, so that
// each executor fetches only the slices its tasks read, once.
template <class T> class ParallelCollectionNode final : public RDDNode<T> {
 public:
  ParallelCollectionNode(std::shared_ptr<Runtime> rt, std::vector<T> data, int slices, const CallSite& site)
      : RDDNode<T>(std::move(rt), slices, "parallelize", site) {
    if (slices < 1) throw std::invalid_argument("parallelize: num_slices must be at least 1, got " + std::to_string(slices));
    size_t n = data.size();
    for (int i = 0; i < slices; ++i) {  // Spark's slicing: [i*n/s, (i+1)*n/s)
      size_t b = n * static_cast<size_t>(i) / static_cast<size_t>(slices);
      size_t e = n * static_cast<size_t>(i + 1) / static_cast<size_t>(slices);
      slices_.push_back(std::make_shared<const std::vector<T>>(std::make_move_iterator(data.begin() + b),
                                                               std::make_move_iterator(data.begin() + e)));
    }
    size_t bytes = 0;
    for (const auto& slice : slices_) bytes += approx_bytes(*slice);
    inline_slices_ = bytes <= kInlineBytes;
  }
  // An executor's copy, rebuilt from a plan: its slices come from the plan.
  struct Rebuilt {};
  ParallelCollectionNode(std::shared_ptr<Runtime> rt, int slices, Rebuilt)
      : RDDNode<T>(std::move(rt), slices, "parallelize", CallSite{}) {}
  ~ParallelCollectionNode() override {
    for (uint64_t id : broadcast_ids_) this->runtime().broadcasts().remove(id);
  }

  void compute(int p, Sink<T>& out) override {
    if (!slices_.empty()) return push_lent(*slices_[static_cast<size_t>(p)], out);
    push_lent(Broadcast<std::vector<T>>(fetched_ids_.at(static_cast<size_t>(p)), &this->runtime().broadcasts()).value(),
              out);
  }

  void write_plan(PlanWriter& w) const override {
    w.begin<ParallelCollectionNode>();
    w(this->num_partitions(), inline_slices_);
    if (inline_slices_) {
      if constexpr (Record<T>)  // else RDD<T> has said why
        for (const auto& slice : slices_) w(*slice);
      return;
    }
    std::lock_guard lock(mu_);
    if (broadcast_ids_.empty())
      for (const auto& slice : slices_)
        broadcast_ids_.push_back(this->runtime().broadcasts().put(slice, &Broadcast<std::vector<T>>::encode));
    w(broadcast_ids_);
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    int n = r.read<int>();
    if (n < 1) throw std::runtime_error("corrupt stage plan: parallelize of " + std::to_string(n) + " slices");
    auto node = std::make_shared<ParallelCollectionNode>(r.runtime(), n, Rebuilt{});
    if (r.read<bool>()) {
      // Each slice takes at least a byte of the plan, so a short plan claiming
      // many slices ends in a read error, not in a long loop.
      for (int i = 0; i < n; ++i) node->slices_.push_back(std::make_shared<const std::vector<T>>(read_records<T>(r.reader())));
    } else {
      node->fetched_ids_ = r.read<std::vector<uint64_t>>();
      if (node->fetched_ids_.size() != static_cast<size_t>(n)) throw std::runtime_error("corrupt stage plan: slices");
    }
    return node;
  }

 protected:
  std::vector<Dependency> lineage() const override { return {}; }
  void drop_parents() override {}

 private:
  static constexpr size_t kInlineBytes = size_t{64} << 10;
  std::vector<std::shared_ptr<const std::vector<T>>> slices_;  // on the driver, or inline in the plan
  bool inline_slices_ = true;  // small enough to travel inside the plan (measured once, on the driver)
  mutable std::mutex mu_;
  mutable std::vector<uint64_t> broadcast_ids_;  // the driver's broadcasts of the slices, made for the first plan
  std::vector<uint64_t> fetched_ids_;            // in an executor: the slices to fetch
};

// Reads partitions written by save_as_object_file: one file of encoded
// records per partition.
template <class T> class ObjectFileNode final : public RDDNode<T> {
 public:
  ObjectFileNode(std::shared_ptr<Runtime> rt, std::vector<std::string> files, const CallSite& site)
      : RDDNode<T>(std::move(rt), static_cast<int>(files.size()), "object_file", site), files_(std::move(files)) {}

  void compute(int p, Sink<T>& out) override {
    const std::string& path = files_[static_cast<size_t>(p)];
    std::string bytes = read_file(path);
    std::vector<T> data;
    try {
      ByteReader r(bytes);
      data = read_records<T>(r);
      if (!r.at_end()) throw std::runtime_error("trailing bytes");
    } catch (const std::runtime_error& e) {
      throw std::runtime_error("object file " + path + " is not a file of this record type: " + e.what());
    }
    count_input(data.size(), bytes.size());
    push_owned(data, out);
  }

  void write_plan(PlanWriter& w) const override {
    w.begin<ObjectFileNode>();
    w(files_);
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    return std::make_shared<ObjectFileNode>(r.runtime(), r.read<std::vector<std::string>>(), CallSite{});
  }

 protected:
  std::vector<Dependency> lineage() const override { return {}; }
  void drop_parents() override {}

 private:
  std::vector<std::string> files_;
};

}  // namespace brasa
