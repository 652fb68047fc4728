// A hash table of (key, combiner) that may outgrow memory, as Spark's
// ExternalAppendOnlyMap: when the table and the data it took in exceed the
// task's shuffle memory, its entries are spilled as a run sorted by key hash;
// drain() then merges the runs, folding equal keys with merge_combiners.
// Without spills the output is in first-appearance order of keys, with them
// in hash order; either way it depends only on the input.
#pragma once

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "brasa/util/sink.h"
#include "brasa/runtime.h"
#include "brasa/shuffle/sorted_run.h"
#include "brasa/util/flat_hash_map.h"

namespace brasa {

// The indices of `hashes` by ascending hash, equal hashes in index order.
// Compiled once, in the library: a stable sort of the entries themselves
// was compiled into every program for every key and combiner type.
std::vector<size_t> order_by_hash(const std::vector<uint64_t>& hashes);

template <class K, class C> class ExternalHashTable {
 public:
  using Entry = std::pair<K, C>;

  explicit ExternalHashTable(Runtime& runtime) : runtime_(runtime) {}

  FlatHashMap<K, C>& table() { return table_; }

  // Call after taking in records that own `heap_bytes` beyond their size;
  // spills if memory is exceeded.
  void account(size_t heap_bytes) {
    extra_ += heap_bytes;
    if (extra_ + table_.memory_bytes() > runtime_.task_shuffle_memory()) spill();
  }

  // Pushes every (key, combiner) into out and empties the table.
  template <class MergeCombiners> void drain(Sink<Entry>& out, MergeCombiners& merge_combiners) {
    if (runs_.empty()) {
      auto entries = table_.take_entries();
      push_owned(entries, out);
      return;
    }
    spill();
    std::vector<SortedRunReader<HashedEntry>> readers;
    for (const auto& run : runs_) readers.emplace_back(*file_, run);
    BatchWriter<Entry> writer(out);
    std::vector<Entry> group;  // entries of one hash value, distinct keys
    while (!writer.stopped()) {
      bool any = false;
      uint64_t h = 0;
      for (auto& r : readers)
        if (r.has_next() && (!any || r.head().first < h)) {
          h = r.head().first;
          any = true;
        }
      if (!any) break;
      group.clear();
      for (auto& r : readers) {
        for (; r.has_next() && r.head().first == h; r.advance()) {
          Entry& e = r.head().second;
          auto same = std::find_if(group.begin(), group.end(), [&](const Entry& g) { return g.first == e.first; });
          if (same == group.end())
            group.push_back(std::move(e));
          else
            merge_combiners(same->second, std::move(e.second));
        }
      }
      for (auto& e : group) writer.emit(std::move(e));
    }
    writer.flush();
  }

 private:
  using HashedEntry = std::pair<uint64_t, Entry>;

  void spill() {
    if (!file_) file_ = std::make_shared<SpillFile>(runtime_, "aggregation");
    auto entries = table_.take_entries();
    std::vector<uint64_t> hashes(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) hashes[i] = hash_of(entries[i].first);
    std::vector<HashedEntry> hashed;
    hashed.reserve(entries.size());
    for (size_t i : order_by_hash(hashes)) hashed.emplace_back(hashes[i], std::move(entries[i]));
    runs_.push_back(write_sorted_run(*file_, std::span<HashedEntry>(hashed)));
    extra_ = 0;
  }

  Runtime& runtime_;
  FlatHashMap<K, C> table_;
  size_t extra_ = 0;
  std::shared_ptr<SpillFile> file_;
  std::vector<SortedRun> runs_;
};

}  // namespace brasa
