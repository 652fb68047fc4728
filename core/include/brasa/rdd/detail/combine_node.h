// Aggregation by key within a partition: the reduce side of reduce_by_key
// and friends, or the whole operation when the input is already partitioned
// by the target partitioner; and cogroup of two co-partitioned RDDs. Both
// spill to disk through ExternalHashTable when a partition outgrows memory.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "brasa/rdd/detail/narrow_nodes.h"
#include "brasa/shuffle/combine_batch.h"
#include "brasa/shuffle/external_hash_table.h"

namespace brasa {

// create(x) starts a combiner, merge(c, x) folds an input value into one,
// merge_combiners(c, c2) folds two (needed to merge spilled runs).
template <class K, class X, class C, class Create, class Merge, class MergeCombiners>
class CombineNode final : public UnaryNode<std::pair<K, X>, std::pair<K, C>> {
 public:
  using In = std::pair<K, X>;
  using Out = std::pair<K, C>;

  CombineNode(NodePtr<In> parent, Create create, Merge merge, MergeCombiners merge_combiners, std::string op,
              const CallSite& site)
      : UnaryNode<In, Out>(std::move(parent), std::move(op), site, true),
        create_(std::move(create)),
        merge_(std::move(merge)),
        merge_combiners_(std::move(merge_combiners)) {}

  void compute(int p, Sink<Out>& out) override {
    struct Combine final : Sink<In> {
      ExternalHashTable<K, C> table;
      Create create;  // each task its own copies: functors may keep state
      Merge merge;
      std::vector<uint64_t> hashes;
      explicit Combine(CombineNode* s) : table(s->runtime()), create(s->create_), merge(s->merge_) {}
      void push(std::span<In> batch) override {
        size_t heap = combined_bytes<C>(batch);
        combine_batch(
            batch, hashes, [this](const K&, uint64_t) -> FlatHashMap<K, C>& { return table.table(); },
            create, merge);
        table.account(heap);
      }
    } combine(this);
    this->parent_->iterate(p, combine);
    MergeCombiners merge_combiners = merge_combiners_;
    combine.table.drain(out, merge_combiners);
  }

  void write_plan(PlanWriter& w) const override {
    w.begin<CombineNode>();
    w.node(*this->parent_);
    w.closure(create_);
    w.closure(merge_);
    w.closure(merge_combiners_);
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    auto parent = r.node<In>();
    auto create = r.closure<Create>();
    auto merge = r.closure<Merge>();
    return std::make_shared<CombineNode>(std::move(parent), std::move(create), std::move(merge),
                                         r.closure<MergeCombiners>(), "", CallSite{});
  }

 private:
  Create create_;
  Merge merge_;
  MergeCombiners merge_combiners_;
};

// A node over two pair RDDs laid out by the same partitioner: partition p
// of one meets partition p of the other (cogroup, join).
template <class K, class V, class W, class Out> class CoPartitionedNode : public RDDNode<Out> {
 public:
  CoPartitionedNode(NodePtr<std::pair<K, V>> a, NodePtr<std::pair<K, W>> b, std::string op, const CallSite& site)
      : RDDNode<Out>(a->runtime_ptr(), a->num_partitions(), std::move(op), site), a_(std::move(a)), b_(std::move(b)) {
    this->set_partitioner(a_->partitioner());
  }

 protected:
  // A plan is the node's type and both parents; Node::rebuild reads it back.
  template <class Node> void write_pair_plan(PlanWriter& w) const {
    w.begin<Node>();
    w.node(*a_);
    w.node(*b_);
  }
  template <class Node> static std::shared_ptr<RDDBase> rebuild_pair(PlanReader& r) {
    auto a = r.node<std::pair<K, V>>();
    auto b = r.node<std::pair<K, W>>();
    return std::make_shared<Node>(std::move(a), std::move(b), CallSite{});
  }

  std::vector<Dependency> lineage() const override { return {{a_, nullptr}, {b_, nullptr}}; }
  void drop_parents() override {
    a_.reset();
    b_.reset();
  }

  NodePtr<std::pair<K, V>> a_;
  NodePtr<std::pair<K, W>> b_;
};

// Groups two co-partitioned pair RDDs by key: (k, ([v...], [w...])).
template <class K, class V, class W>
class CoGroupNode final
    : public CoPartitionedNode<K, V, W, std::pair<K, std::pair<std::vector<V>, std::vector<W>>>> {
 public:
  using Groups = std::pair<std::vector<V>, std::vector<W>>;
  using Out = std::pair<K, Groups>;

  CoGroupNode(NodePtr<std::pair<K, V>> a, NodePtr<std::pair<K, W>> b, const CallSite& site)
      : CoPartitionedNode<K, V, W, Out>(std::move(a), std::move(b), "cogroup", site) {}

  void compute(int p, Sink<Out>& out) override { cogroup(p, this->a_, this->b_, this->runtime(), out); }

  // The groups of partition p of two co-partitioned RDDs (also the fallback
  // of HashJoinNode when a side is too large to hold).
  static void cogroup(int p, const NodePtr<std::pair<K, V>>& a, const NodePtr<std::pair<K, W>>& b, Runtime& runtime,
                      Sink<Out>& out) {
    ExternalHashTable<K, Groups> table(runtime);
    collect(p, a, table, [](Groups& g) -> std::vector<V>& { return g.first; });
    collect(p, b, table, [](Groups& g) -> std::vector<W>& { return g.second; });
    auto concat = [](Groups& g, Groups&& more) {
      g.first.insert(g.first.end(), std::make_move_iterator(more.first.begin()),
                     std::make_move_iterator(more.first.end()));
      g.second.insert(g.second.end(), std::make_move_iterator(more.second.begin()),
                      std::make_move_iterator(more.second.end()));
    };
    table.drain(out, concat);
  }

  void write_plan(PlanWriter& w) const override { this->template write_pair_plan<CoGroupNode>(w); }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    return CoGroupNode::template rebuild_pair<CoGroupNode>(r);
  }

 private:
  template <class U, class Side>
  static void collect(int p, const NodePtr<std::pair<K, U>>& rdd, ExternalHashTable<K, Groups>& table, Side side) {
    struct Add final : Sink<std::pair<K, U>> {
      ExternalHashTable<K, Groups>* table;
      Side side;
      Add(ExternalHashTable<K, Groups>* t, Side s) : table(t), side(s) {}
      void push(std::span<std::pair<K, U>> batch) override {
        size_t heap = batch.size() * sizeof(U);  // each value lands in a group vector
        for (auto& r : batch) {
          if constexpr (!kBitwise<std::pair<K, U>>) heap += approx_bytes(r) - sizeof(r);
          bool inserted;
          Groups& g = table->table().find_or_insert(std::move(r.first), hash_of(r.first), [] { return Groups{}; },
                                                    inserted);
          side(g).push_back(std::move(r.second));
        }
        table->account(heap);
      }
    } add(&table, side);
    rdd->iterate(p, add);
  }
};

}  // namespace brasa
