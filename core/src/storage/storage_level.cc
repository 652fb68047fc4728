#include "brasa/storage/storage_level.h"

namespace brasa {

std::string StorageLevel::name() const {
  if (!is_valid()) return "NONE";
  if (use_memory && use_disk) return deserialized ? "MEMORY_AND_DISK" : "MEMORY_AND_DISK_SER";
  if (use_memory) return deserialized ? "MEMORY_ONLY" : "MEMORY_ONLY_SER";
  return "DISK_ONLY";
}

}  // namespace brasa
