// count_by_value's map side: counts a partition's values in one hash table
// as they stream by, so that its shuffle carries one record per distinct
// value and partition. Words of flat_map over brasa::words or brasa::split
// arrive as views (Sink::push_views) and become strings only when they are
// new. A table that outgrows half the task's shuffle memory (the shuffle
// writer after it has the other half) is passed on as it is and begun
// afresh: the reduce side adds the parts up.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "brasa/rdd/rdd_node.h"
#include "brasa/shuffle/combine_batch.h"
#include "brasa/util/flat_hash_map.h"
#include "brasa/util/size_estimate.h"

namespace brasa {

namespace detail {
// Adds one to the count of each key (lookup_batch's loop). Key is T (moved
// in when new), const T (copied) or, for strings, a view from
// Sink::push_views (looked up as a PaddedView, made a string when new).
// Returns the heap bytes of the keys inserted.
template <class T, class Key>
size_t count_batch(FlatHashMap<T, int64_t>& table, std::vector<uint64_t>& hashes, std::span<Key> keys) {
  constexpr bool kViews = std::is_same_v<std::remove_const_t<Key>, std::string_view>;
  auto key = [&](size_t i) -> decltype(auto) {
    if constexpr (kViews)
      return PaddedView{keys[i]};
    else
      return std::move(keys[i]);
  };
  size_t heap = 0;
  lookup_batch(
      keys.size(), hashes, key, [&](size_t) -> FlatHashMap<T, int64_t>& { return table; },
      [&](size_t i, FlatHashMap<T, int64_t>& t) {
        bool inserted;
        ++t.find_or_insert(key(i), hashes[i], [] { return int64_t{0}; }, inserted);
        if (inserted) heap += approx_bytes(t.entries().back().first) - sizeof(T);
      });
  return heap;
}
}  // namespace detail

template <class T> class CountNode final : public UnaryNode<T, std::pair<T, int64_t>> {
 public:
  using Out = std::pair<T, int64_t>;

  CountNode(NodePtr<T> parent, const CallSite& site)
      : UnaryNode<T, Out>(std::move(parent), "count_by_value", site, false) {}

  void compute(int p, Sink<Out>& out) override {
    struct Count final : ForwardingSink<T, Out> {
      using ForwardingSink<T, Out>::ForwardingSink;
      FlatHashMap<T, int64_t> table;
      std::vector<uint64_t> hashes;
      size_t heap = 0;    // of the keys in the table
      size_t budget = 0;  // half the task's shuffle memory
      size_t most = 0;    // keys the table held
      void push(std::span<T> batch) override { added(detail::count_batch(table, hashes, batch)); }
      void push_borrowed(std::span<const T> batch) override { added(detail::count_batch(table, hashes, batch)); }
      bool takes_views() const override { return std::is_same_v<T, std::string>; }
      void push_views(std::span<const std::string_view> views) override {
        if constexpr (std::is_same_v<T, std::string>) {
          added(detail::count_batch(table, hashes, views));
        } else {
          Sink<T>::push_views(views);
        }
      }
      void added(size_t bytes) {
        heap += bytes;
        if (heap + table.memory_bytes() > budget) pass_on();
      }
      void pass_on() {
        most = std::max(most, table.size());
        auto counts = table.take_entries();
        push_owned(counts, this->out_);
        heap = 0;
      }
    } count(out);
    count.budget = this->runtime().task_shuffle_memory() / 2;
    // Sized for the keys of the last task, instead of growing through every
    // doubling; capped so that the reservation alone cannot pass the budget.
    count.table.reserve(std::min(keys_.load(std::memory_order_relaxed), count.budget / 2 / (sizeof(Out) + 32)));
    this->parent_->iterate(p, count);
    count.pass_on();
    keys_.store(count.most, std::memory_order_relaxed);
  }

  void write_plan(PlanWriter& w) const override {
    w.begin<CountNode>();
    w.node(*this->parent_);
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    auto parent = r.node<T>();
    return std::make_shared<CountNode>(std::move(parent), CallSite{});
  }

 private:
  std::atomic<size_t> keys_{0};  // the largest table of the last task
};

}  // namespace brasa
