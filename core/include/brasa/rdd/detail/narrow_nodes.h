// Narrow transformations: each output partition is computed from a bounded
// set of parent partitions inside the same task. The user's function runs
// over a whole batch per virtual call, inlined into the loop.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "brasa/rdd/detail/invoke.h"
#include "brasa/rdd/rdd_node.h"
#include "brasa/util/split.h"

namespace brasa {

namespace detail {
template <class T> struct IsPairOrString : std::false_type {};
template <class A, class B> struct IsPairOrString<std::pair<A, B>> : std::true_type {};
template <class C, class Tr, class A> struct IsPairOrString<std::basic_string<C, Tr, A>> : std::true_type {};

// Records that hold no pointer into what they were made from: numbers,
// strings, and pairs and vectors of these.
template <class T> struct OwnsItsData : std::bool_constant<std::is_arithmetic_v<T> || std::is_enum_v<T>> {};
template <> struct OwnsItsData<std::string> : std::true_type {};
template <class A, class B>
struct OwnsItsData<std::pair<A, B>> : std::bool_constant<OwnsItsData<A>::value && OwnsItsData<B>::value> {};
template <class T> struct OwnsItsData<std::vector<T>> : OwnsItsData<T> {};

// Appends call() to buf. A pair or string is built in its slot, not moved
// there: a short string's move is a call to memcpy (6% of word count). Only
// for types whose constructors cannot take a Made for a value.
template <class Out, class Call> void append_made(std::vector<Out>& buf, Call&& call) {
  if constexpr (IsPairOrString<Out>::value) {
    struct Made {
      Call* call;
      operator Out() const { return (*call)(); }
    };
    buf.emplace_back(Made{&call});
  } else {
    buf.push_back(call());
  }
}
}  // namespace detail

template <class In, class Out, class F> class MapNode final : public UnaryNode<In, Out> {
 public:
  MapNode(NodePtr<In> parent, F f, std::string op, const CallSite& site)
      : UnaryNode<In, Out>(std::move(parent), std::move(op), site, false), f_(std::move(f)) {}

  void compute(int p, Sink<Out>& out) override {
    struct Apply final : ForwardingSink<In, Out> {
      using ForwardingSink<In, Out>::ForwardingSink;
      F* f;
      std::vector<Out> buf;
      void push(std::span<In> batch) override {
        buf.clear();
        for (auto& x : batch) detail::append_made(buf, [&] { return invoke_moving(*f, x); });
        this->out_.push(buf);
      }
      void push_borrowed(std::span<const In> batch) override {
        buf.clear();
        for (const auto& x : batch) buf.push_back(invoke_lent(*f, x));
        this->out_.push(buf);
      }
      // Words of a flat_map: f gets a string made from each view in its
      // parameter, with no string in between. Only for results that own
      // their data: a view into the argument would outlive it.
      bool takes_views() const override { return std::is_same_v<In, std::string> && detail::OwnsItsData<Out>::value; }
      void push_views(std::span<const std::string_view> views) override {
        if constexpr (std::is_same_v<In, std::string>) {
          buf.clear();
          for (std::string_view v : views)
            detail::append_made(buf, [&] {
              if constexpr (std::is_invocable_v<F&, std::string&&>) {
                return (*f)(std::string(v));
              } else {
                std::string x(v);
                return (*f)(x);
              }
            });
          this->out_.push(buf);
        } else {
          Sink<In>::push_views(views);
        }
      }
    } apply(out);
    F f = f_;  // each task its own copy: functors may keep state
    apply.f = &f;
    this->parent_->iterate(p, apply);
  }

  void write_plan(PlanWriter& w) const override {
    w.begin<MapNode>();
    w.node(*this->parent_);
    w.closure(f_);
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    auto parent = r.node<In>();
    return std::make_shared<MapNode>(std::move(parent), r.closure<F>(), "", CallSite{});
  }

 private:
  F f_;
};

template <class T, class F> class FilterNode final : public UnaryNode<T, T> {
 public:
  FilterNode(NodePtr<T> parent, F f, const CallSite& site)
      : UnaryNode<T, T>(std::move(parent), "filter", site, true), f_(std::move(f)) {}

  void compute(int p, Sink<T>& out) override {
    struct Apply final : ForwardingSink<T, T> {
      using ForwardingSink<T, T>::ForwardingSink;
      F* f;
      std::vector<T> buf;
      void push(std::span<T> batch) override {
        buf.clear();
        for (auto& x : batch)
          if ((*f)(std::as_const(x))) buf.push_back(std::move(x));
        if (!buf.empty()) this->out_.push(buf);
      }
      void push_borrowed(std::span<const T> batch) override {  // copies only the records kept
        buf.clear();
        for (const auto& x : batch)
          if ((*f)(x)) buf.push_back(x);
        if (!buf.empty()) this->out_.push(buf);
      }
    } apply(out);
    F f = f_;  // each task its own copy: functors may keep state
    apply.f = &f;
    this->parent_->iterate(p, apply);
  }

  void write_plan(PlanWriter& w) const override {
    w.begin<FilterNode>();
    w.node(*this->parent_);
    w.closure(f_);
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    auto parent = r.node<T>();
    return std::make_shared<FilterNode>(std::move(parent), r.closure<F>(), CallSite{});
  }

 private:
  F f_;
};

namespace detail {
// Adds y to a FlatMapNode's batch, passing the batch on when full.
// Outside the node: a local class cannot have a member template.
template <class Apply, class Y> void emit(Apply& apply, Y&& y) {
  apply.buf.emplace_back(std::forward<Y>(y));
  if (apply.buf.size() >= kBatchSize) apply.flush();
}

// Passes on what f returns for record x. Words of brasa::words and
// brasa::split are found with SplitRange::for_each; when the consumer
// takes views, they go on as views (see Sink::push_views). Each call is
// one expression, so that a parameter f takes by value outlives the loop.
template <bool views, class Apply, class X> void flat_map_one(Apply& apply, X& x) {
  if constexpr (views) {
    if (apply.to_views) {
      (*apply.f)(std::as_const(x)).for_each([&](std::string_view y) { apply.add_view(y, x); });
      return;
    }
  }
  if constexpr (IsSplitRange<std::decay_t<decltype(invoke_moving(*apply.f, x))>>::value)
    invoke_moving(*apply.f, x).for_each([&](std::string_view y) { emit(apply, y); });
  else
    for (auto&& y : invoke_moving(*apply.f, x)) emit(apply, std::move(y));
}
}  // namespace detail

// f returns any iterable of Out per record. Words of brasa::words or
// brasa::split (views into the record) go on as views until a consumer
// needs strings (see Sink::push_views).
template <class In, class Out, class F> class FlatMapNode final : public UnaryNode<In, Out> {
 public:
  FlatMapNode(NodePtr<In> parent, F f, std::string op, const CallSite& site, bool keeps_partitioner)
      : UnaryNode<In, Out>(std::move(parent), std::move(op), site, keeps_partitioner), f_(std::move(f)) {}

  void compute(int p, Sink<Out>& out) override {
    struct Apply final : ForwardingSink<In, Out> {
      using ForwardingSink<In, Out>::ForwardingSink;
      F* f;
      std::vector<Out> buf;
      bool to_views = false;  // kViews, and the consumer takes views
      std::vector<std::string_view> views;
      // Words of up to 16 bytes copied where they can be read past: at most
      // kBatchSize of them between flushes, so the array never fills.
      std::unique_ptr<char[]> copies;
      size_t copied = 0;
      void push(std::span<In> batch) override {
        for (auto& x : batch) detail::flat_map_one<kViews>(*this, x);
        flush();
      }
      void push_borrowed(std::span<const In> batch) override {
        if constexpr (kReadsInPlace<F, In>) {
          for (const auto& x : batch) detail::flat_map_one<kViews>(*this, x);
        } else {  // f gets a copy of each record, so what it returns may point into the copy
          for (const auto& x : batch) {
            In copy(x);
            detail::flat_map_one<false>(*this, copy);
          }
        }
        flush();
      }
      // A word f found, passed on as a view when it lies in `line` and is
      // longer than 16 bytes or has kViewPadding readable bytes from its
      // start (all but the last few words of a line whose string has no
      // room to spare).
      [[gnu::always_inline]] void add_view(std::string_view y, const std::string& line) {
        const auto at = reinterpret_cast<uintptr_t>(y.data()), from = reinterpret_cast<uintptr_t>(line.data());
        if (at >= from && at + y.size() <= from + line.size() &&
            (y.size() > 16 || at + kViewPadding <= from + line.capacity() + 1)) [[likely]]
          views.push_back(y);
        else
          add_copy(y);
        if (views.size() >= kBatchSize) [[unlikely]]
          flush();
      }
      // Otherwise a view of a copy, or (a long word that is not in the
      // line: f split a string of its own) a string, in order.
      [[gnu::noinline]] void add_copy(std::string_view y) {
        if constexpr (kViews) {
          if (y.size() > 16) {
            flush();
            buf.emplace_back(y);
            flush();
            return;
          }
          if (!copies) copies = std::make_unique<char[]>(kBatchSize * 16 + kViewPadding);
          char* to = copies.get() + copied;
          std::memcpy(to, y.data(), y.size());
          copied += y.size();
          views.emplace_back(to, y.size());
        }
      }
      // Views point into records of the batch being pushed (or into
      // `copies`), so the batch is flushed before push returns.
      void flush() {
        if (!views.empty()) this->out_.push_views(views);
        views.clear();
        copied = 0;
        if (!buf.empty()) this->out_.push(buf);
        buf.clear();
      }
    } apply(out);
    F f = f_;  // each task its own copy: functors may keep state
    apply.f = &f;
    apply.to_views = kViews && out.takes_views();
    if (apply.to_views) apply.views.reserve(kBatchSize);
    this->parent_->iterate(p, apply);
  }

  // Words that can go on as views: f splits the line it reads in place.
  static constexpr bool kViews = std::is_same_v<Out, std::string> && std::is_same_v<In, std::string> &&
                                 kReadsInPlace<F, In> && IsSplitRange<MovingResult<F, In>>::value;

  void write_plan(PlanWriter& w) const override {
    w.begin<FlatMapNode>();
    w.node(*this->parent_);
    w.closure(f_);
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    auto parent = r.node<In>();
    return std::make_shared<FlatMapNode>(std::move(parent), r.closure<F>(), "", CallSite{}, false);
  }

 private:
  F f_;
};

// Pushes what a whole-partition function returned: a vector as it is, any
// other iterable in batches.
template <class Out, class Result> void push_result(Result&& result, Sink<Out>& out) {
  if constexpr (std::is_same_v<std::decay_t<Result>, std::vector<Out>>) {
    push_owned(result, out);
  } else {
    BatchWriter<Out> w(out);
    for (auto& y : result) w.emit(std::move(y));
    w.flush();
  }
}

// f(partition_index, partition) returns an iterable of Out for the whole
// partition. The partition is `std::vector<In>&&`, or read in place when f
// takes `const std::vector<In>&` or `std::span<const In>` and the parent is
// cached.
template <class In, class Out, class F> class MapPartitionsNode final : public UnaryNode<In, Out> {
 public:
  MapPartitionsNode(NodePtr<In> parent, F f, std::string op, const CallSite& site, bool keeps_partitioner)
      : UnaryNode<In, Out>(std::move(parent), std::move(op), site, keeps_partitioner), f_(std::move(f)) {}

  void compute(int p, Sink<Out>& out) override {
    Partition<In> input = this->parent_->read_partition(p);
    F f = f_;  // each task its own copy: functors may keep state
    push_result<Out>(call_on_partition(f, input, p), out);
  }

  void write_plan(PlanWriter& w) const override {
    w.begin<MapPartitionsNode>();
    w.node(*this->parent_);
    w.closure(f_);
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    auto parent = r.node<In>();
    return std::make_shared<MapPartitionsNode>(std::move(parent), r.closure<F>(), "", CallSite{}, false);
  }

 private:
  F f_;
};

// One record per partition: seq folded over the partition's records as they
// stream by (the first level of tree_aggregate; no copy of the partition).
template <class T, class U, class Seq> class FoldPartitionNode final : public UnaryNode<T, U> {
 public:
  FoldPartitionNode(NodePtr<T> parent, U zero, Seq seq, std::string op, const CallSite& site)
      : UnaryNode<T, U>(std::move(parent), std::move(op), site, false), zero_(std::move(zero)), seq_(std::move(seq)) {}

  void compute(int p, Sink<U>& out) override {
    struct Fold final : Sink<T> {
      Seq seq;
      U acc;
      Fold(Seq s, U z) : seq(std::move(s)), acc(std::move(z)) {}
      void push(std::span<T> batch) override {
        for (auto& x : batch) acc = seq(std::move(acc), std::move(x));
      }
      void push_borrowed(std::span<const T> batch) override {
        for (const auto& x : batch) acc = fold_lent(seq, std::move(acc), x);
      }
    } fold(seq_, zero_);
    this->parent_->iterate(p, fold);
    out.push(std::span<U>(&fold.acc, 1));
  }

  void write_plan(PlanWriter& w) const override {
    w.begin<FoldPartitionNode>();
    w.node(*this->parent_);
    w(zero_);
    w.closure(seq_);
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    auto parent = r.node<T>();
    auto zero = r.read<U>();
    return std::make_shared<FoldPartitionNode>(std::move(parent), std::move(zero), r.closure<Seq>(), "", CallSite{});
  }

 private:
  U zero_;
  Seq seq_;
};

// Concatenates the partitions of several RDDs.
template <class T> class UnionNode final : public RDDNode<T> {
 public:
  UnionNode(std::vector<NodePtr<T>> parents, const CallSite& site)
      : RDDNode<T>(parents.at(0)->runtime_ptr(), total(parents), "union", site), parents_(std::move(parents)) {}

  void compute(int p, Sink<T>& out) override {
    for (auto& parent : parents_) {
      if (p < parent->num_partitions()) return parent->iterate(p, out);
      p -= parent->num_partitions();
    }
  }

 protected:
  std::vector<Dependency> lineage() const override {
    std::vector<Dependency> deps;
    for (auto& parent : parents_) deps.push_back({parent, nullptr});
    return deps;
  }
  void drop_parents() override { parents_.clear(); }

 public:
  void write_plan(PlanWriter& w) const override {
    w.begin<UnionNode>();
    w(parents_.size());
    for (const auto& parent : parents_) w.node(*parent);
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    std::vector<NodePtr<T>> parents(r.read<size_t>());
    for (auto& parent : parents) parent = r.node<T>();
    if (parents.empty()) throw std::runtime_error("corrupt stage plan: union of nothing");
    return std::make_shared<UnionNode>(std::move(parents), CallSite{});
  }

 private:
  static int total(const std::vector<NodePtr<T>>& ps) {
    int n = 0;
    for (auto& p : ps) n += p->num_partitions();
    return n;
  }
  std::vector<NodePtr<T>> parents_;
};

// Merges contiguous runs of parent partitions without a shuffle.
template <class T> class CoalesceNode final : public RDDNode<T> {
 public:
  CoalesceNode(NodePtr<T> parent, int n, const CallSite& site)
      : RDDNode<T>(parent->runtime_ptr(), n, "coalesce", site), parent_(std::move(parent)) {}

  void compute(int p, Sink<T>& out) override {
    int64_t total = parent_->num_partitions(), n = this->num_partitions();
    for (int64_t q = p * total / n; q < (p + 1) * total / n && !out.stopped(); ++q)
      parent_->iterate(static_cast<int>(q), out);
  }

 protected:
  std::vector<Dependency> lineage() const override { return {{parent_, nullptr}}; }
  void drop_parents() override { parent_.reset(); }

 public:
  void write_plan(PlanWriter& w) const override {
    w.begin<CoalesceNode>();
    w.node(*parent_);
    w(this->num_partitions());
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    auto parent = r.node<T>();
    return std::make_shared<CoalesceNode>(std::move(parent), r.read<int>(), CallSite{});
  }

 private:
  NodePtr<T> parent_;
};

// Partition p of the result is f(p, partition p of each parent), each
// partition passed as MapPartitionsNode passes it (read in place when
// cached and f takes a const reference or a span).
template <class Out, class F, class... Ins> class ZipPartitionsNode final : public RDDNode<Out> {
 public:
  ZipPartitionsNode(std::tuple<NodePtr<Ins>...> parents, F f, std::string op, const CallSite& site,
                    bool keeps_partitioner)
      : RDDNode<Out>(std::get<0>(parents)->runtime_ptr(), std::get<0>(parents)->num_partitions(), std::move(op), site),
        parents_(std::move(parents)), f_(std::move(f)) {
    std::apply(
        [this](const auto&... ps) {
          if (((ps->num_partitions() != this->num_partitions()) || ...))
            throw std::invalid_argument(this->op() + ": can only zip RDDs with the same number of partitions (" +
                                        ((std::to_string(ps->num_partitions()) + " ") + ...) + ")");
        },
        parents_);
    if (keeps_partitioner) this->set_partitioner(std::get<0>(parents_)->partitioner());
  }

  void compute(int p, Sink<Out>& out) override {
    F f = f_;
    auto parts = std::apply([p](auto&... ps) { return std::tuple<Partition<Ins>...>{ps->read_partition(p)...}; },
                            parents_);
    push_result<Out>(std::apply([&](auto&... part) { return call_zip(f, p, part...); }, parts), out);
  }

 protected:
  std::vector<Dependency> lineage() const override {
    return std::apply([](const auto&... ps) { return std::vector<Dependency>{{ps, nullptr}...}; }, parents_);
  }
  void drop_parents() override { parents_ = {}; }

 public:
  void write_plan(PlanWriter& w) const override {
    w.begin<ZipPartitionsNode>();
    std::apply([&w](const auto&... ps) { (w.node(*ps), ...); }, parents_);
    w.closure(f_);
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    std::tuple<NodePtr<Ins>...> parents{r.node<Ins>()...};  // braced: read in order
    return std::make_shared<ZipPartitionsNode>(std::move(parents), r.closure<F>(), "", CallSite{}, false);
  }

 private:
  // f(p, parts...) with every part by const reference when one of them is
  // lent and f takes them so (a cached side is read in place even when the
  // other is computed), moved otherwise.
  template <class... Parts> static decltype(auto) call_zip(F& f, int p, Parts&... parts) {
    if constexpr (kSafelyCallable<F, int, const std::vector<Ins>&...>) {
      if ((parts.is_lent() || ...)) return f(p, parts.get()...);
    }
    return f(p, parts.take()...);
  }

  std::tuple<NodePtr<Ins>...> parents_;
  F f_;
};

// Every pair of records of a and b; partition p pairs partition p / nb of a
// with partition p % nb of b.
template <class A, class B> class CartesianNode final : public RDDNode<std::pair<A, B>> {
 public:
  CartesianNode(NodePtr<A> a, NodePtr<B> b, const CallSite& site)
      : RDDNode<std::pair<A, B>>(a->runtime_ptr(), a->num_partitions() * b->num_partitions(), "cartesian", site),
        a_(std::move(a)), b_(std::move(b)) {}

  void compute(int p, Sink<std::pair<A, B>>& out) override {
    auto left = a_->materialize(p / b_->num_partitions());
    auto right = b_->materialize(p % b_->num_partitions());
    BatchWriter<std::pair<A, B>> w(out);
    for (const auto& x : left)
      for (const auto& y : right) {
        if (w.stopped()) return;
        w.emit(std::pair<A, B>(x, y));
      }
    w.flush();
  }

 protected:
  std::vector<Dependency> lineage() const override { return {{a_, nullptr}, {b_, nullptr}}; }
  void drop_parents() override {
    a_.reset();
    b_.reset();
  }

 public:
  void write_plan(PlanWriter& w) const override {
    w.begin<CartesianNode>();
    w.node(*a_);
    w.node(*b_);
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    auto a = r.node<A>();
    auto b = r.node<B>();
    return std::make_shared<CartesianNode>(std::move(a), std::move(b), CallSite{});
  }

 private:
  NodePtr<A> a_;
  NodePtr<B> b_;
};

}  // namespace brasa
