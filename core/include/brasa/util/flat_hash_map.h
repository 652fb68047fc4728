// An open-addressing hash map that keeps its entries in insertion order in
// one contiguous vector. Used for map-side combining and reduce-side
// aggregation: lookups touch a flat index of 32-bit slots, and the result of
// an aggregation is the entry vector itself, moved out without copying, in an
// order that depends only on the input order (so output is deterministic).
#pragma once

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "brasa/util/hash.h"

namespace brasa {

template <class K, class V> class FlatHashMap {
 public:
  using Entry = std::pair<K, V>;

  FlatHashMap() { rehash(16); }

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  // Returns the value for `key`, creating it with make() if absent.
  // `inserted` tells which happened.
  template <class Key, class Make> V& find_or_insert(Key&& key, uint64_t hash, Make&& make, bool& inserted) {
    size_t slot = hash & mask_;
    while (true) {
      uint32_t idx = slots_[slot];
      if (idx == kEmpty) break;
      if (hashes_[idx] == hash && entries_[idx].first == key) {
        inserted = false;
        return entries_[idx].second;
      }
      slot = (slot + 1) & mask_;
    }
    if (entries_.size() >= std::numeric_limits<uint32_t>::max() - 1)
      throw std::length_error("FlatHashMap: more than 2^32 keys in one partition");
    slots_[slot] = static_cast<uint32_t>(entries_.size());
    hashes_.push_back(hash);
    entries_.emplace_back(std::forward<Key>(key), make());
    inserted = true;
    if (entries_.size() * 4 > slots_.size() * 3) rehash(slots_.size() * 2);
    return entries_.back().second;
  }

  V* find(const K& key) {
    uint64_t hash = hash_of(key);
    size_t slot = hash & mask_;
    while (true) {
      uint32_t idx = slots_[slot];
      if (idx == kEmpty) return nullptr;
      if (hashes_[idx] == hash && entries_[idx].first == key) return &entries_[idx].second;
      slot = (slot + 1) & mask_;
    }
  }

  std::vector<Entry>& entries() { return entries_; }

  // Moves the entries out and leaves the map empty, ready for reuse.
  std::vector<Entry> take_entries() {
    std::vector<Entry> out = std::move(entries_);
    entries_.clear();
    hashes_.clear();
    rehash(16);
    return out;
  }

 private:
  static constexpr uint32_t kEmpty = std::numeric_limits<uint32_t>::max();

  void rehash(size_t n) {
    slots_.assign(n, kEmpty);
    mask_ = n - 1;
    for (uint32_t i = 0; i < entries_.size(); ++i) {
      size_t slot = hashes_[i] & mask_;
      while (slots_[slot] != kEmpty) slot = (slot + 1) & mask_;
      slots_[slot] = i;
    }
  }

  std::vector<uint32_t> slots_;  // index into entries_, or kEmpty
  std::vector<uint64_t> hashes_;  // hash of each entry's key, for growth and cheap mismatch
  std::vector<Entry> entries_;
  size_t mask_ = 0;
};

}  // namespace brasa
