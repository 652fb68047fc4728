// Sorted runs in a spill file, for external sorting and aggregation: a run
// is written in chunks of encoded records so that a k-way merge can read each
// run back one chunk at a time.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "brasa/shuffle/spill_file.h"
#include "brasa/util/serializer.h"

namespace brasa {

inline constexpr size_t kRunChunkRecords = 8192;

using SortedRun = std::vector<SpillFile::Range>;  // the run's chunks, in order

template <class R> SortedRun write_sorted_run(SpillFile& file, std::span<R> records) {
  SortedRun chunks;
  std::string bytes;
  for (size_t i = 0; i < records.size(); i += kRunChunkRecords) {
    bytes.clear();
    ByteWriter w(&bytes);
    size_t n = std::min(kRunChunkRecords, records.size() - i);
    w.write_size(n);
    if constexpr (Record<R>)  // else RDD<T> has said why
      for (size_t j = i; j < i + n; ++j) w.write(records[j]);
    chunks.push_back(file.append(bytes));
  }
  return chunks;
}

// Streams one run back: head() is the next record while has_next().
template <class R> class SortedRunReader {
 public:
  SortedRunReader(const SpillFile& file, const SortedRun& run) : file_(&file), run_(&run) {}

  bool has_next() {
    while (pos_ == current_.size()) {
      if (next_chunk_ == run_->size()) return false;
      std::string bytes = file_->read((*run_)[next_chunk_++]);
      ByteReader r(bytes);
      uint64_t n = r.read_size();
      current_.clear();
      if constexpr (Record<R>)
        for (uint64_t i = 0; i < n; ++i) current_.push_back(r.read<R>());
      pos_ = 0;
    }
    return true;
  }
  R& head() { return current_[pos_]; }
  void advance() { ++pos_; }

 private:
  const SpillFile* file_;
  const SortedRun* run_;
  size_t next_chunk_ = 0;
  std::vector<R> current_;
  size_t pos_ = 0;
};

}  // namespace brasa
