// How keys of a pair RDD are assigned to partitions. An RDD remembers the
// partitioner its data is laid out by, so that an operation by key on RDDs
// that share one (co-partitioned) needs no shuffle.
#pragma once

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "brasa/util/hash.h"
#include "brasa/util/serializer.h"

namespace brasa {

class Partitioner;
// Custom partitioner types, registered by type key beside the stage plan
// node types (plan.cc), so that executors can read them back.
using PartitionerReader = Partitioner (*)(ByteReader&);
uint64_t register_partitioner_type(const char* name, PartitionerReader read);
PartitionerReader find_partitioner_type(uint64_t key);  // throws for an unknown key

namespace detail {
template <class M> struct PartitionKey;
template <class P, class K> struct PartitionKey<int (P::*)(const K&) const> {
  using type = K;
};
}  // namespace detail

class Partitioner {
 public:
  enum class Kind { kHash, kRange, kDirect, kCustom };

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

  // Integer key k goes to partition k mod n (non-negative): for keys that
  // already are partition numbers, such as ALS's block ids.
  static Partitioner direct(int num_partitions) {
    if (num_partitions < 1)
      throw std::invalid_argument("Partitioner::direct: number of partitions must be at least 1, got " +
                                  std::to_string(num_partitions));
    return Partitioner(Kind::kDirect, num_partitions, nullptr, true, nullptr);
  }

  // A user's partitioner: a type P with
  //     int num_partitions() const;
  //     int partition_of(const K& key) const;   // in [0, num_partitions())
  //     bool operator==(const P&) const;        // same layout
  //     template <class Ar> void serialize(Ar& ar);
  // It is called once per record, through a function pointer.
  template <class P> static Partitioner custom(P p) {
    static_assert(HasSerialize<P> || std::is_trivially_copyable_v<P>,
                  "brasa: a custom partitioner must be trivially copyable or have a serialize method");
    int n = p.num_partitions();
    if (n < 1) throw std::invalid_argument("Partitioner::custom: number of partitions must be at least 1");
    Partitioner out(Kind::kCustom, n, std::make_shared<const P>(std::move(p)), true, &typeid(P));
    out.custom_ = &CustomOps<P>::ops;
    return out;
  }

  Kind kind() const { return kind_; }
  int num_partitions() const { return num_partitions_; }

  // The partition of key k whose hash_of() is `hash` (hash partitioners use
  // only the hash; range partitioners only the key).
  template <class K> int partition_of(const K& k, uint64_t hash) const {
    // The high bits of the hash pick the partition (multiply-shift, no
    // division); hash tables use the low bits, so the two stay independent.
    if (kind_ == Kind::kHash) [[likely]]
      return static_cast<int>((static_cast<unsigned __int128>(hash) * static_cast<uint64_t>(num_partitions_)) >> 64);
    return partition_of_other(k);
  }
  template <class K> int partition_of(const K& k) const { return partition_of(k, kind_ == Kind::kHash ? hash_of(k) : 0); }

  // For stage plans; K is the key type the partitioner was made for.
  template <class K> void write(ByteWriter& w) const {
    w(static_cast<uint8_t>(kind_), num_partitions_, ascending_);
    if constexpr (Record<K>)  // else RDD<T> has said why
      if (kind_ == Kind::kRange) w.write(bounds<K>());
    if (kind_ == Kind::kCustom) custom_->write(bounds_.get(), w);
  }
  template <class K> static Partitioner read(ByteReader& r) {
    auto kind = r.read<uint8_t>();
    auto n = r.read<int>();
    auto ascending = r.read<bool>();
    if (kind == static_cast<uint8_t>(Kind::kHash)) return hash(n);
    if (kind == static_cast<uint8_t>(Kind::kDirect)) return direct(n);
    if (kind == static_cast<uint8_t>(Kind::kCustom)) {
      auto p = find_partitioner_type(r.read<uint64_t>())(r);
      if (p.num_partitions() != n) throw std::runtime_error("corrupt stage plan: custom partitioner size");
      return p;
    }
    if (kind != static_cast<uint8_t>(Kind::kRange)) throw std::runtime_error("corrupt stage plan: partitioner kind");
    auto p = range(r.read<std::vector<K>>(), ascending);
    if (p.num_partitions() != n) throw std::runtime_error("corrupt stage plan: range partitioner bounds");
    return p;
  }

