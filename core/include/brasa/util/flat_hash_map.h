// An open-addressing hash map that keeps its entries in insertion order in
// one contiguous vector. Used for map-side combining and reduce-side
// aggregation: a lookup reads one 8-byte slot (entry index + 32 hash bits)
// and, on a tag match, the entry; the result of an aggregation is the entry
// vector itself, moved out without copying, in an order that depends only on
// the input order (so output is deterministic).
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "brasa/util/hash.h"

namespace brasa {

// A string key of which 16 bytes can be read from its start when it is up
// to 16 bytes long (a view from Sink::push_views, see kViewPadding): hashed
// and compared as two 8-byte words, with no branch on its length, which a
// batch of words of random lengths mispredicts. A map of std::string keys
// finds it without making a string, and makes one when it inserts it.
struct PaddedView {
  std::string_view text;
  explicit operator std::string() const { return std::string(text); }
};
inline uint64_t hash_of(const PaddedView& w) { return hash_padded(w.text.data(), w.text.size()); }

namespace detail {
// a[0, n) == b[0, n), both readable to 16 bytes when n <= 16.
[[gnu::always_inline]] inline bool padded_equal(const char* a, const char* b, size_t n) {
  if (n > 16) [[unlikely]]
    return std::memcmp(a, b, n) == 0;
  const uint64_t lo = load8(a) ^ load8(b);
  const uint64_t hi = load8(a + 8) ^ load8(b + 8);
  return (low_bytes(lo, n) | low_bytes(hi, n > 8 ? n - 8 : 0)) == 0;
}
}  // namespace detail

// Key equality. Strings compare their bytes inline, since a memcmp call
// costs more than the comparison of a short word; two std::strings of up to
// 16 bytes compare as two masked 8-byte words, without a branch on their
// length (see hash_padded).
template <class K, class Key> [[gnu::always_inline]] inline bool keys_equal(const K& a, const Key& b) {
  if constexpr (std::is_same_v<K, std::string> && std::is_same_v<Key, std::string> && detail::kStringsPadded) {
    return a.size() == b.size() && detail::padded_equal(a.data(), b.data(), a.size());
  } else if constexpr (std::is_same_v<K, std::string> && std::is_same_v<Key, PaddedView> && detail::kStringsPadded) {
    return a.size() == b.text.size() && detail::padded_equal(a.data(), b.text.data(), a.size());
  } else if constexpr (std::is_same_v<Key, PaddedView>) {
    return std::string_view(a) == b.text;
  } else if constexpr (std::is_same_v<K, std::string>) {
    std::string_view x(a), y(b);
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (x[i] != y[i]) return false;
    return true;
  } else {
    return a == b;
  }
}

template <class K, class V> class FlatHashMap {
 public:
  using Entry = std::pair<K, V>;

  FlatHashMap() { rehash(16); }

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  // Hints the cache about a lookup of `hash` coming soon (batch loops call
  // this a few records ahead to overlap memory misses).
  void prefetch(uint64_t hash) const { __builtin_prefetch(&slots_[tag_of(hash) & mask_]); }
  // Second stage, once the slot is likely cached: prefetches the entry it
  // points to.
  void prefetch_entry(uint64_t hash) const {
    const Slot s = slots_[tag_of(hash) & mask_];
    if (s.index != kEmpty) __builtin_prefetch(&entries_[s.index]);
  }

  // Returns the value for `key` (whose hash_of() is `hash`), creating it
  // with make() if absent; `inserted` tells which happened.
  template <class Key, class Make> V& find_or_insert(Key&& key, uint64_t hash, Make&& make, bool& inserted) {
    const uint32_t tag = tag_of(hash);
    size_t pos = tag & mask_;
    while (true) {
      const Slot s = slots_[pos];
      if (s.index == kEmpty) break;
      if (s.tag == tag && keys_equal(entries_[s.index].first, key)) {
        inserted = false;
        return entries_[s.index].second;
      }
      pos = (pos + 1) & mask_;
    }
    if (entries_.size() >= kEmpty) throw std::length_error("FlatHashMap: more than 2^32-1 keys in one partition");
    slots_[pos] = Slot{static_cast<uint32_t>(entries_.size()), tag};
    entries_.emplace_back(std::forward<Key>(key), make());
    inserted = true;
    if (entries_.size() * 8 > slots_.size() * 5) rehash(slots_.size() * 2);  // load factor 5/8
    return entries_.back().second;
  }

  V* find(const K& key) { return find(key, hash_of(key)); }
  V* find(const K& key, uint64_t hash) {
    const uint32_t tag = tag_of(hash);
    for (size_t pos = tag & mask_;; pos = (pos + 1) & mask_) {
      const Slot s = slots_[pos];
      if (s.index == kEmpty) return nullptr;
      if (s.tag == tag && keys_equal(entries_[s.index].first, key)) return &entries_[s.index].second;
    }
  }

  std::vector<Entry>& entries() { return entries_; }

  // Makes room for n keys without growing (no effect on entry order).
  void reserve(size_t n) {
    entries_.reserve(n);
    size_t slots = 16;
    while (n * 8 > slots * 5) slots *= 2;
    if (slots > slots_.size()) rehash(slots);
  }

  // Moves the entries out and leaves the map empty, ready for reuse.
  std::vector<Entry> take_entries() {
    std::vector<Entry> out = std::move(entries_);
    entries_.clear();
    slots_.clear();
    rehash(16);
    return out;
  }

  // Bytes held by the table and its entries (for memory accounting).
  size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot) + entries_.capacity() * sizeof(Entry); }

 private:
  struct Slot {
    uint32_t index;  // into entries_, or kEmpty
    uint32_t tag;    // high half of the key's hash; its low bits pick the slot
  };
  static constexpr uint32_t kEmpty = std::numeric_limits<uint32_t>::max();

  // The high half: hash partitioners use the top bits too, but only a few
  // of them, while slots use the low bits of this half.
  static uint32_t tag_of(uint64_t hash) { return static_cast<uint32_t>(hash >> 32); }

  void rehash(size_t n) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(n, Slot{kEmpty, 0});
    mask_ = n - 1;
    for (const Slot& s : old) {
      if (s.index == kEmpty) continue;
      size_t pos = s.tag & mask_;
      while (slots_[pos].index != kEmpty) pos = (pos + 1) & mask_;
      slots_[pos] = s;
    }
  }

  std::vector<Slot> slots_;
  std::vector<Entry> entries_;
  size_t mask_ = 0;
};

}  // namespace brasa
