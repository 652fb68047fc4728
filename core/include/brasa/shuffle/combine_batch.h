// The inner loop of every aggregation by key (map-side combine, reduce-side
// merge, count_by_value): folds a batch of keys into flat hash tables.
// Hashes are computed for the whole batch first, so that the table slot (32
// records ahead) and then the entry (16 ahead) of later records are
// prefetched while the current one is merged; aggregation over tables
// larger than the cache is bound by those misses.
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

// The lookup loop of a batch of n keys: hashes[i] = hash_of(key(i)) for
// all of them first, then visit(i, table) in order, with the table slot of
// key i + 32 and the entry of key i + 16 prefetched. `table_of(i)` returns
// the FlatHashMap key i belongs in.
template <class Key, class TableOf, class Visit>
[[gnu::always_inline]] inline void lookup_batch(size_t n, std::vector<uint64_t>& hashes, Key&& key, TableOf&& table_of,
                                                Visit&& visit) {
  constexpr size_t kSlotAhead = 32, kEntryAhead = 16;
  hashes.resize(n);
  for (size_t i = 0; i < n; ++i) hashes[i] = hash_of(key(i));
  for (size_t i = 0; i < n; ++i) {
    if (i + kSlotAhead < n) table_of(i + kSlotAhead).prefetch(hashes[i + kSlotAhead]);
    if (i + kEntryAhead < n) table_of(i + kEntryAhead).prefetch_entry(hashes[i + kEntryAhead]);
    visit(i, table_of(i));
  }
}

// Calls invoke_moving-style create(x) for a new key, merge(c, x) otherwise.
// `table_of(key, hash)` returns the FlatHashMap<K, C>& the key belongs in.
template <class K, class X, class TableOf, class Create, class Merge>
void combine_batch(std::span<std::pair<K, X>> batch, std::vector<uint64_t>& hashes, TableOf&& table_of,
                   Create& create, Merge& merge) {
  lookup_batch(
      batch.size(), hashes, [&](size_t i) -> const K& { return batch[i].first; },
      [&](size_t i) -> decltype(auto) { return table_of(batch[i].first, hashes[i]); },
      [&](size_t i, auto& table) {
        auto& r = batch[i];
        bool inserted;
        auto& c = table.find_or_insert(
            std::move(r.first), hashes[i],
            [&] {
              if constexpr (std::is_invocable_v<Create&, X&&>)
                return create(std::move(r.second));
              else
                return create(r.second);
            },
            inserted);
        if (!inserted) merge(c, std::move(r.second));
      });
}

}  // namespace brasa
