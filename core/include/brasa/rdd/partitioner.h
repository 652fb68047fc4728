// How keys of a pair RDD are assigned to partitions. An RDD remembers the
// partitioner its data is laid out by, so that an operation by key on RDDs
// that share one (co-partitioned) needs no shuffle.
#pragma once

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

#include "brasa/util/hash.h"
#include "brasa/util/serializer.h"

namespace brasa {

class Partitioner {
 public:
  enum class Kind { kHash, kRange };

  // Key k goes to partition floor(hash_of(k) * n / 2^64).
  static Partitioner hash(int num_partitions) {
    if (num_partitions < 1)
      throw std::invalid_argument("Partitioner::hash: number of partitions must be at least 1, got " +
                                  std::to_string(num_partitions));
    return Partitioner(Kind::kHash, num_partitions, nullptr, true, nullptr);
  }

  // Keys go to the partition whose range contains them: partition i holds
  // keys in (bounds[i-1], bounds[i]]; `bounds` has num_partitions-1 sorted keys.
  template <class K> static Partitioner range(std::vector<K> bounds, bool ascending) {
    int n = static_cast<int>(bounds.size()) + 1;
    return Partitioner(Kind::kRange, n, std::make_shared<const std::vector<K>>(std::move(bounds)), ascending,
                       &typeid(K));
  }

  Kind kind() const { return kind_; }
  int num_partitions() const { return num_partitions_; }

  // The partition of key k whose hash_of() is `hash` (hash partitioners use
  // only the hash; range partitioners only the key).
  template <class K> int partition_of(const K& k, uint64_t hash) const {
    // The high bits of the hash pick the partition (multiply-shift, no
    // division); hash tables use the low bits, so the two stay independent.
    if (kind_ == Kind::kHash)
      return static_cast<int>((static_cast<unsigned __int128>(hash) * static_cast<uint64_t>(num_partitions_)) >> 64);
    const auto& b = bounds<K>();
    int p = static_cast<int>(std::lower_bound(b.begin(), b.end(), k) - b.begin());
    return ascending_ ? p : num_partitions_ - 1 - p;
  }
  template <class K> int partition_of(const K& k) const { return partition_of(k, kind_ == Kind::kHash ? hash_of(k) : 0); }

  // For stage plans; K is the key type the partitioner was made for.
  template <class K> void write(ByteWriter& w) const {
    w(static_cast<uint8_t>(kind_), num_partitions_, ascending_);
    if (kind_ == Kind::kRange) w.write(bounds<K>());
  }
  template <class K> static Partitioner read(ByteReader& r) {
    auto kind = r.read<uint8_t>();
    auto n = r.read<int>();
    auto ascending = r.read<bool>();
    if (kind == static_cast<uint8_t>(Kind::kHash)) return hash(n);
    if (kind != static_cast<uint8_t>(Kind::kRange)) throw std::runtime_error("corrupt stage plan: partitioner kind");
    auto p = range(r.read<std::vector<K>>(), ascending);
    if (p.num_partitions() != n) throw std::runtime_error("corrupt stage plan: range partitioner bounds");
    return p;
  }

  // Equal partitioners place every key in the same partition. Range
  // partitioners are equal only when they share their bounds.
  bool operator==(const Partitioner& o) const {
    return kind_ == o.kind_ && num_partitions_ == o.num_partitions_ && bounds_ == o.bounds_ &&
           ascending_ == o.ascending_;
  }

 private:
  template <class K> const std::vector<K>& bounds() const {
    if (*key_type_ != typeid(K))
      throw std::invalid_argument(std::string("range partitioner made for keys of type ") + key_type_->name() +
                                  " used with keys of type " + typeid(K).name());
    return *static_cast<const std::vector<K>*>(bounds_.get());
  }

  Partitioner(Kind kind, int n, std::shared_ptr<const void> bounds, bool ascending, const std::type_info* key_type)
      : kind_(kind), num_partitions_(n), bounds_(std::move(bounds)), ascending_(ascending), key_type_(key_type) {}

  Kind kind_;
  int num_partitions_;
  std::shared_ptr<const void> bounds_;  // const std::vector<K>* for range partitioners
  bool ascending_;
  const std::type_info* key_type_;  // of the bounds, for range partitioners
};

}  // namespace brasa
