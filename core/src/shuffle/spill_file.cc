#include "brasa/shuffle/spill_file.h"

#include "brasa/scheduler/task_metrics.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "brasa/runtime.h"

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
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(size_ + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("cannot write spill file " + path_ + ": " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  size_ += bytes.size();
  if (TaskMetrics* m = current_task_metrics()) m->spill_bytes += static_cast<int64_t>(bytes.size());
  return r;
}

std::string SpillFile::read(Range r) const {
  std::string out(r.length, '\0');
  size_t done = 0;
  while (done < r.length) {
    ssize_t n = ::pread(fd_, out.data() + done, r.length - done, static_cast<off_t>(r.offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("cannot read spill file " + path_ + ": " +
                                         (n < 0 ? std::strerror(errno) : "unexpected end of file"));
    done += static_cast<size_t>(n);
  }
  return out;
}

}  // namespace brasa
