// RDDs with no parents whose record type is fixed: a numeric range and
// text files. Private to the library, so that programs do not compile them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "brasa/rdd/detail/source_nodes.h"
#include "brasa/rdd/text_input.h"

namespace brasa {

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

}  // namespace brasa
