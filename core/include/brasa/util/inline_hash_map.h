// An open-addressing hash map whose slots hold the entries themselves, for
// small bitwise keys and values (map-side combining of numbers): a lookup
// costs one cache miss, against two for FlatHashMap's slot-then-entry.
// Occupancy lives in a bitmap small enough to stay in L1/L2.
//
// Entries come out ordered by hash, whatever the table's capacity or
// history, so that output (and floating-point sums downstream) does not
// depend on how tables were sized or reused. Slots are picked by the top
// bits of the hash's low half, so a scan of the slots is already in that
// order but for the few entries probing displaced.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "brasa/util/flat_hash_map.h"

namespace brasa {

template <class K, class V> class InlineHashMap {
 public:
  using Entry = std::pair<K, V>;

  InlineHashMap() { rehash(16); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void prefetch(uint64_t hash) const { __builtin_prefetch(&slots_[pos_of(hash)]); }
  void prefetch_entry(uint64_t) const {}  // the slot is the entry

  template <class Key, class Make> V& find_or_insert(Key&& key, uint64_t hash, Make&& make, bool& inserted) {
    for (size_t pos = pos_of(hash);; pos = (pos + 1) & mask_) {
      if (!used(pos)) {
        if ((size_ + 1) * 8 > slots_.size() * 5) {  // load factor 5/8
          rehash(slots_.size() * 2);
          return find_or_insert(std::forward<Key>(key), hash, std::forward<Make>(make), inserted);
        }
        used_[pos / 64] |= uint64_t{1} << (pos % 64);
        slots_[pos] = Entry(std::forward<Key>(key), make());
        ++size_;
        inserted = true;
        return slots_[pos].second;
      }
      if (slots_[pos].first == key) {
        inserted = false;
        return slots_[pos].second;
      }
    }
  }

  void reserve(size_t n) {
    size_t slots = 16;
    while (n * 8 > slots * 5) slots *= 2;
    if (slots > slots_.size()) rehash(slots);
  }

  // Copies the entries out (ordered by hash) and leaves the map empty, with
  // its capacity kept for reuse.
  std::vector<Entry> take_entries() {
    std::vector<Entry> out;
    out.reserve(size_);
    for (size_t w = 0; w < used_.size(); ++w) {
      for (uint64_t bits = used_[w]; bits; bits &= bits - 1)
        out.push_back(slots_[w * 64 + static_cast<size_t>(__builtin_ctzll(bits))]);
      used_[w] = 0;
    }
    size_ = 0;
    // Insertion sort, one hash per entry: the scan is in order but for the
    // entries probing displaced, so moves are rare.
    auto order = [](const Entry& e) { return rotated(hash_of(e.first)); };
    uint64_t last = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      uint64_t key = order(out[i]);
      if (i == 0 || last <= key) {
        last = key;
        continue;
      }
      Entry e = out[i];
      size_t j = i;
      for (; j > 0 && order(out[j - 1]) > key; --j) out[j] = out[j - 1];
      out[j] = e;  // `last` stays the largest key so far
    }
    return out;
  }

  size_t memory_bytes() const { return slots_.capacity() * sizeof(Entry) + used_.capacity() * 8; }

 private:
  // Slots follow the top bits of the hash's low half: partitioners use the
  // top bits of the whole hash, which are the same within one partition's
  // table. rotated() is the matching sort order.
  static uint64_t rotated(uint64_t hash) { return hash << 32 | hash >> 32; }
  size_t pos_of(uint64_t hash) const { return static_cast<size_t>(static_cast<uint32_t>(hash) >> shift_); }
  bool used(size_t pos) const { return used_[pos / 64] >> (pos % 64) & 1; }

  void rehash(size_t n) {
    std::vector<Entry> old = std::move(slots_);
    std::vector<uint64_t> old_used = std::move(used_);
    slots_.assign(n, Entry{});
    used_.assign((n + 63) / 64, 0);
    mask_ = n - 1;
    shift_ = 32 - static_cast<unsigned>(__builtin_ctzll(n));
    size_ = 0;
    for (size_t w = 0; w < old_used.size(); ++w)
      for (uint64_t bits = old_used[w]; bits; bits &= bits - 1) {
        Entry& e = old[w * 64 + static_cast<size_t>(__builtin_ctzll(bits))];
        size_t pos = pos_of(hash_of(e.first));
        while (used(pos)) pos = (pos + 1) & mask_;
        used_[pos / 64] |= uint64_t{1} << (pos % 64);
        slots_[pos] = e;
        ++size_;
      }
  }

  std::vector<Entry> slots_;
  std::vector<uint64_t> used_;  // one bit per slot
  size_t mask_ = 0;
  unsigned shift_ = 32;  // 32 - log2(capacity)
  size_t size_ = 0;
};

}  // namespace brasa
