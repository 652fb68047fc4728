// Definitions of RDD<T>'s persistence members: persist, unpersist, checkpoint, local_checkpoint.
#pragma once

#include <filesystem>
#include <string>

#include "brasa/rdd/detail/actions.h"
#include "brasa/rdd/rdd.h"
#include "brasa/storage/storage_level.h"

namespace brasa {

template <class T>
const RDD<T>& RDD<T>::persist(StorageLevel level) const {
  node_->set_storage_level(level);
  return *this;
}

template <class T>
const RDD<T>& RDD<T>::unpersist() const {
  node_->unpersist();
  return *this;
}

template <class T>
const RDD<T>& RDD<T>::checkpoint(const std::string& dir, CallSite site) const {
  std::string target = (std::filesystem::path(dir) / ("rdd-" + std::to_string(id()))).string();
  std::filesystem::create_directories(target);
  run_job(act::WriteRecords{target}, [](int, bool) {}, "checkpoint", site);
  node_->mark_checkpointed(target);
  return *this;
}

template <class T>
const RDD<T>& RDD<T>::local_checkpoint(CallSite site) const {
  if (node_->is_local_checkpointed() || node_->is_checkpointed()) return *this;
  StorageLevel level = storage_level();
  if (level.use_disk && node_->is_fully_cached()) {  // computed already, by an earlier job
    node_->mark_local_checkpointed();
    return *this;
  }
  if (!level.is_valid()) {
    level = StorageLevel::memory_and_disk();
  } else if (!level.use_disk) {
    node_->unpersist();
    level.use_disk = true;
  }
  node_->set_storage_level(level);
  run_job(act::Count{}, [](int, int64_t) {}, "local_checkpoint", site);
  node_->mark_local_checkpointed();
  return *this;
}

template <class T>
void RDD<T>::run_map_stages(CallSite site) const {
  run_job_on({}, act::Count{}, [](int, int64_t) {}, "run_map_stages", site);
}

}  // namespace brasa
