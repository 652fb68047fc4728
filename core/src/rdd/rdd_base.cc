#include "brasa/rdd/rdd_base.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "brasa/runtime.h"
#include "brasa/scheduler/backend.h"
#include "brasa/scheduler/event_bus.h"
#include "brasa/shuffle/shuffle_manager.h"
#include "brasa/storage/block_manager.h"

namespace brasa {

std::string describe(const CallSite& site) {
  std::string file = std::filesystem::path(site.file_name()).filename().string();
  return file + ":" + std::to_string(site.line());
}

RDDBase::RDDBase(std::shared_ptr<Runtime> runtime, int num_partitions, std::string op, const CallSite& site)
    : runtime_(std::move(runtime)),
      id_(runtime_->new_rdd_id()),
      num_partitions_(num_partitions),
      op_(std::move(op)),
      site_(describe(site)) {
  if (num_partitions < 0) throw std::invalid_argument(op_ + ": negative number of partitions");
}

RDDBase::~RDDBase() {
  if (storage_level_.is_valid() && !rebuilt_) {
    note_unpersisted();
    runtime_->block_manager().remove_rdd(id_);
  }
}

// For the web UI's storage page (the driver's RDDs only).
void RDDBase::note_persisted() const {
  Event e{Event::Type::kRddPersisted};
  e.rdd_id = id_;
  e.name = name();
  e.num_tasks = num_partitions_;
  e.storage_level = storage_level_.name();
  runtime_->events().post(std::move(e));
}

void RDDBase::note_unpersisted() const {
  Event e{Event::Type::kRddUnpersisted};
  e.rdd_id = id_;
  runtime_->events().post(std::move(e));
}

void RDDBase::restore(int id, std::string op, std::string site, StorageLevel level, std::string checkpoint_dir) {
  id_ = id;
  op_ = std::move(op);
  site_ = std::move(site);
  storage_level_ = level;
  checkpoint_dir_ = std::move(checkpoint_dir);
  rebuilt_ = true;
}

std::string RDDBase::name() const {
  return (user_name_.empty() ? "" : user_name_ + " ") + op_ + " at " + site_;
}

std::string RDDBase::empty_error(const char* action, const CallSite& site) const {
  // The lineage's sources: where the missing records would have come from.
  std::vector<std::string> sources;
  std::vector<const RDDBase*> todo{this};
  std::set<int> seen;
  while (!todo.empty()) {
    const RDDBase* r = todo.back();
    todo.pop_back();
    if (!seen.insert(r->id()).second) continue;
    auto deps = r->dependencies();
    if (deps.empty() && r != this) sources.push_back(r->name());
    for (const auto& d : deps) todo.push_back(d.rdd.get());
  }
  std::string out = std::string(action) + " at " + describe(site) + ": the RDD (" + name() + ") is empty";
  for (size_t i = 0; i < sources.size(); ++i) out += (i ? ", " : "; it reads ") + sources[i];
  return out;
}

std::vector<Dependency> RDDBase::dependencies() const {
  if (is_checkpointed() || local_checkpointed_) return {};
  return lineage();
}

void RDDBase::set_storage_level(StorageLevel level) {
  // Spark's rule: a local checkpoint's blocks may spill to disk, so persist
  // on one (cache() on an algorithm's locally checkpointed result) asks for
  // the level with disk.
  if (local_checkpointed_ && level.is_valid()) level.use_disk = true;
  if (storage_level_.is_valid() && storage_level_ != level)
    throw std::logic_error("cannot change the storage level of RDD " + std::to_string(id_) + " (" + name() +
                           ") from " + storage_level_.name() + " to " + level.name() + "; unpersist it first");
  const bool first = !storage_level_.is_valid() && level.is_valid();
  storage_level_ = level;
  if (first && !rebuilt_) note_persisted();
}

void RDDBase::unpersist() {
  if (local_checkpointed_)
    throw std::logic_error("cannot unpersist RDD " + std::to_string(id_) + " (" + name() +
                           "): it is a local checkpoint, whose blocks are its only copy");
  if (storage_level_.is_valid() && !rebuilt_) note_unpersisted();
  storage_level_ = StorageLevel::none();
  runtime_->block_manager().remove_rdd(id_);
}

bool RDDBase::is_fully_cached() const {
  return storage_level_.is_valid() && runtime_->backend().has_cached(id_, num_partitions_);
}

std::string RDDBase::to_debug_string() const {
  std::string out;
  std::vector<int> seen;
  debug_string(out, 0, false, seen);
  return out;
}

// Spark's format: "(n) name [level]", each shuffle boundary indented one more
// level with "+-", narrow parents listed under " |".
void RDDBase::debug_string(std::string& out, int depth, bool shuffle_edge, std::vector<int>& seen) const {
  std::string indent;
  for (int i = 0; i < depth; ++i) indent += (i + 1 == depth && shuffle_edge) ? " +-" : " | ";
  out += indent + "(" + std::to_string(num_partitions_) + ") " + (user_name_.empty() ? "" : user_name_ + " ") + op_ +
         "[" + std::to_string(id_) + "] at " + site_;
  if (storage_level_.is_valid()) out += " [" + storage_level_.name() + "]";
  if (is_checkpointed()) out += " [checkpointed]";
  if (local_checkpointed_) out += " [local checkpoint]";
  out += "\n";
  if (std::find(seen.begin(), seen.end(), id_) != seen.end()) return;
  seen.push_back(id_);
  for (const auto& dep : dependencies()) {
    if (dep.is_shuffle())
      dep.rdd->debug_string(out, depth + 1, true, seen);
    else
      dep.rdd->debug_string(out, depth, false, seen);
  }
}

std::string checkpoint_file(const std::string& dir, int partition) {
  char name[32];
  std::snprintf(name, sizeof name, "part-%05d", partition);
  return (std::filesystem::path(dir) / name).string();
}

ShuffleDependencyBase::ShuffleDependencyBase(std::shared_ptr<RDDBase> parent, Partitioner partitioner)
    : parent_(std::move(parent)),
      partitioner_(std::move(partitioner)),
      shuffle_id_(parent_->runtime().new_shuffle_id()) {
  parent_->runtime().shuffle_manager().register_shuffle(shuffle_id_, parent_->num_partitions());
}

ShuffleDependencyBase::ShuffleDependencyBase(std::shared_ptr<RDDBase> parent, Partitioner partitioner, int shuffle_id)
    : parent_(std::move(parent)), partitioner_(std::move(partitioner)), shuffle_id_(shuffle_id), owner_(false) {
  parent_->runtime().shuffle_manager().register_shuffle(shuffle_id_, parent_->num_partitions());
}

ShuffleDependencyBase::~ShuffleDependencyBase() {
  if (owner_) parent_->runtime().shuffle_manager().remove(shuffle_id_);
}

}  // namespace brasa
