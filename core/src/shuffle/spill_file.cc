#include "brasa/shuffle/spill_file.h"

#include "brasa/scheduler/task_metrics.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "brasa/runtime.h"
#include "positional_io.h"

namespace brasa {
namespace {
std::atomic<uint64_t> next_spill{0};
}

SpillFile::SpillFile(Runtime& runtime, const std::string& what)
    : path_(runtime.local_dir() + "/spill-" + std::to_string(next_spill++) + "-" + what) {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0) throw std::runtime_error("cannot create spill file " + path_ + ": " + std::strerror(errno));
}

SpillFile::~SpillFile() {
  ::close(fd_);
  ::unlink(path_.c_str());
}

SpillFile::Range SpillFile::append(const std::string& bytes) {
  Range r{size_, bytes.size()};
  if (!pwrite_all(fd_, bytes.data(), bytes.size(), static_cast<off_t>(size_)))
    throw std::runtime_error("cannot write spill file " + path_ + ": " + std::strerror(errno));
  size_ += bytes.size();
  if (TaskMetrics* m = current_task_metrics()) m->spill_bytes += static_cast<int64_t>(bytes.size());
  return r;
}

std::string SpillFile::read(Range r) const {
  std::string out(r.length, '\0');
  if (!pread_all(fd_, out.data(), r.length, static_cast<off_t>(r.offset)))
    throw std::runtime_error("cannot read spill file " + path_ + ": " +
                             (errno ? std::strerror(errno) : "unexpected end of file"));
  return out;
}

}  // namespace brasa
