// RDDs with no parents: a driver-side collection, a numeric range, text
// files, and files of encoded records (object files, checkpoints).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "brasa/broadcast.h"
#include "brasa/rdd/rdd_node.h"
#include "brasa/rdd/text_input.h"
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

class RangeNode final : public RDDNode<int64_t> {
 public:
  RangeNode(std::shared_ptr<Runtime> rt, int64_t start, int64_t end, int64_t step, int slices, const CallSite& site)
      : RangeNode(std::move(rt), start, step, Count{count(start, end, step)}, slices, site) {}
  struct Count {
    int64_t n;
  };
  RangeNode(std::shared_ptr<Runtime> rt, int64_t start, int64_t step, Count count, int slices, const CallSite& site)
      : RDDNode<int64_t>(std::move(rt), slices, "range", site), start_(start), step_(step), count_(count.n) {
    if (slices < 1) throw std::invalid_argument("range: num_slices must be at least 1");
  }

  void write_plan(PlanWriter& w) const override {
    w.begin<RangeNode>();
    w(start_, step_, count_, num_partitions());
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    auto start = r.read<int64_t>();
    auto step = r.read<int64_t>();
    auto count = r.read<int64_t>();
    auto slices = r.read<int>();
    if (step == 0 || count < 0) throw std::runtime_error("corrupt stage plan: a range of " + std::to_string(count) +
                                                         " steps of " + std::to_string(step));
    return std::make_shared<RangeNode>(r.runtime(), start, step, Count{count}, slices, CallSite{});
  }

  // The number of elements of [start, end) by step, without overflow.
  static int64_t count(int64_t start, int64_t end, int64_t step) {
    if (step == 0) throw std::invalid_argument("range: step must not be 0");
    const __int128 span = step > 0 ? __int128{end} - start : __int128{start} - end;
    const __int128 stride = step > 0 ? __int128{step} : -__int128{step};
    const __int128 n = span > 0 ? (span + stride - 1) / stride : 0;
    if (n > INT64_MAX) throw std::invalid_argument("range: more than 2^63 - 1 elements");
    return static_cast<int64_t>(n);
  }

  void compute(int p, Sink<int64_t>& out) override {
    // In 128 bits: count_ * p overflows 64 for ranges beyond 2^63 / partitions.
    const auto part = [&](int k) { return static_cast<int64_t>(__int128{count_} * k / num_partitions()); };
    const int64_t b = part(p), e = part(p + 1);
    std::vector<int64_t> batch;
    batch.reserve(kBatchSize);
    for (int64_t i = b; i < e && !out.stopped(); i += kBatchSize) {
      check_cancelled();
      int64_t n = std::min<int64_t>(kBatchSize, e - i);
      batch.resize(static_cast<size_t>(n));
      // Modulo 2^64, where (i + j) * step may wrap although the element fits.
      for (int64_t j = 0; j < n; ++j)
        batch[static_cast<size_t>(j)] = static_cast<int64_t>(static_cast<uint64_t>(start_) +
                                                             static_cast<uint64_t>(i + j) * static_cast<uint64_t>(step_));
      out.push(batch);
    }
  }

 protected:
  std::vector<Dependency> lineage() const override { return {}; }
  void drop_parents() override {}

 private:
  int64_t start_, step_, count_ = 0;
};

class TextFileNode final : public RDDNode<std::string> {
 public:
  TextFileNode(std::shared_ptr<Runtime> rt, std::vector<FileSplit> splits, const CallSite& site)
      : RDDNode<std::string>(std::move(rt), static_cast<int>(splits.size()), "text_file", site),
        splits_(std::move(splits)) {}

  void compute(int p, Sink<std::string>& out) override {
    const FileSplit& split = splits_[static_cast<size_t>(p)];
    LineReader reader(split);
    std::vector<std::string> batch(kBatchSize);
    size_t n = 0, lines = 0;
    while (reader.next(batch[n])) {
      if (++n == kBatchSize) {
        check_cancelled();
        out.push(batch);
        lines += n;
        n = 0;
        if (out.stopped()) break;
      }
    }
    if (n && !out.stopped()) out.push(std::span<std::string>(batch.data(), n));
    count_input(lines + n, split.length);
  }

  void write_plan(PlanWriter& w) const override {
    w.begin<TextFileNode>();
    w(splits_);
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    return std::make_shared<TextFileNode>(r.runtime(), r.read<std::vector<FileSplit>>(), CallSite{});
  }

 protected:
  std::vector<Dependency> lineage() const override { return {}; }
  void drop_parents() override {}

 private:
  std::vector<FileSplit> splits_;
};

// (path, contents) per file; one partition per group of consecutive files.
class WholeTextFilesNode final : public RDDNode<std::pair<std::string, std::string>> {
 public:
  WholeTextFilesNode(std::shared_ptr<Runtime> rt, std::vector<std::string> files, int slices, const CallSite& site)
      : RDDNode(std::move(rt), std::max(1, std::min<int>(slices, static_cast<int>(files.size()))),
                "whole_text_files", site),
        files_(std::move(files)) {}

  void compute(int p, Sink<std::pair<std::string, std::string>>& out) override {
    size_t n = files_.size(), k = static_cast<size_t>(num_partitions());
    std::vector<std::pair<std::string, std::string>> batch;
    uint64_t bytes = 0;
    for (size_t i = n * static_cast<size_t>(p) / k; i < n * static_cast<size_t>(p + 1) / k; ++i) {
      batch.emplace_back(files_[i], read_file(files_[i]));
      bytes += batch.back().second.size();
    }
    count_input(batch.size(), bytes);
    push_owned(batch, out);
  }

  void write_plan(PlanWriter& w) const override {
    w.begin<WholeTextFilesNode>();
    w(files_, num_partitions());
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    auto files = r.read<std::vector<std::string>>();
    return std::make_shared<WholeTextFilesNode>(r.runtime(), std::move(files), r.read<int>(), CallSite{});
  }

 protected:
  std::vector<Dependency> lineage() const override { return {}; }
  void drop_parents() override {}

 private:
  std::vector<std::string> files_;
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
