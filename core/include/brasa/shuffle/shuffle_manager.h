// Holds the map outputs of every shuffle in this process: for each map task,
// one bucket of records per reduce partition. Reducers read bucket r of
// every map output in map order, which keeps results deterministic.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace brasa {

class MapOutputBase {
 public:
  virtual ~MapOutputBase() = default;
  size_t bytes = 0;
};

// The output of one map task: buckets[r] holds the records for reducer r.
template <class B> class MapOutput final : public MapOutputBase {
 public:
  std::vector<std::vector<B>> buckets;
};

class ShuffleManager {
 public:
  void register_shuffle(int shuffle_id, int num_maps);
  void put(int shuffle_id, int map_id, std::shared_ptr<const MapOutputBase> output);
  // Throws std::runtime_error if the output is missing.
  std::shared_ptr<const MapOutputBase> get(int shuffle_id, int map_id) const;
  std::vector<int> missing_maps(int shuffle_id) const;
  bool is_complete(int shuffle_id) const { return missing_maps(shuffle_id).empty(); }
  void remove(int shuffle_id);
  size_t num_shuffles() const;

 private:
  mutable std::mutex mu_;
  std::map<int, std::vector<std::shared_ptr<const MapOutputBase>>> outputs_;
};

}  // namespace brasa
