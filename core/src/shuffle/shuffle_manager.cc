#include "brasa/shuffle/shuffle_manager.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <stdexcept>
#include <string>

namespace brasa {

FetchFailed::FetchFailed(int shuffle_id, int map_id, int executor, const std::string& why)
    : std::runtime_error("fetch of shuffle " + std::to_string(shuffle_id) + " map " + std::to_string(map_id) +
                         " from executor " + std::to_string(executor) + " failed: " + why),
      shuffle_id(shuffle_id),
      map_id(map_id),
      executor(executor) {}

void ShuffleManager::register_shuffle(int shuffle_id, int num_maps) {
  std::lock_guard lock(mu_);
  auto& maps = outputs_[shuffle_id];
  if (maps.empty()) maps.resize(static_cast<size_t>(num_maps));
}

void ShuffleManager::put(Runtime& runtime, int shuffle_id, int map_id, std::shared_ptr<MapOutputBase> output) {
  bool spill;
  {
    std::lock_guard lock(mu_);
    spill = used_ + output->memory_bytes > budget_;
    if (!spill) used_ += output->memory_bytes;  // reserve before the lock is dropped
  }
  if (spill && output->memory_bytes > 0) {
    spdlog::debug("shuffle {} map {}: {} bytes over the shuffle memory budget; spilling", shuffle_id, map_id,
                  output->memory_bytes);
    output->spill(runtime);
  }
  if (TaskMetrics* m = current_task_metrics()) {
    m->shuffle_records_written += output->records();
    m->shuffle_bytes_written += static_cast<int64_t>(output->memory_bytes + output->spilled_bytes);
  }
  std::lock_guard lock(mu_);
  auto it = outputs_.find(shuffle_id);
  auto* slot = it == outputs_.end() ? nullptr : &it->second.at(static_cast<size_t>(map_id));
  if (!slot || (*slot && !dynamic_cast<RemoteMapOutput*>(slot->get()))) {
    used_ -= output->memory_bytes;  // dropped meanwhile, or computed twice: release the reservation
    return;
  }
  *slot = std::move(output);  // a local output replaces a stale remote location
}

std::vector<std::string> ShuffleManager::fetch(const RemoteMapOutput& where, int shuffle_id,
                                               const std::vector<int>& map_ids, int reduce_id) const {
  if (!fetcher_) throw std::logic_error("remote map output in a process without a shuffle fetcher");
  auto start = std::chrono::steady_clock::now();
  auto buckets = fetcher_->fetch(where, shuffle_id, map_ids, reduce_id);
  if (TaskMetrics* m = current_task_metrics()) {
    m->shuffle_fetch_wait_ns +=
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
    for (const auto& b : buckets) m->shuffle_remote_bytes_read += static_cast<int64_t>(b.size());
  }
  return buckets;
}

std::shared_ptr<const MapOutputBase> ShuffleManager::get(int shuffle_id, int map_id) const {
  std::lock_guard lock(mu_);
  auto it = outputs_.find(shuffle_id);
  if (it == outputs_.end() || !it->second.at(static_cast<size_t>(map_id)))
    throw std::runtime_error("missing output of map task " + std::to_string(map_id) + " of shuffle " +
                             std::to_string(shuffle_id));
  return it->second[static_cast<size_t>(map_id)];
}

std::vector<int> ShuffleManager::missing_maps(int shuffle_id) const {
  std::lock_guard lock(mu_);
  std::vector<int> missing;
  auto it = outputs_.find(shuffle_id);
  if (it == outputs_.end()) return missing;
  for (size_t i = 0; i < it->second.size(); ++i)
    if (!it->second[i]) missing.push_back(static_cast<int>(i));
  return missing;
}

void ShuffleManager::remove(int shuffle_id) {
  std::function<void(int)> hook;
  {
    std::lock_guard lock(mu_);
    auto it = outputs_.find(shuffle_id);
    if (it == outputs_.end()) return;
    for (auto& o : it->second)
      if (o) used_ -= o->memory_bytes;
    outputs_.erase(it);
    hook = on_remove_;
  }
  if (hook) hook(shuffle_id);
}

std::vector<std::shared_ptr<const RemoteMapOutput>> ShuffleManager::remote_locations(int shuffle_id) const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<const RemoteMapOutput>> out;
  auto it = outputs_.find(shuffle_id);
  if (it == outputs_.end()) return out;
  for (const auto& o : it->second) out.push_back(std::dynamic_pointer_cast<const RemoteMapOutput>(o));
  return out;
}

void ShuffleManager::add_remote(int shuffle_id, int num_maps, int map_id, int executor, const std::string& address) {
  std::lock_guard lock(mu_);
  auto& maps = outputs_[shuffle_id];
  if (maps.empty()) maps.resize(static_cast<size_t>(num_maps));
  auto& slot = maps.at(static_cast<size_t>(map_id));
  if (!slot || dynamic_cast<RemoteMapOutput*>(slot.get())) slot = std::make_shared<RemoteMapOutput>(executor, address);
}

int ShuffleManager::remove_executor(int executor) {
  std::lock_guard lock(mu_);
  int removed = 0;
  for (auto& [id, maps] : outputs_)
    for (auto& o : maps)
      if (auto* remote = dynamic_cast<RemoteMapOutput*>(o.get()); remote && remote->executor == executor) {
        o.reset();
        ++removed;
      }
  return removed;
}

size_t ShuffleManager::num_shuffles() const {
  std::lock_guard lock(mu_);
  return outputs_.size();
}

size_t ShuffleManager::memory_used() const {
  std::lock_guard lock(mu_);
  return used_;
}

}  // namespace brasa
