// The reduce side of a shuffle: partition r is bucket r of every map output,
// read in map order.
#pragma once

#include <memory>

#include "brasa/rdd/rdd_node.h"
#include "brasa/shuffle/shuffle_manager.h"

namespace brasa {

template <class B> class ShuffledNode final : public RDDNode<B> {
 public:
  ShuffledNode(std::shared_ptr<ShuffleDependencyBase> dep, std::string op, const CallSite& site)
      : RDDNode<B>(dep->parent()->runtime_ptr(), dep->partitioner().num_partitions(), std::move(op), site),
        dep_(std::move(dep)) {
    this->set_partitioner(dep_->partitioner());
  }

  void compute(int p, Sink<B>& out) override {
    auto& shuffles = this->runtime().shuffle_manager();
    for (int m = 0; m < dep_->num_map_partitions() && !out.stopped(); ++m) {
      auto output = std::static_pointer_cast<const MapOutput<B>>(shuffles.get(dep_->shuffle_id(), m));
      output->read(static_cast<size_t>(p), out);
    }
  }

 protected:
  std::vector<Dependency> lineage() const override { return {{dep_->parent(), dep_}}; }
  void drop_parents() override { dep_.reset(); }

 private:
  std::shared_ptr<ShuffleDependencyBase> dep_;
};

}  // namespace brasa