  // Equal partitioners place every key in the same partition. Range
  // partitioners are equal only when they share their bounds.
  bool operator==(const Partitioner& o) const {
    if (kind_ == Kind::kCustom)
      return o.kind_ == Kind::kCustom && custom_ == o.custom_ && custom_->equal(bounds_.get(), o.bounds_.get());
    return kind_ == o.kind_ && num_partitions_ == o.num_partitions_ && bounds_ == o.bounds_ &&
           ascending_ == o.ascending_;
  }

 private:
  // Direct, custom and range partitioners: out of line of the hash path.
  template <class K> [[gnu::noinline]] int partition_of_other(const K& k) const {
    if (kind_ == Kind::kDirect) {
      if constexpr (std::is_integral_v<K>) {
        auto r = static_cast<int64_t>(k) % num_partitions_;
        return static_cast<int>(r < 0 ? r + num_partitions_ : r);
      } else {
        throw std::invalid_argument(std::string("direct partitioner used with non-integer keys of type ") +
                                    typeid(K).name());
      }
    }
    if (kind_ == Kind::kCustom) {
      if (*custom_->key_type != typeid(K))
        throw std::invalid_argument(std::string("custom partitioner for keys of type ") + custom_->key_type->name() +
                                    " used with keys of type " + typeid(K).name());
      int p = custom_->partition(bounds_.get(), &k);
      if (p < 0 || p >= num_partitions_)
        throw std::out_of_range("custom partitioner returned partition " + std::to_string(p) + " of " +
                                std::to_string(num_partitions_));
      return p;
    }
    const auto& b = bounds<K>();
    int p = static_cast<int>(std::lower_bound(b.begin(), b.end(), k) - b.begin());
    return ascending_ ? p : num_partitions_ - 1 - p;
  }

  template <class K> const std::vector<K>& bounds() const {
    if (*key_type_ != typeid(K))
      throw std::invalid_argument(std::string("range partitioner made for keys of type ") + key_type_->name() +
                                  " used with keys of type " + typeid(K).name());
    return *static_cast<const std::vector<K>*>(bounds_.get());
  }

  Partitioner(Kind kind, int n, std::shared_ptr<const void> bounds, bool ascending, const std::type_info* key_type)
      : kind_(kind), num_partitions_(n), bounds_(std::move(bounds)), ascending_(ascending), key_type_(key_type) {}

  // What a custom partitioner of type P does, behind function pointers.
  struct Ops {
    const std::type_info* key_type;
    int (*partition)(const void* self, const void* key);
    bool (*equal)(const void* a, const void* b);
    void (*write)(const void* self, ByteWriter& w);
  };
  template <class P> struct CustomOps {
    using K = std::decay_t<typename detail::PartitionKey<decltype(&P::partition_of)>::type>;
    static Partitioner read(ByteReader& r) {
      P p{};
      r.read(p);
      return custom(std::move(p));
    }
    static inline const uint64_t key = register_partitioner_type(typeid(P).name(), &read);
    static constexpr Ops ops{
        &typeid(K),
        [](const void* self, const void* k) { return static_cast<const P*>(self)->partition_of(*static_cast<const K*>(k)); },
        [](const void* a, const void* b) { return *static_cast<const P*>(a) == *static_cast<const P*>(b); },
        [](const void* self, ByteWriter& w) {
          w.write(key);
          w.write(*static_cast<const P*>(self));
        }};
  };

  Kind kind_;
  int num_partitions_;
  std::shared_ptr<const void> bounds_;  // the bounds (const std::vector<K>) of a range partitioner, the P of a custom one
  bool ascending_;
  const std::type_info* key_type_;  // of the bounds, for range partitioners
  const Ops* custom_ = nullptr;     // for custom partitioners
};

}  // namespace brasa
