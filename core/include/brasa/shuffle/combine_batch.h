// The inner loop of every aggregation by key (map-side combine, reduce-side
// merge): folds a batch of (key, x) records into flat hash tables. Hashes
// are computed for the whole batch first, so that the table slot (16 records
// ahead) and then the entry (8 ahead) of later records are prefetched while
// the current one is merged;
// aggregation over tables larger than the cache is bound by those misses.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "brasa/util/flat_hash_map.h"
#include "brasa/util/size_estimate.h"

namespace brasa {

// Heap bytes that folding `batch` into combiners of type C may add beyond
// the table's own arrays: the records' owned memory (strings), and for
// container combiners (group_by_key's vectors) every value, which stays.
// Errs on the side of spilling early.
template <class C, class K, class X> size_t combined_bytes(std::span<std::pair<K, X>> batch) {
  size_t n = 0;
  if constexpr (detail::IsVector<C>::value)
    for (const auto& r : batch) n += approx_bytes(r.second);
  if constexpr (!kBitwise<std::pair<K, X>>)
    for (const auto& r : batch) n += approx_bytes(r) - sizeof(r);
  return n;
}

// Calls invoke_moving-style create(x) for a new key, merge(c, x) otherwise.
// `table_of(key, hash)` returns the FlatHashMap<K, C>& the key belongs in.
template <class K, class X, class TableOf, class Create, class Merge>
void combine_batch(std::span<std::pair<K, X>> batch, std::vector<uint64_t>& hashes, TableOf&& table_of,
                   Create& create, Merge& merge) {
  constexpr size_t kSlotAhead = 32, kEntryAhead = 16;
  hashes.resize(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) hashes[i] = hash_of(batch[i].first);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (i + kSlotAhead < batch.size()) {
      size_t j = i + kSlotAhead;
      table_of(batch[j].first, hashes[j]).prefetch(hashes[j]);
    }
    if (i + kEntryAhead < batch.size()) {
      size_t j = i + kEntryAhead;
      table_of(batch[j].first, hashes[j]).prefetch_entry(hashes[j]);
    }
    auto& r = batch[i];
    bool inserted;
    auto& c = table_of(r.first, hashes[i]).find_or_insert(
        std::move(r.first), hashes[i],
        [&] {
          if constexpr (std::is_invocable_v<Create&, X&&>)
            return create(std::move(r.second));
          else
            return create(r.second);
        },
        inserted);
    if (!inserted) merge(c, std::move(r.second));
  }
}

}  // namespace brasa
