// The extension point for modules: an operator of one's own, written as an
// RDDNode<T> with write_plan/rebuild (see rdd_node.h), must run like the
// built-in ones in every mode, including executors that rebuild it from a
// plan, and compose with built-in operations before and after it.
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "brasa/brasa.h"
#include "test_util.h"

namespace {

using brasa::CallSite;
using brasa::Dependency;
using brasa::NodePtr;
using brasa::PlanReader;
using brasa::PlanWriter;
using brasa::RDDBase;
using brasa::RDDNode;
using brasa::Sink;

// Running sums of each partition, every `stride`-th one kept, scaled by a
// shipped function: one parent, a field and a closure.
template <class F> class PrefixSumNode final : public brasa::UnaryNode<int64_t, int64_t> {
 public:
  PrefixSumNode(NodePtr<int64_t> parent, int stride, F scale)
      : UnaryNode(std::move(parent), "prefix_sum", CallSite{}, true), stride_(stride), scale_(scale) {}

  void compute(int p, Sink<int64_t>& out) override {
    // Reads the parent a batch at a time, in place when it is cached.
    struct Sum final : brasa::ReadingSink<int64_t, Sum> {
      Sink<int64_t>* out;
      int stride;
      F scale;
      int64_t total = 0, seen = 0;
      std::vector<int64_t> buf;
      void read(std::span<const int64_t> batch) {
        buf.clear();
        for (int64_t x : batch) {
          total += x;
          if (++seen % stride == 0) buf.push_back(scale(total));
        }
        out->push(buf);
      }
    } sum;
    sum.out = &out;
    sum.stride = stride_;
    sum.scale = scale_;
    parent_->iterate(p, sum);
  }

  void write_plan(PlanWriter& w) const override {
    w.begin<PrefixSumNode>();
    w.node(*parent_);
    w(stride_);
    w.closure(scale_);
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    auto parent = r.node<int64_t>();
    int stride = r.read<int>();
    return std::make_shared<PrefixSumNode>(std::move(parent), stride, r.closure<F>());
  }

 private:
  int stride_;
  F scale_;
};

template <class F> brasa::RDD<int64_t> prefix_sums(const brasa::RDD<int64_t>& in, int stride, F scale) {
  return brasa::RDD<int64_t>(std::make_shared<PrefixSumNode<F>>(in.node(), stride, scale));
}

// Two parents with the same partitions, records interleaved: a node on
// RDDNode<T> itself, with its own lineage.
class InterleaveNode final : public RDDNode<int64_t> {
 public:
  InterleaveNode(NodePtr<int64_t> a, NodePtr<int64_t> b)
      : RDDNode(a->runtime_ptr(), a->num_partitions(), "interleave", CallSite{}), a_(std::move(a)), b_(std::move(b)) {}

  void compute(int p, Sink<int64_t>& out) override {
    auto a = a_->read_partition(p);
    auto b = b_->read_partition(p);
    std::vector<int64_t> batch;
    for (size_t i = 0; i < std::max(a.get().size(), b.get().size()); ++i) {
      if (i < a.get().size()) batch.push_back(a.get()[i]);
      if (i < b.get().size()) batch.push_back(b.get()[i]);
    }
    out.push(batch);
  }

  void write_plan(PlanWriter& w) const override {
    w.begin<InterleaveNode>();
    w.node(*a_);
    w.node(*b_);
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    auto a = r.node<int64_t>();
    auto b = r.node<int64_t>();
    return std::make_shared<InterleaveNode>(std::move(a), std::move(b));
  }

 protected:
  std::vector<Dependency> lineage() const override { return {{a_, nullptr}, {b_, nullptr}}; }
  void drop_parents() override {
    a_.reset();
    b_.reset();
  }

 private:
  NodePtr<int64_t> a_, b_;
};

TEST(CustomNode, RunsWithBuiltInOperationsBeforeAndAfter) {
  auto ctx = brasa_test::make_context();
  auto in = ctx->range(1, 101, 1, 4).map([](int64_t x) { return x * 2; });
  auto sums = prefix_sums(in, 5, [](int64_t s) { return s + 1; });
  // Partition p holds 2 * (25p+1 .. 25p+25); every 5th running sum, plus 1.
  std::vector<int64_t> expected;
  for (int p = 0; p < 4; ++p) {
    int64_t total = 0;
    for (int64_t i = 1; i <= 25; ++i) {
      total += 2 * (25 * p + i);
      if (i % 5 == 0) expected.push_back(total + 1);
    }
  }
  EXPECT_EQ(sums.collect(), expected);
  // A shuffle after it: the custom node is the map side of a stage.
  auto by_parity = sums.map([](int64_t s) { return std::pair<int64_t, int64_t>{s % 2, 1}; })
                       .reduce_by_key([](int64_t a, int64_t b) { return a + b; }, 2)
                       .collect_as_map();
  int64_t odd = 0;
  for (int64_t s : expected) odd += s % 2;
  EXPECT_EQ(by_parity[1], odd);
  EXPECT_EQ(by_parity[0], static_cast<int64_t>(expected.size()) - odd);
}

TEST(CustomNode, ReadsACachedParentAndCachesItself) {
  auto ctx = brasa_test::make_context();
  auto in = ctx->range(0, 1000, 1, 2);
  in.cache();
  auto sums = prefix_sums(in, 1, [](int64_t s) { return s; });
  sums.cache();
  EXPECT_EQ(sums.count(), 1000);
  std::vector<int64_t> got = sums.collect();
  ASSERT_EQ(got.size(), 1000u);
  EXPECT_EQ(got[499], 499 * 500 / 2) << "the last running sum of partition 0";
  EXPECT_EQ(got[999], (999 * 1000 - 499 * 500) / 2) << "the last running sum of partition 1";
}

TEST(CustomNode, TwoParentsAndALineageOfItsOwn) {
  auto ctx = brasa_test::make_context();
  auto evens = ctx->range(0, 20, 2, 2);
  auto odds = ctx->range(1, 21, 2, 2);
  brasa::RDD<int64_t> both(std::make_shared<InterleaveNode>(evens.node(), odds.node()));
  std::vector<int64_t> all(20);
  for (int i = 0; i < 20; ++i) all[static_cast<size_t>(i)] = i;
  EXPECT_EQ(both.collect(), all);
  EXPECT_EQ(both.node()->dependencies().size(), 2u);
  EXPECT_NE(both.to_debug_string().find("interleave"), std::string::npos) << both.to_debug_string();
}

}  // namespace
