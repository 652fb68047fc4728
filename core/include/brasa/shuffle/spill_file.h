// An append-only scratch file of encoded record runs in the local directory,
// deleted when the last reference goes. Map tasks spill buckets to one, and
// aggregations spill sorted runs to one, when their data outgrows memory.
#pragma once

#include <cstdint>
#include <string>

namespace brasa {

class Runtime;

class SpillFile {
 public:
  struct Range {
    uint64_t offset = 0;
    uint64_t length = 0;
  };

  // A new file in the runtime's local directory; `what` names it in errors.
  SpillFile(Runtime& runtime, const std::string& what);
  ~SpillFile();
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  Range append(const std::string& bytes);
  std::string read(Range r) const;
  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace brasa
