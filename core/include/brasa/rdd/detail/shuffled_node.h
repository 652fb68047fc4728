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
        dep_(std::move(dep)),
        shuffle_id_(dep_->shuffle_id()),
        num_maps_(dep_->num_map_partitions()) {
    this->set_partitioner(dep_->partitioner());
  }

  void compute(int p, Sink<B>& out) override {
    auto& shuffles = this->runtime().shuffle_manager();
    for (int m = 0; m < num_maps_ && !out.stopped(); ++m) {
      std::shared_ptr<const MapOutputBase> output;
      try {
        output = shuffles.get(shuffle_id_, m);
      } catch (const std::runtime_error& e) {  // lost with its executor: the map stage must run again
        throw FetchFailed(shuffle_id_, m, -1, e.what());
      }
      if (auto* remote = dynamic_cast<const RemoteMapOutput*>(output.get())) {
        std::string bytes = shuffles.fetch(*remote, shuffle_id_, m, p);
        ByteReader reader(bytes);
        while (!reader.at_end() && !out.stopped()) {
          auto records = read_records<B>(reader);
          push_owned(records, out);
        }
      } else {
        static_cast<const MapOutput<B>&>(*output).read(static_cast<size_t>(p), out);
      }
    }
  }

  // The plan ends here: executors fetch the map outputs instead.
  void write_plan(PlanWriter& w) const override {
    w.begin<ShuffledNode>();
    w(shuffle_id_, num_maps_, this->num_partitions());
  }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    auto shuffle_id = r.read<int>();
    auto num_maps = r.read<int>();
    return std::shared_ptr<ShuffledNode>(new ShuffledNode(r.runtime(), shuffle_id, num_maps, r.read<int>()));
  }

 protected:
  std::vector<Dependency> lineage() const override {
    if (!dep_) return {};
    return {{dep_->parent(), dep_}};
  }
  void drop_parents() override { dep_.reset(); }

 private:
  ShuffledNode(std::shared_ptr<Runtime> rt, int shuffle_id, int num_maps, int num_partitions)
      : RDDNode<B>(std::move(rt), num_partitions, "shuffled", CallSite{}), shuffle_id_(shuffle_id),
        num_maps_(num_maps) {}

  std::shared_ptr<ShuffleDependencyBase> dep_;  // null in executors
  int shuffle_id_;
  int num_maps_;
};

}  // namespace brasa
