#include "brasa/rdd/partitioner.h"

#include <mutex>
#include <unordered_map>

#include "brasa/rdd/plan.h"

namespace brasa {
namespace {

struct Registry {
  std::mutex mu;
  std::unordered_map<uint64_t, PartitionerReader> readers;
};

Registry& registry() {
  static Registry r;  // constructed on first use: registrations run during static initialisation
  return r;
}

}  // namespace

uint64_t register_partitioner_type(const char* name, PartitionerReader read) {
  uint64_t key = type_key(name);
  std::lock_guard lock(registry().mu);
  registry().readers.emplace(key, read);
  return key;
}

PartitionerReader find_partitioner_type(uint64_t key) {
  std::lock_guard lock(registry().mu);
  auto it = registry().readers.find(key);
  if (it == registry().readers.end())
    throw std::runtime_error("stage plan names partitioner type " + std::to_string(key) +
                             ", which this binary does not have (driver and executor binaries differ?)");
  return it->second;
}

}  // namespace brasa
