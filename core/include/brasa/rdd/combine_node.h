// Aggregation by key within a partition: the reduce side of reduce_by_key
// and friends, or the whole operation when the input is already partitioned
// by the target partitioner. Output order is first-appearance order of keys.
#pragma once

#include <memory>
#include <utility>

#include "brasa/rdd/narrow_nodes.h"
#include "brasa/util/flat_hash_map.h"

namespace brasa {

template <class K, class X, class C, class Create, class Merge>
class CombineNode final : public RDDNode<std::pair<K, C>> {
 public:
  using In = std::pair<K, X>;
  using Out = std::pair<K, C>;

  CombineNode(NodePtr<In> parent, Create create, Merge merge, std::string op, const CallSite& site)
      : RDDNode<Out>(parent->runtime_ptr(), parent->num_partitions(), std::move(op), site),
        parent_(std::move(parent)),
        create_(std::move(create)),
        merge_(std::move(merge)) {
    this->set_partitioner(parent_->partitioner());
  }

  void compute(int p, Sink<Out>& out) override {
    struct Combine final : Sink<In> {
      CombineNode* self;
      FlatHashMap<K, C> table;
      void push(std::span<In> batch) override {
        for (auto& r : batch) {
          uint64_t h = hash_of(r.first);
          bool inserted;
          C& c = table.find_or_insert(std::move(r.first), h,
                                      [&] { return invoke_moving(self->create_, r.second); }, inserted);
          if (!inserted) self->merge_(c, std::move(r.second));
        }
      }
    } combine;
    combine.self = this;
    parent_->iterate(p, combine);
    auto entries = combine.table.take_entries();
    push_owned(entries, out);
  }

 protected:
  std::vector<Dependency> lineage() const override { return {{parent_, nullptr}}; }

 private:
  NodePtr<In> parent_;
  Create create_;
  Merge merge_;
};

// Groups two co-partitioned pair RDDs by key: (k, ([v...], [w...])).
template <class K, class V, class W>
class CoGroupNode final : public RDDNode<std::pair<K, std::pair<std::vector<V>, std::vector<W>>>> {
 public:
  using Groups = std::pair<std::vector<V>, std::vector<W>>;
  using Out = std::pair<K, Groups>;

  CoGroupNode(NodePtr<std::pair<K, V>> a, NodePtr<std::pair<K, W>> b, const CallSite& site)
      : RDDNode<Out>(a->runtime_ptr(), a->num_partitions(), "cogroup", site), a_(std::move(a)), b_(std::move(b)) {
    this->set_partitioner(a_->partitioner());
  }

  void compute(int p, Sink<Out>& out) override {
    FlatHashMap<K, Groups> table;
    collect(p, a_, table, [](Groups& g) -> std::vector<V>& { return g.first; });
    collect(p, b_, table, [](Groups& g) -> std::vector<W>& { return g.second; });
    auto entries = table.take_entries();
    push_owned(entries, out);
  }

 protected:
  std::vector<Dependency> lineage() const override { return {{a_, nullptr}, {b_, nullptr}}; }

 private:
  template <class U, class Side>
  static void collect(int p, const NodePtr<std::pair<K, U>>& rdd, FlatHashMap<K, Groups>& table, Side side) {
    struct Add final : Sink<std::pair<K, U>> {
      FlatHashMap<K, Groups>* table;
      void push(std::span<std::pair<K, U>> batch) override {
        for (auto& r : batch) {
          bool inserted;
          Groups& g = table->find_or_insert(std::move(r.first), hash_of(r.first), [] { return Groups{}; }, inserted);
          Side{}(g).push_back(std::move(r.second));
        }
      }
    } add;
    add.table = &table;
    rdd->iterate(p, add);
  }

  NodePtr<std::pair<K, V>> a_;
  NodePtr<std::pair<K, W>> b_;
};

}  // namespace brasa
