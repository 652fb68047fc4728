#include "brasa/rdd/plan.h"

#include <mutex>
#include <stdexcept>

#include "brasa/rdd/partitioner.h"
#include "brasa/rdd/rdd_base.h"
#include "brasa/storage/storage_level.h"

namespace brasa {
namespace {

struct Registry {
  std::mutex mu;
  std::unordered_map<uint64_t, NodeFactory> nodes;
  std::unordered_map<uint64_t, TaskFactory> tasks;
  std::unordered_map<uint64_t, PartitionerReader> partitioners;
  std::unordered_map<uint64_t, std::string> names;
};

Registry& registry() {
  static Registry r;  // constructed on first use: registrations run during static initialisation
  return r;
}

template <class Factory>
uint64_t add(std::unordered_map<uint64_t, Factory>& map, const char* name, Factory factory) {
  Registry& r = registry();
  uint64_t key = type_key(name);
  std::lock_guard lock(r.mu);
  auto [it, inserted] = r.names.emplace(key, name);
  if (!inserted && it->second != name)
    throw std::logic_error("brasa: operator type key collision between " + it->second + " and " + name);
  auto [entry, added] = map.emplace(key, factory);
  // Two types with one name: functors in anonymous namespaces of two files.
  // Executors could not tell them apart, so refuse to start.
  if (!added && entry->second != factory)
    throw std::logic_error(std::string("brasa: two different types are named ") + name +
                           " (a functor in the anonymous namespace of two source files?); operators and "
                           "functions shipped to executors need names unique in the program");
  return key;
}

template <class Factory> Factory find(std::unordered_map<uint64_t, Factory>& map, uint64_t key) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  auto it = map.find(key);
  if (it == map.end())
    throw std::runtime_error("stage plan names operator type " + std::to_string(key) +
                             ", which this binary does not have (driver and executor binaries differ?)");
  return it->second;
}

}  // namespace

uint64_t type_key(const char* mangled_name) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a: stable across processes and builds
  for (const char* p = mangled_name; *p; ++p) h = (h ^ static_cast<unsigned char>(*p)) * 0x100000001b3ULL;
  return h;
}

uint64_t register_plan_type(const char* name, NodeFactory factory) { return add(registry().nodes, name, factory); }
uint64_t register_plan_type(const char* name, TaskFactory factory) { return add(registry().tasks, name, factory); }
NodeFactory find_node_type(uint64_t key) { return find(registry().nodes, key); }
TaskFactory find_task_type(uint64_t key) { return find(registry().tasks, key); }
uint64_t register_partitioner_type(const char* name, PartitionerReader read) {
  return add(registry().partitioners, name, read);
}
PartitionerReader find_partitioner_type(uint64_t key) { return find(registry().partitioners, key); }

void PlanWriter::node(const RDDBase& rdd) {
  bool seen = !written_.insert(rdd.id()).second;
  w_(rdd.id(), static_cast<uint8_t>(seen));
  if (seen) return;
  w_(rdd.op(), rdd.site(), rdd.storage_level(), rdd.checkpoint_dir());
  if (rdd.is_checkpointed())
    rdd.write_checkpointed_plan(*this);
  else if (rdd.is_local_checkpointed() || (cut_ && rdd.storage_level().is_valid() && cut_(rdd)))
    rdd.write_cached_plan(*this);
  else
    rdd.write_plan(*this);
}

std::shared_ptr<RDDBase> PlanReader::any_node() {
  auto id = r_.read<int>();
  if (r_.read<uint8_t>()) {
    auto it = built_.find(id);
    if (it == built_.end()) throw std::runtime_error("corrupt stage plan: reference to an unknown node");
    return it->second;
  }
  auto op = r_.read<std::string>();
  auto site = r_.read<std::string>();
  auto level = r_.read<StorageLevel>();
  auto checkpoint_dir = r_.read<std::string>();
  NodeFactory factory = find_node_type(r_.read<uint64_t>());
  auto node = factory(*this);
  node->restore(id, std::move(op), std::move(site), level, std::move(checkpoint_dir));
  built_[id] = node;
  return node;
}

std::unique_ptr<TaskBody> PlanReader::task() {
  TaskFactory factory = find_task_type(r_.read<uint64_t>());
  auto body = factory(*this);
  if (!r_.at_end()) throw std::runtime_error("corrupt stage plan: trailing bytes");
  return body;
}

}  // namespace brasa
