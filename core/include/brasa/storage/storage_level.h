// Where a persisted RDD keeps its partitions, mirroring Spark's levels.
#pragma once

#include <string>

namespace brasa {

struct StorageLevel {
  bool use_memory = false;
  bool use_disk = false;
  bool deserialized = false;  // kept as live objects (vs. encoded bytes)

  bool is_valid() const { return use_memory || use_disk; }
  bool operator==(const StorageLevel&) const = default;
  std::string name() const;

  static StorageLevel none() { return {}; }
  static StorageLevel memory_only() { return {true, false, true}; }
  static StorageLevel memory_only_ser() { return {true, false, false}; }
  static StorageLevel memory_and_disk() { return {true, true, true}; }
  static StorageLevel disk_only() { return {false, true, false}; }
};

}  // namespace brasa
