// The map side of a shuffle over a pair RDD. A map task computes one parent
// partition and splits it into one bucket per reduce partition, either as
// the records themselves or, with map-side combining, as one combined value
// per key (a flat hash table per bucket).
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "brasa/rdd/rdd_node.h"
#include "brasa/shuffle/shuffle_manager.h"
#include "brasa/util/flat_hash_map.h"

namespace brasa {

// Buckets hold the parent's records unchanged.
template <class K, class V> class PairShuffleDependency final : public ShuffleDependencyBase {
 public:
  using Record = std::pair<K, V>;
  using Bucket = Record;

  PairShuffleDependency(std::shared_ptr<RDDNode<Record>> parent, Partitioner partitioner)
      : ShuffleDependencyBase(parent, std::move(partitioner)), parent_(std::move(parent)) {}

  void run_map_task(int map_partition) override {
    auto output = std::make_shared<MapOutput<Record>>();
    output->buckets.resize(static_cast<size_t>(partitioner().num_partitions()));
    struct Split final : Sink<Record> {
      const Partitioner* partitioner;
      std::vector<std::vector<Record>>* buckets;
      void push(std::span<Record> batch) override {
        for (auto& r : batch) (*buckets)[partitioner->partition_of(r.first)].push_back(std::move(r));
      }
    } split;
    split.partitioner = &partitioner();
    split.buckets = &output->buckets;
    parent_->iterate(map_partition, split);
    for (auto& b : output->buckets) output->bytes += approx_bytes(b);
    parent_->runtime().shuffle_manager().put(shuffle_id(), map_partition, std::move(output));
  }

 private:
  std::shared_ptr<RDDNode<Record>> parent_;
};

// Buckets hold one (key, combiner) per key, built with create(value) and
// merge_value(combiner&, value).
template <class K, class V, class C, class Create, class MergeValue>
class CombiningShuffleDependency final : public ShuffleDependencyBase {
 public:
  using Record = std::pair<K, V>;
  using Bucket = std::pair<K, C>;

  CombiningShuffleDependency(std::shared_ptr<RDDNode<Record>> parent, Partitioner partitioner, Create create,
                             MergeValue merge_value)
      : ShuffleDependencyBase(parent, std::move(partitioner)),
        parent_(std::move(parent)),
        create_(std::move(create)),
        merge_value_(std::move(merge_value)) {}

  void run_map_task(int map_partition) override {
    size_t n = static_cast<size_t>(partitioner().num_partitions());
    struct Combine final : Sink<Record> {
      CombiningShuffleDependency* self;
      std::vector<FlatHashMap<K, C>> tables;
      void push(std::span<Record> batch) override {
        for (auto& r : batch) {
          uint64_t h = hash_of(r.first);
          auto& table = tables[static_cast<size_t>(self->partitioner().partition_of(r.first, h))];
          bool inserted;
          C& c = table.find_or_insert(std::move(r.first), h,
                                      [&] { return invoke_moving(self->create_, r.second); }, inserted);
          if (!inserted) self->merge_value_(c, std::move(r.second));
        }
      }
    } combine;
    combine.self = this;
    combine.tables.resize(n);
    parent_->iterate(map_partition, combine);
    auto output = std::make_shared<MapOutput<Bucket>>();
    output->buckets.reserve(n);
    for (auto& t : combine.tables) {
      output->buckets.push_back(t.take_entries());
      output->bytes += approx_bytes(output->buckets.back());
    }
    parent_->runtime().shuffle_manager().put(shuffle_id(), map_partition, std::move(output));
  }

 private:
  std::shared_ptr<RDDNode<Record>> parent_;
  Create create_;
  MergeValue merge_value_;
};

}  // namespace brasa
