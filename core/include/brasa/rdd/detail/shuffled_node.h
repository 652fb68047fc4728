// The reduce side of a shuffle: partition r is bucket r of every map output,
// read in map order.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

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

  // Remote buckets come first, one round trip per executor that holds
  // some; then every bucket is read in map order.
  void compute(int p, Sink<B>& out) override {
    auto& shuffles = this->runtime().shuffle_manager();
    std::vector<std::shared_ptr<const MapOutputBase>> outputs(static_cast<size_t>(num_maps_));
    std::map<std::string, std::vector<int>> remote_maps;  // by executor address
    for (int m = 0; m < num_maps_; ++m) {
      try {
        outputs[static_cast<size_t>(m)] = shuffles.get(shuffle_id_, m);
      } catch (const std::runtime_error& e) {  // lost with its executor: the map stage must run again
        throw FetchFailed(shuffle_id_, m, -1, e.what());
      }
      if (auto* remote = dynamic_cast<const RemoteMapOutput*>(outputs[static_cast<size_t>(m)].get()))
        remote_maps[remote->address].push_back(m);
    }
    std::vector<std::string> fetched(static_cast<size_t>(num_maps_));
    for (auto& [address, maps] : remote_maps) {
      auto& where = static_cast<const RemoteMapOutput&>(*outputs[static_cast<size_t>(maps.front())]);
      auto buckets = shuffles.fetch(where, shuffle_id_, maps, p);
      for (size_t i = 0; i < maps.size(); ++i) fetched[static_cast<size_t>(maps[i])] = std::move(buckets[i]);
    }
    TaskMetrics* metrics = current_task_metrics();
    for (int m = 0; m < num_maps_ && !out.stopped(); ++m) {
      auto& output = outputs[static_cast<size_t>(m)];
      if (dynamic_cast<const RemoteMapOutput*>(output.get())) {
        std::string bytes = std::move(fetched[static_cast<size_t>(m)]);
        ByteReader reader(bytes);
        while (!reader.at_end() && !out.stopped()) {
          auto records = read_records<B>(reader);
          if (metrics) metrics->shuffle_records_read += static_cast<int64_t>(records.size());
          push_owned(records, out);
        }
      } else {
        static_cast<const MapOutput<B>&>(*output).read(static_cast<size_t>(p), out, metrics);
      }
      output.reset();
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
